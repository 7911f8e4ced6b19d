package dev.tagstream.image;

import java.nio.FloatBuffer;

/**
 * {@code ToTensor()} + {@code Normalize(mean, std)} from a packed HWC uint8 crop into CHW floats at an absolute
 * index of the caller's buffer. Bit-identical to torchvision: each value is {@code (x / 255f - mean) / std} in
 * float32 (torch divides the uint8-to-float tensor by 255, then {@code sub_(mean).div_(std)}, all float32), taken
 * from a 256-entry table per channel that is computed with exactly those operations. Immutable, thread-safe.
 */
final class TensorWriter {
    private final float[] lut; // [channel * 256 + value]
    private final int crop;

    TensorWriter(PreprocessSpec spec) {
        this.crop = spec.crop();
        this.lut = new float[3 * 256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                lut[c * 256 + v] = (v / 255f - spec.mean(c)) / spec.std(c);
            }
        }
    }

    /**
     * Writes 3 * crop * crop floats starting at absolute index {@code base}; {@code row} is a scratch of at least
     * {@code crop} floats (a row at a time goes through the buffer's absolute bulk put; position/limit untouched).
     */
    void write(byte[] hwc, FloatBuffer dst, int base, float[] row) {
        int plane = crop * crop;
        for (int c = 0; c < 3; c++) {
            int lb = c * 256;
            for (int y = 0; y < crop; y++) {
                int p = y * crop * 3 + c;
                for (int x = 0; x < crop; x++, p += 3) {
                    row[x] = lut[lb + (hwc[p] & 0xFF)];
                }
                dst.put(base + c * plane + y * crop, row, 0, crop);
            }
        }
    }
}
