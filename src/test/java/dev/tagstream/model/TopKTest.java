package dev.tagstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopKTest {
    static final List<String> L = List.of("a", "b", "c", "d", "e");

    @Test
    void ranksByLogitWithSoftmaxProbabilities() {
        float[] logits = {1f, 3f, 2f, 0f, -1f};
        List<ScoredLabel> top = TopK.of(logits, 0, L, 3);
        assertThat(top).extracting(ScoredLabel::index).containsExactly(1, 2, 0);
        assertThat(top).extracting(ScoredLabel::label).containsExactly("b", "c", "a");
        double z = Math.exp(1) + Math.exp(3) + Math.exp(2) + Math.exp(0) + Math.exp(-1);
        assertThat(top.get(0).probability()).isCloseTo((float) (Math.exp(3) / z), within(1e-6f));
        assertThat(top.get(2).probability()).isCloseTo((float) (Math.exp(1) / z), within(1e-6f));
    }

    @Test
    void isStableForHugeLogits() {
        float[] logits = {1000f, 999f, -1000f, 0f, 1000f};
        List<ScoredLabel> top = TopK.of(logits, 0, L, 5);
        assertThat(top).extracting(ScoredLabel::probability).allMatch(Float::isFinite);
        assertThat(top.get(0).probability()).isCloseTo(0.4223f, within(1e-4f));
        assertThat(top.stream().mapToDouble(ScoredLabel::probability).sum()).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void tiesKeepTheLowerIndexFirst() {
        float[] logits = {2f, 5f, 5f, 2f, 5f};
        assertThat(TopK.of(logits, 0, L, 4)).extracting(ScoredLabel::index).containsExactly(1, 2, 4, 0);
        assertThat(TopK.of(new float[] {0, 0, 0, 0, 0}, 0, L, 2)).extracting(ScoredLabel::index).containsExactly(0, 1);
    }

    @Test
    void readsOneImageOfABatchAtAnOffset() {
        float[] batch = {9, 0, 0, 0, 0, /* image 1 */ 0, 0, 0, 7, 0};
        assertThat(TopK.of(batch, 5, L, 1)).extracting(ScoredLabel::label).containsExactly("d");
    }

    @Test
    void rejectsKOutOfRangeAndBadOffsets() {
        float[] logits = new float[5];
        assertThatThrownBy(() -> TopK.of(logits, 0, L, 6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1..5");
        assertThatThrownBy(() -> TopK.of(logits, 0, L, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TopK.of(logits, 1, L, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsNanAndPositiveInfinityButAcceptsNegativeInfinity() {
        assertThatThrownBy(() -> TopK.of(new float[] {0, Float.NaN, 0, 0, 0}, 0, L, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logit 1 is NaN");
        assertThatThrownBy(() -> TopK.of(new float[] {0, 0, Float.POSITIVE_INFINITY, 0, 0}, 0, L, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logit 2");
        List<ScoredLabel> top = TopK.of(new float[] {Float.NEGATIVE_INFINITY, 0, 0, 0, 0}, 0, L, 5);
        assertThat(top.get(4).index()).isZero();
        assertThat(top.get(4).probability()).isZero();
    }

    @Test
    void resultsAreImmutable() {
        List<ScoredLabel> top = TopK.of(new float[] {1, 2, 3, 4, 5}, 0, L, 2);
        assertThatThrownBy(() -> top.add(new ScoredLabel(0, "a", 0f))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void softmaxSumsToOne() {
        float[] p = new float[5];
        TopK.softmax(new float[] {1, 2, 3, 4, 5}, 0, 5, p, 0);
        double s = 0;
        for (float v : p) {
            s += v;
        }
        assertThat(s).isCloseTo(1.0, within(1e-6));
        assertThat(p[4]).isGreaterThan(p[3]);
    }
}
