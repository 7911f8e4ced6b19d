package dev.tagstream.image;

import java.nio.FloatBuffer;

/**
 * Run in a child JVM with a small heap by {@link BadInputTest}: preprocesses a 60000x60000 PNG header bomb twice
 * (default limits, then no pixel limit at all: the JDK reader refuses sizes over 2^31 itself), then a 20000x20000
 * one with no pixel limit (1.2 GB of RGB: the decoder's allocation fails with OutOfMemoryError in a 256 MB heap),
 * and prints the failure codes. Exit code 0 only if all were refused with an ImageException; an OutOfMemoryError or
 * any other throwable escaping makes the JVM exit non-zero.
 */
public final class BombProbe {
    private BombProbe() {}

    public static void main(String[] args) throws Exception {
        byte[] bomb = BadImages.pngWithHeader(60000, 60000);
        byte[] smaller = BadImages.pngWithHeader(20000, 20000);
        FloatBuffer dst = FloatBuffer.allocate(PreprocessSpec.IMAGENET.floatsPerImage());
        ImageLimits noPixelLimit = new ImageLimits(1L << 20, Long.MAX_VALUE);
        Object[][] cases = {{ImageLimits.DEFAULT, bomb}, {noPixelLimit, bomb}, {noPixelLimit, smaller}};
        for (Object[] c : cases) {
            try {
                new PilCompatiblePreprocessor((ImageLimits) c[0], true, false)
                        .preprocess((byte[]) c[1], PreprocessSpec.IMAGENET, dst, 0);
                System.out.println("ACCEPTED");
                return;
            } catch (ImageException e) {
                System.out.println(e.failure() + " " + e.getMessage());
            }
        }
    }
}
