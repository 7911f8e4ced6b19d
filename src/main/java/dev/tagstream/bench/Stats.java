package dev.tagstream.bench;

import java.util.Arrays;

/** Summary statistics of a sample of measurements. Pure. */
public final class Stats {
    private Stats() {}

    /**
     * The {@code p}-th percentile (0..100) by the nearest-rank method: the smallest value such that at least
     * {@code p} percent of the sample is at or below it. NaN for an empty sample.
     */
    public static double percentile(double[] values, double p) {
        if (p < 0 || p > 100 || Double.isNaN(p)) {
            throw new IllegalArgumentException("percentile must be in 0..100, got " + p);
        }
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sortedPercentile(sorted, p);
    }

    /** As {@link #percentile} on an already sorted sample. */
    public static double sortedPercentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public static double mean(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** {@code a / b}, NaN when either is NaN or {@code b} is zero. */
    public static double ratio(double a, double b) {
        return b == 0 || Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : a / b;
    }

    /** p50, p95, p99 and the mean of a sample. */
    public record Summary(int count, double mean, double p50, double p95, double p99, double max) {
        public static Summary of(double[] values) {
            double[] s = values.clone();
            Arrays.sort(s);
            return new Summary(s.length, Stats.mean(s), sortedPercentile(s, 50), sortedPercentile(s, 95),
                    sortedPercentile(s, 99), s.length == 0 ? Double.NaN : s[s.length - 1]);
        }
    }
}
