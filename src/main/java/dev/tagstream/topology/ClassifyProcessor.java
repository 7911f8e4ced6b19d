package dev.tagstream.topology;

import dev.tagstream.avro.ImageEvent;
import dev.tagstream.batch.BatchTensor;
import dev.tagstream.batch.PendingRecord;
import dev.tagstream.batch.PendingRecordCodec;
import dev.tagstream.batch.RunResult;
import dev.tagstream.image.ImageException;
import dev.tagstream.image.PreprocessSpec;
import dev.tagstream.model.Classifier;
import dev.tagstream.model.ModelUnavailableException;
import dev.tagstream.model.UnknownModelException;
import dev.tagstream.serde.RegistryUnavailableException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes each image event to a model, holds it in the task's pending batch and, when a model's batch is full or the
 * oldest pending record has waited {@code batch.max-delay-ms}, classifies everything pending and forwards one
 * prediction or one dead letter per input, predictions in input order.
 *
 * <p>No loss: the pending batch lives in a changelogged store ({@code put} here, {@code delete} after forwarding),
 * so its writes join the same commit, or transaction, as the offsets; Kafka Streams runs no hook before it commits,
 * and a batch only in memory was measured to lose records. The in-memory part (parsed events, preprocessing
 * futures, tensors) is a cache: after a restore, {@link #init} rebuilds it from the store and preprocesses again.
 *
 * <p>Preprocessing starts on arrival in the shared bounded pool, writing into this task's per-model
 * {@link BatchTensor}; when the pool is saturated the stream thread preprocesses itself, which is the backpressure.
 * A drain runs on the stream thread and blocks on inference: {@code batch.max-size} times the per-image inference
 * time must stay well below {@code max.poll.interval.ms}.
 */
final class ClassifyProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    static final String PREDICTIONS = "predictions-sink";
    static final String DLQ = "dlq-sink";
    private static final Logger LOG = LoggerFactory.getLogger(ClassifyProcessor.class);

    private final TopologySettings settings;
    private final PipelineServices services;
    private final Map<String, ModelBatch> batches = new HashMap<>();
    private final List<Entry> pending = new ArrayList<>();
    private final java.util.Set<Bytes> pendingKeys = new java.util.HashSet<>();
    private ProcessorContext<byte[], byte[]> ctx;
    private KeyValueStore<Bytes, byte[]> store;
    private Cancellable punctuator;
    private long oldestArrivalMs = Long.MAX_VALUE;

    ClassifyProcessor(TopologySettings settings, PipelineServices services) {
        this.settings = settings;
        this.services = services;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.ctx = context;
        this.store = context.getStateStore(TopologySettings.PENDING_STORE);
        restorePending();
        punctuator = context.schedule(java.time.Duration.ofMillis(settings.punctuateIntervalMs()),
                PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        services.listener().received();
        RecordMetadata meta = ctx.recordMetadata().orElseThrow(() ->
                new IllegalStateException("record without source metadata"));
        long now = ctx.currentSystemTimeMs();
        PendingRecord source = new PendingRecord(meta.topic(), meta.partition(), meta.offset(), record.timestamp(),
                now, "", record.key(), record.value(), copy(record.headers()));
        if (record.value() == null) {
            forwardDeadLetter(source, DeadLetterReason.DESERIALIZATION, null,
                    "null value: an image event record must carry a value", null);
            return;
        }
        ImageEvent event;
        try {
            event = services.events().deserialize(meta.topic(), record.value());
        } catch (RegistryUnavailableException e) {
            throw e; // not the record's fault: fail the thread, which is replaced and reads the record again
        } catch (SerializationException e) {
            forwardDeadLetter(source, DeadLetterReason.DESERIALIZATION, null, e.getMessage(), e);
            return;
        }
        String model;
        try {
            model = route(record.headers());
        } catch (UnknownModelException e) {
            forwardDeadLetter(source, DeadLetterReason.UNKNOWN_MODEL, null, e.getMessage(), e);
            return;
        }
        Classifier classifier;
        try {
            classifier = services.models().get(model);
        } catch (ModelUnavailableException e) {
            forwardDeadLetter(source, DeadLetterReason.MODEL_UNAVAILABLE, model, e.getMessage(), e);
            return;
        }
        PendingRecord routed = new PendingRecord(source.topic(), source.partition(), source.offset(),
                source.timestamp(), now, model, source.key(), source.value(), source.headers());
        Bytes key = Bytes.wrap(PendingRecordCodec.storeKey(routed.partition(), routed.offset()));
        if (pendingKeys.contains(key)) {
            // Read again after a crash (at_least_once): its earlier arrival is already pending, restored from the
            // changelog, and gets the one outcome.
            return;
        }
        store.put(key, PendingRecordCodec.encode(routed));
        ModelBatch batch = enqueue(new Entry(routed, key, event), classifier);
        if (batch.entries.size() >= settings.batchMaxSize() || settings.batchMaxDelayMs() == 0) {
            drain();
        }
    }

    @Override
    public void close() {
        if (punctuator != null) {
            punctuator.cancel();
        }
        // Pending records stay in the store and its changelog; whoever owns the partition next drains them.
        pending.forEach(e -> {
            if (e.prep != null) {
                e.prep.cancel(false);
            }
        });
        services.drain().pendingChanged(-pending.size());
        pending.clear();
        pendingKeys.clear();
        batches.clear();
        oldestArrivalMs = Long.MAX_VALUE;
    }

    private void addPending(Entry entry) {
        pending.add(entry);
        pendingKeys.add(entry.storeKey);
        services.drain().pendingChanged(1);
    }

    private void onWallClock(long now) {
        if (!pending.isEmpty() && (now - oldestArrivalMs >= settings.batchMaxDelayMs()
                || services.drain().drainRequested())) {
            drain();
        }
    }

    /** The catalog model for a record: its header (trimmed) through aliases and allow-list, else the default. */
    private String route(Headers headers) throws UnknownModelException {
        Header header = headers.lastHeader(settings.modelHeader());
        if (header == null) {
            return services.models().resolve(settings.defaultModel());
        }
        if (header.value() == null) {
            throw new UnknownModelException("model header '" + settings.modelHeader() + "' has no value");
        }
        String requested;
        try {
            requested = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(header.value())).toString().trim();
        } catch (CharacterCodingException e) {
            throw new UnknownModelException("model header '" + settings.modelHeader() + "' is not valid UTF-8");
        }
        if (requested.isEmpty()) {
            throw new UnknownModelException("model header '" + settings.modelHeader() + "' is empty");
        }
        return services.models().resolve(requested);
    }

    /** Rebuilds the in-memory batch from the store after a restart or rebalance; drained by the next punctuation. */
    private void restorePending() {
        List<Entry> restored = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                restored.add(new Entry(PendingRecordCodec.decode(kv.value), kv.key, null));
            }
        }
        if (restored.isEmpty()) {
            return;
        }
        LOG.info("task {}: {} pending records restored from the changelog; classifying them again",
                ctx.taskId(), restored.size());
        Map<String, Integer> perModel = new HashMap<>();
        restored.forEach(e -> perModel.merge(e.record.model(), 1, Integer::sum));
        for (Entry e : restored) {
            try {
                e.event = services.events().deserialize(e.record.topic(), e.record.value());
                Classifier classifier = services.models().get(e.record.model());
                batchFor(e.record.model(), classifier.info().input(), perModel.get(e.record.model()));
                enqueue(e, classifier);
            } catch (SerializationException ex) {
                e.fail(DeadLetterReason.DESERIALIZATION, ex.getMessage(), ex);
                addPending(e);
            } catch (ModelUnavailableException ex) {
                e.fail(DeadLetterReason.MODEL_UNAVAILABLE, ex.getMessage(), ex);
                addPending(e);
            }
            oldestArrivalMs = Math.min(oldestArrivalMs, e.record.arrivalMs());
        }
    }

    private ModelBatch batchFor(String model, PreprocessSpec spec, int slots) {
        ModelBatch b = batches.computeIfAbsent(model, m -> new ModelBatch(spec, settings.batchMaxSize()));
        b.tensor.ensureSlots(slots);
        return b;
    }

    private ModelBatch enqueue(Entry entry, Classifier classifier) {
        PreprocessSpec spec = classifier.info().input();
        ModelBatch batch = batchFor(entry.record.model(), spec, 0);
        int slot = batch.entries.size();
        if (slot >= batch.tensor.slots()) {
            throw new IllegalStateException("batch of " + entry.record.model() + " is over its " + batch.tensor.slots()
                    + " slots; it should have been drained");
        }
        entry.slot = slot;
        byte[] image = bytesOf(entry.event.getImage());
        FloatBuffer tensor = batch.tensor.buffer();
        entry.prep = CompletableFuture.supplyAsync(() -> preprocess(image, spec, tensor, slot),
                services.preprocessPool());
        batch.entries.add(entry);
        addPending(entry);
        oldestArrivalMs = Math.min(oldestArrivalMs, entry.record.arrivalMs());
        return batch;
    }

    private Prep preprocess(byte[] image, PreprocessSpec spec, FloatBuffer tensor, int slot) {
        long start = System.nanoTime();
        try {
            services.preprocessor().preprocess(image, spec, tensor, slot);
            return new Prep((System.nanoTime() - start) / 1e6, null, null);
        } catch (ImageException e) {
            return new Prep((System.nanoTime() - start) / 1e6, DeadLetterReason.of(e.failure()), e);
        } catch (RuntimeException e) {
            return new Prep((System.nanoTime() - start) / 1e6, DeadLetterReason.IMAGE_UNDECODABLE, e);
        }
    }

    /** Classifies everything pending and forwards one outcome per record, then deletes them from the store. */
    private void drain() {
        if (pending.isEmpty()) {
            return;
        }
        Map<String, CompletableFuture<RunResult>> runs = new LinkedHashMap<>();
        Map<String, Classifier> classifiers = new HashMap<>();
        for (Map.Entry<String, ModelBatch> mb : batches.entrySet()) {
            String model = mb.getKey();
            ModelBatch batch = mb.getValue();
            if (batch.entries.isEmpty()) {
                continue;
            }
            int[] slots = new int[batch.entries.size()];
            int n = 0;
            for (Entry e : batch.entries) {
                Prep p = join(e.prep);
                e.preprocessMs = p.ms;
                if (p.failure != null) {
                    e.fail(p.failure, p.error.getMessage(), p.error);
                } else {
                    e.row = n;
                    slots[n++] = e.slot;
                }
            }
            if (n == 0) {
                continue;
            }
            try {
                Classifier classifier = services.models().get(model);
                classifiers.put(model, classifier);
                runs.put(model, services.engine().submit(classifier, batch.tensor.buffer(), Arrays.copyOf(slots, n)));
            } catch (ModelUnavailableException e) {
                batch.entries.forEach(en -> {
                    if (en.failure == null) {
                        en.fail(DeadLetterReason.MODEL_UNAVAILABLE, e.getMessage(), e);
                    }
                });
            }
        }
        // Timings use the real clock: ctx.currentSystemTimeMs() is the stream thread's cached time, which does not
        // move while this thread waits for preprocessing and inference (found by the pipeline benchmark).
        long inferenceStart = System.currentTimeMillis();
        Map<String, RunResult> results = new HashMap<>();
        runs.forEach((model, future) -> results.put(model, join(future)));
        long now = System.currentTimeMillis();

        List<Record<byte[], byte[]>> predictions = new ArrayList<>(pending.size());
        List<Entry> predicted = new ArrayList<>(pending.size());
        for (Entry e : pending) {
            if (e.failure != null) {
                continue;
            }
            RunResult r = results.get(e.record.model());
            if (r.failed(e.row)) {
                e.fail(DeadLetterReason.INFERENCE_FAILED, r.failures()[e.row],
                        new dev.tagstream.model.InferenceException(r.failures()[e.row]));
                continue;
            }
            Classifier c = classifiers.get(e.record.model());
            double queueMs = Math.max(0, inferenceStart - e.record.arrivalMs());
            dev.tagstream.avro.Prediction prediction;
            try {
                prediction = PredictionFactory.create(e.event, c.info(), r.logits(), e.row, settings.topK(),
                        r.runSize(), queueMs, e.preprocessMs, r.inferenceMs(), now);
            } catch (IllegalArgumentException broken) {
                e.fail(DeadLetterReason.INFERENCE_FAILED, broken.getMessage(), broken);
                continue;
            }
            byte[] value = services.predictions().serialize(settings.outputTopic(), prediction);
            predictions.add(new Record<>(e.record.key(), value, e.record.timestamp(), headersOf(e.record)));
            predicted.add(e);
            services.listener().predicted(e.record.model(), r.runSize(), queueMs, e.preprocessMs, r.inferenceMs(),
                    e.event.getEventTime().toEpochMilli(), now);
        }
        for (Record<byte[], byte[]> p : predictions) {
            ctx.forward(p, PREDICTIONS);
        }
        for (Entry e : pending) {
            if (e.failure != null) {
                forwardDeadLetter(e.record, e.failure, e.record.model(), e.failureMessage, e.failureCause);
            }
        }
        batches.forEach((model, b) -> {
            if (!b.entries.isEmpty()) {
                services.listener().batchDrained(model, b.entries.size());
            }
        });
        for (Entry e : pending) {
            store.delete(e.storeKey);
        }
        services.drain().pendingChanged(-pending.size());
        pending.clear();
        pendingKeys.clear();
        batches.values().forEach(b -> b.entries.clear());
        oldestArrivalMs = Long.MAX_VALUE;
    }

    private void forwardDeadLetter(PendingRecord source, DeadLetterReason reason, String model, String message,
            Throwable cause) {
        Throwable error = cause != null ? cause : new IllegalArgumentException(message);
        ctx.forward(DeadLetters.of(source, reason, model == null || model.isEmpty() ? null : model, message, error),
                DLQ);
        services.listener().deadLettered(reason, model);
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("batch could not complete: " + cause.getMessage(), cause);
        }
    }

    private static byte[] bytesOf(ByteBuffer image) {
        if (image.hasArray() && image.arrayOffset() == 0 && image.position() == 0
                && image.remaining() == image.array().length) {
            return image.array();
        }
        byte[] copy = new byte[image.remaining()];
        image.duplicate().get(copy);
        return copy;
    }

    private static List<PendingRecord.Header> copy(Headers headers) {
        List<PendingRecord.Header> out = new ArrayList<>();
        for (Header h : headers) {
            out.add(new PendingRecord.Header(h.key(), h.value()));
        }
        return out;
    }

    private static Headers headersOf(PendingRecord r) {
        RecordHeaders headers = new RecordHeaders();
        r.headers().forEach(h -> headers.add(h.key(), h.value()));
        return headers;
    }

    /** The per-model part of this task's pending batch. */
    private static final class ModelBatch {
        final BatchTensor tensor;
        final List<Entry> entries = new ArrayList<>();

        ModelBatch(PreprocessSpec spec, int slots) {
            this.tensor = new BatchTensor(spec.floatsPerImage(), slots);
        }
    }

    /** Outcome of preprocessing one image, computed on a worker. */
    private record Prep(double ms, DeadLetterReason failure, Exception error) {}

    /** One pending record and what is known of it so far; confined to the stream thread. */
    private static final class Entry {
        final PendingRecord record;
        final Bytes storeKey;
        ImageEvent event;
        CompletableFuture<Prep> prep;
        int slot;
        int row;
        double preprocessMs;
        DeadLetterReason failure;
        String failureMessage;
        Throwable failureCause;

        Entry(PendingRecord record, Bytes storeKey, ImageEvent event) {
            this.record = record;
            this.storeKey = storeKey;
            this.event = event;
        }

        void fail(DeadLetterReason reason, String message, Throwable cause) {
            this.failure = reason;
            this.failureMessage = message;
            this.failureCause = cause;
        }
    }
}
