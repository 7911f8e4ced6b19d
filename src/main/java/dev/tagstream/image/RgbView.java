package dev.tagstream.image;

/**
 * A read-only view of 8-bit RGB pixels in a byte array, addressed as
 * {@code data[origin + x * xStride + y * yStride + offset(c)]}. Strides may be negative or swapped, so all eight
 * EXIF orientations are views of the decoder's own buffer, with no pixel copy. Immutable (the array is shared,
 * never written through a view).
 */
final class RgbView {
    final byte[] data;
    final int width;
    final int height;
    final int origin;
    final int xStride;
    final int yStride;
    final int rOffset;
    final int gOffset;
    final int bOffset;

    RgbView(byte[] data, int width, int height, int origin, int xStride, int yStride, int rOffset, int gOffset,
            int bOffset) {
        this.data = data;
        this.width = width;
        this.height = height;
        this.origin = origin;
        this.xStride = xStride;
        this.yStride = yStride;
        this.rOffset = rOffset;
        this.gOffset = gOffset;
        this.bOffset = bOffset;
    }

    /** Tightly packed interleaved RGB, row-major. */
    static RgbView packedRgb(byte[] data, int width, int height) {
        return new RgbView(data, width, height, 0, 3, width * 3, 0, 1, 2);
    }

    int offset(int channel) {
        return channel == 0 ? rOffset : channel == 1 ? gOffset : bOffset;
    }

    /** Unsigned sample of channel c (0=R, 1=G, 2=B) at (x, y). For tests and slow paths only. */
    int sample(int x, int y, int c) {
        return data[origin + x * xStride + y * yStride + offset(c)] & 0xFF;
    }

    /**
     * This image as PIL's {@code ImageOps.exif_transpose} shows it for EXIF orientation {@code o} (1..8; anything
     * else means "as stored"). PIL's mapping: 2 FLIP_LEFT_RIGHT, 3 ROTATE_180, 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE,
     * 6 ROTATE_270, 7 TRANSVERSE, 8 ROTATE_90 (PIL rotations are counter-clockwise).
     */
    RgbView oriented(int o) {
        int w = width;
        int h = height;
        int sx = xStride;
        int sy = yStride;
        int lastX = (w - 1) * sx;
        int lastY = (h - 1) * sy;
        return switch (o) {
            case 2 -> with(w, h, origin + lastX, -sx, sy);
            case 3 -> with(w, h, origin + lastX + lastY, -sx, -sy);
            case 4 -> with(w, h, origin + lastY, sx, -sy);
            case 5 -> with(h, w, origin, sy, sx);
            case 6 -> with(h, w, origin + lastY, -sy, sx);
            case 7 -> with(h, w, origin + lastX + lastY, -sy, -sx);
            case 8 -> with(h, w, origin + lastX, sy, -sx);
            default -> this;
        };
    }

    private RgbView with(int w, int h, int org, int sx, int sy) {
        return new RgbView(data, w, h, org, sx, sy, rOffset, gOffset, bOffset);
    }
}
