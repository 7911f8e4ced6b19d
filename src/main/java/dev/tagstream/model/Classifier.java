package dev.tagstream.model;

import java.nio.FloatBuffer;

/** A loaded model. Thread-safe: one instance per model per process, shared by every stream thread. */
public interface Classifier {
    ModelInfo info();

    /** Largest batch one {@link #logits} call accepts. */
    int maxBatch();

    /**
     * Runs {@code n} images held in {@code input} from absolute index 0 (CHW, {@code info().input().floatsPerImage()}
     * floats each; a direct buffer is used without copying) and writes {@code n * info().numClasses()} raw logits
     * into {@code out}, image-major.
     *
     * @throws InferenceException when the runtime fails; the input is not changed
     */
    void logits(FloatBuffer input, int n, float[] out) throws InferenceException;
}
