package dev.tagstream.image;

/**
 * Size limits applied before any pixel memory is committed. Immutable.
 *
 * <p>{@code maxBytes} is checked against the encoded input before anything else; {@code maxPixels} against the
 * width and height read from the image header, before a pixel buffer is allocated. Together they stop
 * decompression bombs (a few hundred bytes of PNG can declare 60000x60000 pixels = 10.8 GB of RGB).
 */
public final class ImageLimits {
    /** 32 MiB of encoded bytes and 50 megapixels (an 8688x5792 camera frame): generous for photos. */
    public static final ImageLimits DEFAULT = new ImageLimits(32L << 20, 50_000_000L);

    private final long maxBytes;
    private final long maxPixels;

    public ImageLimits(long maxBytes, long maxPixels) {
        if (maxBytes <= 0 || maxPixels <= 0) {
            throw new IllegalArgumentException(
                    "limits must be positive, got maxBytes=" + maxBytes + " maxPixels=" + maxPixels);
        }
        this.maxBytes = maxBytes;
        this.maxPixels = maxPixels;
    }

    public long maxBytes() { return maxBytes; }

    public long maxPixels() { return maxPixels; }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageLimits l && l.maxBytes == maxBytes && l.maxPixels == maxPixels;
    }

    @Override
    public int hashCode() { return Long.hashCode(maxBytes) * 31 + Long.hashCode(maxPixels); }

    @Override
    public String toString() { return "ImageLimits(maxBytes=" + maxBytes + ", maxPixels=" + maxPixels + ")"; }
}
