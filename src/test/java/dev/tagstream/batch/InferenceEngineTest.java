package dev.tagstream.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tagstream.testing.ScriptedModels;
import java.nio.FloatBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InferenceEngineTest {
    private static final int FPI = ScriptedModels.SPEC.floatsPerImage();

    /** A batch tensor whose slot i holds the scripted image value[i]. */
    private static FloatBuffer tensor(float... values) {
        BatchTensor t = new BatchTensor(FPI, values.length);
        for (int i = 0; i < values.length; i++) {
            for (int j = 0; j < FPI; j++) {
                t.buffer().put(i * FPI + j, values[i]);
            }
        }
        return t.buffer();
    }

    private static int argmax(RunResult r, int image) {
        int best = 0;
        for (int c = 1; c < 10; c++) {
            if (r.logits()[image * 10 + c] > r.logits()[image * 10 + best]) {
                best = c;
            }
        }
        return best;
    }

    @Test
    void shouldMergeBatchesSubmittedTogetherIntoOneRunAndSplitTheResultsBack() throws Exception {
        ScriptedModels.ScriptedClassifier model = new ScriptedModels.ScriptedClassifier("m", true);
        try (InferenceEngine engine = new InferenceEngine(TimeUnit.SECONDS.toMicros(2))) {
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<RunResult> a = CompletableFuture.supplyAsync(() -> {
                await(go);
                return engine.submit(model, tensor(1, 2, 3), new int[] {0, 1, 2}).join();
            });
            CompletableFuture<RunResult> b = CompletableFuture.supplyAsync(() -> {
                await(go);
                return engine.submit(model, tensor(7, 8), new int[] {0, 1}).join();
            });
            go.countDown();
            RunResult ra = a.get(10, TimeUnit.SECONDS);
            RunResult rb = b.get(10, TimeUnit.SECONDS);

            assertThat(model.runSizes).containsExactly(5);
            assertThat(ra.runSize()).isEqualTo(5);
            assertThat(rb.runSize()).isEqualTo(5);
            assertThat(new int[] {argmax(ra, 0), argmax(ra, 1), argmax(ra, 2)}).containsExactly(1, 2, 3);
            assertThat(new int[] {argmax(rb, 0), argmax(rb, 1)}).containsExactly(7, 8);
        }
    }

    @Test
    void shouldRunOnlyTheRequestedSlotsInTheirOrder() throws Exception {
        ScriptedModels.ScriptedClassifier model = new ScriptedModels.ScriptedClassifier("m", true);
        try (InferenceEngine engine = new InferenceEngine(0)) {
            RunResult r = engine.submit(model, tensor(4, 5, 6, 9), new int[] {3, 1}).get(10, TimeUnit.SECONDS);
            assertThat(model.runSizes).containsExactly(2);
            assertThat(new int[] {argmax(r, 0), argmax(r, 1)}).containsExactly(9, 5);
        }
    }

    @Test
    void shouldIsolateAPoisonedImageByRetryingInHalves() throws Exception {
        ScriptedModels.ScriptedClassifier model = new ScriptedModels.ScriptedClassifier("m", true);
        try (InferenceEngine engine = new InferenceEngine(0)) {
            float[] values = {1, 2, 3, 4, 5, ScriptedModels.POISON, 7, 8};
            int[] slots = {0, 1, 2, 3, 4, 5, 6, 7};
            RunResult r = engine.submit(model, tensor(values), slots).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < values.length; i++) {
                if (i == 5) {
                    assertThat(r.failed(i)).isTrue();
                    assertThat(r.failures()[i]).contains("poison");
                } else {
                    assertThat(r.failed(i)).as("image %d", i).isFalse();
                    assertThat(argmax(r, i)).isEqualTo((int) values[i]);
                }
            }
            assertThat(model.runSizes).as("8, then halves down to the poisoned one").startsWith(8);
        }
    }

    @Test
    void shouldFailTheBatchNotItsImagesWhenClosedMidRun() throws Exception {
        ScriptedModels.ScriptedClassifier model = new ScriptedModels.ScriptedClassifier("m", true);
        model.holdRuns();
        InferenceEngine engine = new InferenceEngine(0);
        CompletableFuture<RunResult> pending = engine.submit(model, tensor(1, 2), new int[] {0, 1});
        while (model.runsEntered.get() == 0) {
            Thread.onSpinWait();
        }
        engine.close();
        assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> engine.submit(model, tensor(1), new int[] {0}).join())
                .hasMessageContaining("closed");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
