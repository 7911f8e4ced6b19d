package dev.tagstream.topology;

/** Observes outcomes for metrics. Called on stream threads: implementations must be cheap and thread-safe. */
public interface PipelineListener {
    PipelineListener NONE = new PipelineListener() {};

    default void received() {}

    default void predicted(String model, int runSize, double queueMs, double preprocessMs, double inferenceMs,
            long eventTimeMs, long nowMs) {}

    default void deadLettered(DeadLetterReason reason, String model) {}

    default void batchDrained(String model, int size) {}

    /** Makes the listener once the process's drain control exists (metrics observe its pending count). */
    interface Factory {
        Factory NONE = drain -> PipelineListener.NONE;

        PipelineListener create(dev.tagstream.batch.DrainControl drain);
    }
}
