package dev.tagstream.bench;

import dev.tagstream.topology.DeadLetterReason;
import dev.tagstream.topology.PipelineListener;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what the processor itself sees: records received (whole run) and, while {@link #measuring} is set, the
 * sizes of the pending batches it drains per task. Thread-safe, allocation-free.
 */
final class BenchListener implements PipelineListener {
    final AtomicLong received = new AtomicLong();
    final AtomicLong deadLettered = new AtomicLong();
    final AtomicLong drains = new AtomicLong();
    final AtomicLong drainedRecords = new AtomicLong();
    volatile boolean measuring;

    @Override
    public void received() {
        received.incrementAndGet();
    }

    @Override
    public void batchDrained(String model, int size) {
        if (measuring) {
            drains.incrementAndGet();
            drainedRecords.addAndGet(size);
        }
    }

    @Override
    public void deadLettered(DeadLetterReason reason, String model) {
        deadLettered.incrementAndGet();
    }

    double meanDrained() {
        long d = drains.get();
        return d == 0 ? Double.NaN : drainedRecords.get() / (double) d;
    }
}
