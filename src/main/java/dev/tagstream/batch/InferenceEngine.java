package dev.tagstream.batch;

import dev.tagstream.model.Classifier;
import dev.tagstream.model.InferenceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs batches for every stream thread of the process, one worker thread per model. Batches submitted for the same
 * model while its worker is busy (or within {@code mergeWaitMicros} of each other) are merged into one session run
 * of at most {@link Classifier#maxBatch()} images and split back, as Triton's dynamic batcher does; so a GPU sees
 * large runs even when each task's share is small. A batch never waits for partners longer than the merge wait.
 *
 * <p>A session run that throws is retried split in halves, recursively, so one poisoned input fails alone and its
 * batch-mates are still classified.
 *
 * <p>The queue of each model is unbounded in type but bounded in fact: every submitter (a stream thread) waits for
 * its result before submitting again, so it never holds more than one batch per stream thread.
 */
public final class InferenceEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceEngine.class);

    private final long mergeWaitMicros;
    private final Map<String, Worker> workers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public InferenceEngine(long mergeWaitMicros) {
        if (mergeWaitMicros < 0) {
            throw new IllegalArgumentException("merge wait must be >= 0, got " + mergeWaitMicros);
        }
        this.mergeWaitMicros = mergeWaitMicros;
    }

    /**
     * Classifies the images in {@code slots} of {@code images} (slot {@code s} starts at absolute float index
     * {@code s * floatsPerImage}). The caller must not write to those slots until the future completes. The future
     * never completes exceptionally for a failing session run (failures are per image in the result), only when the
     * engine is closed.
     */
    public CompletableFuture<RunResult> submit(Classifier model, FloatBuffer images, int[] slots) {
        if (closed) {
            return CompletableFuture.failedFuture(new InferenceException("inference engine is closed"));
        }
        if (slots.length == 0) {
            return CompletableFuture.completedFuture(new RunResult(new float[0], new String[0], 0, 0));
        }
        Request request = new Request(model, images, slots.clone(), new CompletableFuture<>());
        workers.computeIfAbsent(model.info().name(), Worker::new).queue.add(request);
        if (closed) {
            request.future.completeExceptionally(new InferenceException("inference engine is closed"));
        }
        return request.future;
    }

    @Override
    public void close() {
        closed = true;
        workers.values().forEach(Worker::stop);
        workers.clear();
    }

    /** Unwinds a run interrupted by {@link #close()}. */
    private static final class EngineClosedException extends RuntimeException {
        EngineClosedException(Throwable cause) {
            super(cause);
        }
    }

    private record Request(Classifier model, FloatBuffer images, int[] slots, CompletableFuture<RunResult> future) {}

    private final class Worker implements Runnable {
        private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
        private final Deque<Request> carry = new ArrayDeque<>();
        private final Thread thread;
        private FloatBuffer runTensor;
        private float[] runLogits;

        Worker(String model) {
            thread = new Thread(this, "inference-" + model);
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            failAll(new InferenceException("inference engine closed before the batch ran"));
        }

        private void failAll(InferenceException e) {
            carry.forEach(r -> r.future.completeExceptionally(e));
            carry.clear();
            Request r;
            while ((r = queue.poll()) != null) {
                r.future.completeExceptionally(e);
            }
        }

        @Override
        public void run() {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    List<Request> group = nextGroup();
                    if (!group.isEmpty()) {
                        runGroup(group);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The next requests to run together: same classifier instance, at most its max batch in total. */
        private List<Request> nextGroup() throws InterruptedException {
            Request first = carry.isEmpty() ? queue.take() : carry.poll();
            List<Request> group = new ArrayList<>();
            group.add(first);
            int total = first.slots.length;
            int max = first.model.maxBatch();
            long deadline = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(mergeWaitMicros);
            while (total < max) {
                Request next = carry.isEmpty() ? null : carry.peek();
                if (next != null) {
                    carry.poll();
                } else {
                    long waitNanos = deadline - System.nanoTime();
                    next = waitNanos > 0 ? queue.poll(waitNanos, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                }
                if (next.model != first.model || total + next.slots.length > max) {
                    carry.addFirst(next);
                    break;
                }
                group.add(next);
                total += next.slots.length;
            }
            return group;
        }

        private void runGroup(List<Request> group) {
            Classifier model = group.get(0).model;
            int fpi = model.info().input().floatsPerImage();
            int classes = model.info().numClasses();
            int total = 0;
            for (Request r : group) {
                total += r.slots.length;
            }
            try {
                FloatBuffer input;
                if (group.size() == 1 && isPrefix(group.get(0).slots)) {
                    input = group.get(0).images;
                } else {
                    input = runTensor(total * fpi);
                    int dst = 0;
                    for (Request r : group) {
                        for (int slot : r.slots) {
                            input.put(dst, r.images, slot * fpi, fpi);
                            dst += fpi;
                        }
                    }
                }
                float[] logits = runLogits(total * classes);
                String[] failures = new String[total];
                long start = System.nanoTime();
                runIsolating(model, input, 0, total, fpi, classes, logits, failures);
                double ms = (System.nanoTime() - start) / 1e6;
                int offset = 0;
                for (Request r : group) {
                    int n = r.slots.length;
                    float[] mine = new float[n * classes];
                    System.arraycopy(logits, offset * classes, mine, 0, n * classes);
                    String[] myFailures = new String[n];
                    System.arraycopy(failures, offset, myFailures, 0, n);
                    r.future.complete(new RunResult(mine, myFailures, total, ms));
                    offset += n;
                }
            } catch (EngineClosedException e) {
                InferenceException failure = new InferenceException("inference engine closed while the batch ran",
                        e.getCause());
                group.forEach(r -> r.future.completeExceptionally(failure));
            } catch (RuntimeException | Error e) {
                LOG.error("inference worker for {} failed unexpectedly", model.info().name(), e);
                InferenceException failure = new InferenceException("inference worker failed: " + e, e);
                group.forEach(r -> r.future.completeExceptionally(failure));
            }
        }

        /** Runs images [from, from+n) of input; on failure retries each half, so a bad image fails alone. */
        private void runIsolating(Classifier model, FloatBuffer input, int from, int n, int fpi, int classes,
                float[] logits, String[] failures) {
            FloatBuffer view = from == 0 ? input : input.slice(from * fpi, n * fpi);
            float[] out = from == 0 && n * classes <= logits.length ? logits : new float[n * classes];
            try {
                model.logits(view, n, out);
                if (out != logits) {
                    System.arraycopy(out, 0, logits, from * classes, n * classes);
                }
            } catch (InferenceException | RuntimeException e) {
                if (closed || Thread.currentThread().isInterrupted()) {
                    // Shutting down is no fault of the images: fail the batch, do not dead-letter its records.
                    throw new EngineClosedException(e);
                }
                if (n == 1) {
                    failures[from] = e.getMessage() == null ? e.toString() : e.getMessage();
                    return;
                }
                if (from == 0) {
                    LOG.warn("session run of {} images for {} failed ({}); retrying in halves", n,
                            model.info().name(), e.getMessage());
                }
                int half = n / 2;
                runIsolating(model, input, from, half, fpi, classes, logits, failures);
                runIsolating(model, input, from + half, n - half, fpi, classes, logits, failures);
            }
        }

        private boolean isPrefix(int[] slots) {
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] != i) {
                    return false;
                }
            }
            return true;
        }

        private FloatBuffer runTensor(int floats) {
            if (runTensor == null || runTensor.capacity() < floats) {
                runTensor = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            }
            return runTensor;
        }

        private float[] runLogits(int floats) {
            if (runLogits == null || runLogits.length < floats) {
                runLogits = new float[floats];
            }
            return runLogits;
        }
    }
}
