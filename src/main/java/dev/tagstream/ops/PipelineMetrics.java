package dev.tagstream.ops;

import dev.tagstream.batch.DrainControl;
import dev.tagstream.topology.DeadLetterReason;
import dev.tagstream.topology.PipelineListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline's own metrics: records in, predicted and dead-lettered (by model and reason), run sizes, queue,
 * preprocess, inference and end-to-end latency per model, and records pending in batches. Meters are looked up once
 * per model and cached, so the per-record cost is a map lookup and an atomic add.
 */
public final class PipelineMetrics implements PipelineListener {
    private static final Duration[] SLOS = {Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final Counter received;
    private final Map<String, PerModel> perModel = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();

    public PipelineMetrics(MeterRegistry registry, DrainControl drain) {
        this.registry = registry;
        this.received = Counter.builder("tagstream.records.received").description("Input records read")
                .register(registry);
        Gauge.builder("tagstream.records.pending", drain, DrainControl::pending)
                .description("Records held in pending batches").register(registry);
    }

    private record PerModel(Counter predicted, DistributionSummary runSize, DistributionSummary drained, Timer queue,
            Timer preprocess, Timer inference, Timer endToEnd) {}

    private PerModel model(String model) {
        return perModel.computeIfAbsent(model, m -> new PerModel(
                Counter.builder("tagstream.records.predicted").tag("model", m).register(registry),
                DistributionSummary.builder("tagstream.batch.size").description("Images per session run")
                        .tag("model", m).serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry),
                DistributionSummary.builder("tagstream.batch.drained").description("Records per task drain")
                        .tag("model", m).serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry),
                timer("tagstream.queue", "Arrival to start of inference", m),
                timer("tagstream.preprocess", "Decode, resize, crop, normalize", m),
                timer("tagstream.inference", "Session run", m),
                timer("tagstream.end.to.end", "Event time to prediction", m)));
    }

    private Timer timer(String name, String description, String model) {
        return Timer.builder(name).description(description).tag("model", model).serviceLevelObjectives(SLOS)
                .register(registry);
    }

    @Override
    public void received() {
        received.increment();
    }

    @Override
    public void predicted(String model, int runSize, double queueMs, double preprocessMs, double inferenceMs,
            long eventTimeMs, long nowMs) {
        PerModel m = model(model);
        m.predicted.increment();
        m.runSize.record(runSize);
        m.queue.record((long) (queueMs * 1e6), TimeUnit.NANOSECONDS);
        m.preprocess.record((long) (preprocessMs * 1e6), TimeUnit.NANOSECONDS);
        m.inference.record((long) (inferenceMs * 1e6), TimeUnit.NANOSECONDS);
        m.endToEnd.record(Math.max(0, nowMs - eventTimeMs), TimeUnit.MILLISECONDS);
    }

    @Override
    public void batchDrained(String model, int size) {
        model(model).drained.record(size);
    }

    @Override
    public void deadLettered(DeadLetterReason reason, String model) {
        String m = model == null ? "none" : model;
        deadLetters.computeIfAbsent(reason.name() + "/" + m, k -> Counter.builder("tagstream.records.dead.lettered")
                .tag("reason", reason.name()).tag("model", m).register(registry)).increment();
    }
}
