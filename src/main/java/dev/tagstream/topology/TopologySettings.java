package dev.tagstream.topology;

import dev.tagstream.config.Settings;

/** What the topology needs from the configuration; immutable. */
public record TopologySettings(
        String inputTopic,
        String outputTopic,
        String dlqTopic,
        String modelHeader,
        String defaultModel,
        int batchMaxSize,
        long batchMaxDelayMs,
        int topK) {

    public static final String PENDING_STORE = "pending-batches";

    public static TopologySettings from(Settings s) {
        return new TopologySettings(s.inputTopic(), s.outputTopic(), s.dlqTopic(), s.modelHeader(), s.defaultModel(),
                s.batchMaxSize(), s.batchMaxDelayMs(), s.topK());
    }

    /** How often the wall-clock punctuator checks batch ages: often enough to keep the delay, at most 100 ms. */
    public long punctuateIntervalMs() {
        return Math.max(1, Math.min(100, batchMaxDelayMs / 5));
    }
}
