package dev.tagstream.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PendingRecordCodecTest {
    @Test
    void shouldRoundTripEveryFieldIncludingNullKeyAndNullHeaderValue() {
        PendingRecord r = new PendingRecord("images", 3, 12_345L, 1_700_000_000_000L, 42L, "resnet50_swsl", null,
                new byte[] {0, 1, 2, (byte) 0xff}, List.of(new PendingRecord.Header("trace", new byte[] {9}),
                        new PendingRecord.Header("empty", null)));

        PendingRecord back = PendingRecordCodec.decode(PendingRecordCodec.encode(r));

        assertThat(back.topic()).isEqualTo("images");
        assertThat(back.partition()).isEqualTo(3);
        assertThat(back.offset()).isEqualTo(12_345L);
        assertThat(back.timestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(back.arrivalMs()).isEqualTo(42L);
        assertThat(back.model()).isEqualTo("resnet50_swsl");
        assertThat(back.key()).isNull();
        assertThat(back.value()).containsExactly(0, 1, 2, 0xff);
        assertThat(back.headers()).hasSize(2);
        assertThat(back.headers().get(0).key()).isEqualTo("trace");
        assertThat(back.headers().get(0).value()).containsExactly(9);
        assertThat(back.headers().get(1).value()).isNull();
    }

    @Test
    void shouldOrderStoreKeysByOffsetSoIterationFollowsArrival() {
        byte[] a = PendingRecordCodec.storeKey(0, 9);
        byte[] b = PendingRecordCodec.storeKey(0, 10);
        byte[] c = PendingRecordCodec.storeKey(0, 300);
        assertThat(Arrays.compareUnsigned(a, b)).isNegative();
        assertThat(Arrays.compareUnsigned(b, c)).isNegative();
    }

    @Test
    void shouldRefuseBytesItDidNotWrite() {
        assertThatThrownBy(() -> PendingRecordCodec.decode(new byte[] {7, 0, 0}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown version 7");
        byte[] cut = Arrays.copyOf(PendingRecordCodec.encode(new PendingRecord("t", 0, 1, 2, 3, "m", new byte[4],
                new byte[100], List.of())), 30);
        assertThatThrownBy(() -> PendingRecordCodec.decode(cut)).hasMessageContaining("corrupt pending record");
    }
}
