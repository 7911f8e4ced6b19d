package dev.tagstream.batch;

/**
 * What the engine returns for one submitted batch, image by image in submission order.
 *
 * @param logits {@code n * numClasses} raw logits, image-major; rows of failed images are undefined
 * @param failures per image, null when it was classified, else why the session run failed for it
 * @param runSize images in the session run that served this batch (larger than n when batches were merged)
 * @param inferenceMs wall time of the session run(s), shared by every image in them
 */
public record RunResult(float[] logits, String[] failures, int runSize, double inferenceMs) {
    public boolean failed(int image) {
        return failures[image] != null;
    }
}
