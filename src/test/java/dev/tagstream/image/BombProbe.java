package dev.tagstream.image;

import java.nio.FloatBuffer;

/**
 * Run in a child JVM with a small heap by {@link BadInputTest}: preprocesses a 60000x60000 PNG header bomb twice
 * (default limits, then no pixel limit at all) and prints the failure codes. Exit code 0 only if both were refused
 * with an ImageException; an OutOfMemoryError or any other throwable escaping makes the JVM exit non-zero.
 */
public final class BombProbe {
    private BombProbe() {}

    public static void main(String[] args) throws Exception {
        byte[] bomb = BadImages.pngWithHeader(60000, 60000);
        FloatBuffer dst = FloatBuffer.allocate(PreprocessSpec.IMAGENET.floatsPerImage());
        for (ImageLimits limits : new ImageLimits[] {ImageLimits.DEFAULT, new ImageLimits(1L << 20, Long.MAX_VALUE)}) {
            try {
                new PilCompatiblePreprocessor(limits, true, false).preprocess(bomb, PreprocessSpec.IMAGENET, dst, 0);
                System.out.println("ACCEPTED");
                return;
            } catch (ImageException e) {
                System.out.println(e.failure() + " " + e.getMessage());
            }
        }
    }
}
