package dev.tagstream.batch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A direct, native-order float buffer of image slots that a pending batch is preprocessed into, slot by slot, by
 * the preprocessing workers, and that the engine reads without copying when it can. Allocated once per task and
 * model and reused for every batch; it grows only when a restored batch is larger than the configured size.
 * Not thread-safe as a whole: the owning task assigns slots, and each worker writes only its own slot.
 */
public final class BatchTensor {
    private final int floatsPerImage;
    private FloatBuffer buffer;

    public BatchTensor(int floatsPerImage, int slots) {
        this.floatsPerImage = floatsPerImage;
        this.buffer = allocate(floatsPerImage, Math.max(1, slots));
    }

    public FloatBuffer buffer() {
        return buffer;
    }

    public int slots() {
        return buffer.capacity() / floatsPerImage;
    }

    /** Makes room for {@code slots} images; only call when no slot is being written. */
    public void ensureSlots(int slots) {
        if (slots > slots()) {
            buffer = allocate(floatsPerImage, slots);
        }
    }

    private static FloatBuffer allocate(int floatsPerImage, int slots) {
        long bytes = (long) floatsPerImage * slots * Float.BYTES;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(slots + " image slots do not fit in one direct buffer");
        }
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
