package dev.tagstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void nearestRankPercentiles() {
        double[] v = new double[100];
        for (int i = 0; i < 100; i++) {
            v[i] = 100 - i; // 100..1, unsorted on purpose
        }
        assertThat(Stats.percentile(v, 50)).isEqualTo(50);
        assertThat(Stats.percentile(v, 99)).isEqualTo(99);
        assertThat(Stats.percentile(v, 100)).isEqualTo(100);
        assertThat(Stats.percentile(v, 0)).isEqualTo(1);
        assertThat(Stats.percentile(new double[] {7}, 99)).isEqualTo(7);
        assertThat(Stats.percentile(new double[] {1, 2, 3, 4}, 50)).isEqualTo(2);
        assertThat(Stats.percentile(new double[0], 50)).isNaN();
        assertThat(v[0]).as("input is not sorted in place").isEqualTo(100);
        assertThatThrownBy(() -> Stats.percentile(v, 101)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void summaryAndRatio() {
        Stats.Summary s = Stats.Summary.of(new double[] {4, 1, 3, 2});
        assertThat(s.count()).isEqualTo(4);
        assertThat(s.mean()).isEqualTo(2.5);
        assertThat(s.p50()).isEqualTo(2);
        assertThat(s.p99()).isEqualTo(4);
        assertThat(s.max()).isEqualTo(4);
        assertThat(Stats.ratio(3, 2)).isEqualTo(1.5);
        assertThat(Stats.ratio(3, 0)).isNaN();
        assertThat(Stats.ratio(Double.NaN, 2)).isNaN();
    }

    @Test
    void meanRunSizeFromPredictionsCountsRunsNotImages() {
        // two runs: one of 4 images and one of 1 image -> 5 predictions, mean run size 2.5 (not 17/5)
        OutcomeReader.Snapshot s = new OutcomeReader.Snapshot(new long[] {0, 0, 0, 0, 0},
                new long[] {10, 10, 10, 10, 20}, new long[] {11, 11, 11, 11, 21}, new int[] {4, 4, 4, 4, 1});
        PipelinePoint p = PipelineRun.summarize("x", 4, 20, 0, s, 0, 1000, 1.0, 1, 1, 3, 0, 0, 0, 0, 0);
        assertThat(p.readerP50()).isEqualTo(11);
        assertThat(p.predictedInWindow()).isEqualTo(5);
        assertThat(p.recordsPerSecond()).isEqualTo(5);
        assertThat(p.meanRunSize()).isEqualTo(2.5);
        assertThat(p.e2eP50()).isEqualTo(10);
        assertThat(p.e2eP99()).isEqualTo(20);
        assertThat(p.readerP99()).isEqualTo(21);
    }
}
