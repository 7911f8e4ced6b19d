package dev.tagstream.batch;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shared by every task of the process: how many records are pending in batches, and whether a shutdown has asked
 * for them to be drained now instead of when their batch is full or old. Thread-safe.
 */
public final class DrainControl {
    private final AtomicBoolean drainRequested = new AtomicBoolean();
    private final AtomicLong pending = new AtomicLong();

    /** From now on, every task drains whatever it holds at its next wall-clock punctuation. */
    public void requestDrain() {
        drainRequested.set(true);
    }

    public boolean drainRequested() {
        return drainRequested.get();
    }

    public void pendingChanged(long delta) {
        pending.addAndGet(delta);
    }

    /** Records held in pending batches across the process's tasks. */
    public long pending() {
        return pending.get();
    }
}
