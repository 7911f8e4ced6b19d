package dev.tagstream.image;

import java.nio.FloatBuffer;

/**
 * Turns encoded image bytes into one normalized CHW float tensor, written in place into a batch tensor.
 * Implementations are thread-safe and may be shared by all stream threads and preprocessing workers.
 */
public interface ImagePreprocessor {
    /**
     * Decodes {@code encoded} and writes {@code spec.floatsPerImage()} floats, channel-major (CHW), starting at
     * absolute index {@code slot * spec.floatsPerImage()} of {@code dst}. The buffer's position and limit are not
     * changed, so several threads may fill different slots of the same buffer at once.
     *
     * @throws ImageException with a stable {@link ImageFailure} for empty, unsupported, corrupt or oversized input;
     *     nothing else is thrown for any input bytes
     */
    void preprocess(byte[] encoded, PreprocessSpec spec, FloatBuffer dst, int slot) throws ImageException;
}
