package dev.tagstream.model;

import java.util.List;

/**
 * Softmax and top-k over one image's logits.
 *
 * <p>Softmax is numerically stable (the maximum is subtracted, the sum is kept in double). Only the k winners'
 * probabilities are computed: selection runs on the logits (softmax is monotonic) with a k-slot insertion buffer,
 * O(n k) with no full sort, no boxing and no allocation but the k results.
 *
 * <p>Ties: equal logits keep index order (the lower class index ranks first), so results are deterministic.
 * Non-finite input: a NaN or {@code +Infinity} logit means the model output is broken, so it is rejected with
 * {@link IllegalArgumentException} naming the index (the caller reports it as an inference failure rather than
 * emitting a meaningless ranking). {@code -Infinity} is a valid logit with probability 0.
 */
public final class TopK {
    private TopK() {}

    /**
     * Top {@code k} classes of {@code logits[offset .. offset + labels.size())}, best first.
     *
     * @throws IllegalArgumentException if k is not in 1..number of classes, the range is out of bounds, or a logit is
     *     NaN or +Infinity
     */
    public static List<ScoredLabel> of(float[] logits, int offset, List<String> labels, int k) {
        int n = labels.size();
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k must be in 1.." + n + " (number of classes), got " + k);
        }
        if (offset < 0 || offset + n > logits.length) {
            throw new IllegalArgumentException("logits[" + offset + ".." + (offset + n) + ") out of bounds for length "
                    + logits.length);
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = logits[offset + i];
            if (Float.isNaN(v) || v == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("logit " + i + " is " + v + "; refusing to rank non-finite output");
            }
            if (v > max) {
                max = v;
            }
        }
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("every logit is -Infinity; the softmax is undefined");
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp((double) logits[offset + i] - max);
        }
        int[] idx = new int[k];
        float[] val = new float[k];
        int filled = 0;
        for (int i = 0; i < n; i++) {
            float v = logits[offset + i];
            if (filled == k && !(v > val[k - 1])) {
                continue; // not strictly better than the current k-th: ties keep the lower index
            }
            int pos = filled == k ? k - 1 : filled++;
            while (pos > 0 && v > val[pos - 1]) {
                val[pos] = val[pos - 1];
                idx[pos] = idx[pos - 1];
                pos--;
            }
            val[pos] = v;
            idx[pos] = i;
        }
        ScoredLabel[] out = new ScoredLabel[k];
        for (int j = 0; j < k; j++) {
            out[j] = new ScoredLabel(idx[j], labels.get(idx[j]), (float) (Math.exp((double) val[j] - max) / sum));
        }
        return List.of(out);
    }

    /** Softmax of one image's logits into {@code probs} (same range), for callers that need every probability. */
    public static void softmax(float[] logits, int offset, int n, float[] probs, int probsOffset) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp((double) logits[offset + i] - max);
        }
        for (int i = 0; i < n; i++) {
            probs[probsOffset + i] = (float) (Math.exp((double) logits[offset + i] - max) / sum);
        }
    }
}
