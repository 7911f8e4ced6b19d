package dev.tagstream.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured pipeline configuration. {@code offeredPerSecond} is 0 for a saturating (full-speed) run. Latencies in
 * ms: {@code e2e*} from the event time to the prediction's {@code predicted_at}, {@code reader*} to when the
 * benchmark's reader saw it. {@code predicted_at} is the stream thread's cached clock, which does not advance
 * during a blocking inference, so {@code e2e*} can be too small; {@code reader*} is the honest figure (it adds the
 * output producer's linger and the reader's fetch wait). {@code meanRunSize} is the mean images per session run (from the predictions'
 * {@code batch_size}: predictions / sum of 1/batch_size), {@code meanDrained} the processor's mean per-task drain.
 */
record PipelinePoint(String label, int maxSize, long maxDelayMs, double offeredPerSecond, double seconds,
        long predictedInWindow, double recordsPerSecond, double e2eP50, double e2eP95, double e2eP99,
        double readerP50, double readerP95, double readerP99, double meanRunSize, double meanDrained, double changelogBytesPerInput,
        double changelogRecordsPerInput, double inputBytesPerRecord, double cpuCoresUsed, double cpuLoad,
        long unanswered, long deadLetters) {

    boolean saturating() {
        return offeredPerSecond == 0;
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", label);
        m.put("batch_max_size", maxSize);
        m.put("batch_max_delay_ms", maxDelayMs);
        m.put("offered_per_s", saturating() ? "saturating" : offeredPerSecond);
        m.put("seconds", seconds);
        m.put("predicted_in_window", predictedInWindow);
        m.put("records_per_s", recordsPerSecond);
        m.put("e2e_ms_p50", e2eP50);
        m.put("e2e_ms_p95", e2eP95);
        m.put("e2e_ms_p99", e2eP99);
        m.put("reader_ms_p50", readerP50);
        m.put("reader_ms_p95", readerP95);
        m.put("reader_ms_p99", readerP99);
        m.put("mean_run_size", meanRunSize);
        m.put("mean_task_drain_size", meanDrained);
        m.put("changelog_bytes_per_input", changelogBytesPerInput);
        m.put("changelog_records_per_input", changelogRecordsPerInput);
        m.put("input_bytes_per_record", inputBytesPerRecord);
        m.put("process_cpu_cores_used", cpuCoresUsed);
        m.put("process_cpu_load", cpuLoad);
        m.put("unanswered_after_drain", unanswered);
        m.put("dead_letters", deadLetters);
        return m;
    }
}
