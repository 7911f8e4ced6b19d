package dev.tagstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tagstream.batch.BatchTensor;
import dev.tagstream.config.Settings;
import dev.tagstream.config.SettingsLoader;
import dev.tagstream.image.PreprocessSpec;
import dev.tagstream.model.Classifier;
import dev.tagstream.ops.Pipeline;
import dev.tagstream.topology.PipelineListener;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limits that keep one processor inside Kafka's: the bounded preprocessing queue pushes back on the stream
 * thread (CallerRunsPolicy on an ArrayBlockingQueue, built by {@link Pipeline} from settings), and the figures that
 * bound the time between two polls, measured on this machine: preprocessing per image and inference per image at
 * batch 1 and 16 for the resnet18 and resnet50 stand-ins. Writes target/reliability/limits.txt.
 */
@Tag("reliability")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class LimitsReliabilityIT {
    private static final int QUEUE = 4;
    private static final int TASKS = 48;

    private static byte[] sample(String name) throws Exception {
        try (InputStream in = LimitsReliabilityIT.class.getResourceAsStream("/samples/" + name)) {
            return in.readAllBytes();
        }
    }

    private static Settings settings(Path dir, String model, int intraOp) throws Exception {
        return SettingsLoader.load(null, Map.of(), List.of(
                "schema.registry.url=mock://limits",
                "tagstream.models.dir=" + dir.resolve("models"),
                "tagstream.models.catalog=" + dir.resolve("models.yaml"),
                "tagstream.model.default=" + model,
                "tagstream.models.providers=cpu",
                "tagstream.models.intra-op-threads=" + intraOp,
                "tagstream.preprocess.threads=1",
                "tagstream.preprocess.queue-capacity=" + QUEUE,
                "tagstream.batch.max-size=16"));
    }

    @Test
    void shouldPushBackOnTheSubmitterWhenThePreprocessingQueueIsFullAndRecordTheTimingsThatBoundPolls()
            throws Exception {
        StringBuilder report = new StringBuilder("scenario=limits\n");
        Path out = ReliabilityEnv.outDir();
        byte[] photo = sample("phone-portrait.jpg");
        for (String arch : List.of("resnet18", "resnet50")) {
            try (ReliabilityEnv env = new ReliabilityEnv(arch, 1)) {
                for (int intraOp : List.of(1, 0)) {
                    try (Pipeline pipeline = Pipeline.create(settings(env.dir, env.model, intraOp),
                            PipelineListener.Factory.NONE)) {
                        pipeline.warmUpDefault();
                        if (arch.equals("resnet18") && intraOp == 1) {
                            backpressure(pipeline, photo, report);
                        }
                        inference(pipeline, env.model, intraOp, photo, report);
                    }
                }
            }
        }
        Files.writeString(out.resolve("limits.txt"), report.toString());
        System.out.println(report);
    }

    /** What ClassifyProcessor does on arrival: one preprocessing task per record into the batch tensor. */
    private static void backpressure(Pipeline pipeline, byte[] photo, StringBuilder report) throws Exception {
        ThreadPoolExecutor pool = (ThreadPoolExecutor) pipeline.services().preprocessPool();
        PreprocessSpec spec = PreprocessSpec.IMAGENET;
        BatchTensor tensor = new BatchTensor(spec.floatsPerImage(), TASKS);
        Thread submitter = Thread.currentThread();
        List<CompletableFuture<Boolean>> futures = new ArrayList<>();
        int maxQueued = 0;
        long start = System.nanoTime();
        for (int i = 0; i < TASKS; i++) {
            int slot = i;
            futures.add(CompletableFuture.supplyAsync(() -> {
                try {
                    pipeline.services().preprocessor().preprocess(photo, spec, tensor.buffer(), slot);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return Thread.currentThread() == submitter;
            }, pool));
            maxQueued = Math.max(maxQueued, pool.getQueue().size());
        }
        double submitMs = (System.nanoTime() - start) / 1e6;
        long onCaller = futures.stream().map(CompletableFuture::join).filter(b -> b).count();
        double allMs = (System.nanoTime() - start) / 1e6;
        report.append(String.format("backpressure: %d preprocessing tasks (phone-portrait.jpg), 1 worker, queue %d: "
                        + "max queued %d, run by the submitting thread %d, submitting took %.0f ms of %.0f ms total%n",
                TASKS, QUEUE, maxQueued, onCaller, submitMs, allMs));
        assertThat(maxQueued).as("the queue never holds more than its capacity").isLessThanOrEqualTo(QUEUE);
        assertThat(onCaller).as("a full queue makes the submitter (the stream thread) do the work itself")
                .isPositive();
        assertThat(pool.getQueue().remainingCapacity() + pool.getQueue().size()).isEqualTo(QUEUE);
    }

    private static void inference(Pipeline pipeline, String model, int intraOp, byte[] photo, StringBuilder report)
            throws Exception {
        Classifier c = pipeline.models().get(model);
        PreprocessSpec spec = c.info().input();
        int max = 16;
        BatchTensor tensor = new BatchTensor(spec.floatsPerImage(), max);
        long t0 = System.nanoTime();
        for (int i = 0; i < max; i++) {
            pipeline.services().preprocessor().preprocess(photo, spec, tensor.buffer(), i);
        }
        double preMs = (System.nanoTime() - t0) / 1e6 / max;
        float[] logits = new float[max * c.info().numClasses()];
        StringBuilder line = new StringBuilder(String.format("%s intra-op-threads=%s: preprocess %.1f ms/image",
                model, intraOp == 0 ? "0 (one per core)" : intraOp, preMs));
        for (int n : new int[] {1, 16}) {
            double[] ms = new double[3];
            c.logits(tensor.buffer(), n, logits); // warm-up for this size
            for (int r = 0; r < ms.length; r++) {
                long s = System.nanoTime();
                c.logits(tensor.buffer(), n, logits);
                ms[r] = (System.nanoTime() - s) / 1e6;
            }
            Arrays.sort(ms);
            line.append(String.format(", batch %d: median %.0f ms (%.1f ms/image), worst %.0f ms", n, ms[1],
                    ms[1] / n, ms[2]));
        }
        report.append(line).append('\n');
    }
}
