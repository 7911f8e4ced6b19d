package dev.tagstream.bench;

import dev.tagstream.avro.Prediction;
import dev.tagstream.serde.PredictionSerde;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the predictions (and counts the dead letters) of one run on its own thread, keeping per prediction: event
 * time, predicted-at time, the time this reader saw it, and the session run size ({@code batch_size}).
 */
final class OutcomeReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final PredictionSerde serde = new PredictionSerde();
    private final String output;
    private final Thread thread;
    private volatile boolean stop;
    private long[] eventMs = new long[4096];
    private long[] predictedMs = new long[4096];
    private long[] seenMs = new long[4096];
    private int[] runSize = new int[4096];
    private int count;
    private long deadLetters;
    private volatile Throwable failure;

    OutcomeReader(String bootstrap, Map<String, String> serdeConfig, String output, String dlq, int maxRecordBytes) {
        this.output = output;
        serde.configure(serdeConfig, false);
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(maxRecordBytes));
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(output, dlq));
        thread = new Thread(this::loop, "bench-reader");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (!stop) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    if (r.topic().equals(output)) {
                        Prediction p = serde.deserializer().deserialize(r.topic(), r.value());
                        add(p.getEventTime().toEpochMilli(), p.getPredictedAt().toEpochMilli(), now,
                                p.getBatchSize());
                    } else {
                        synchronized (this) {
                            deadLetters++;
                        }
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private synchronized void add(long event, long predicted, long seen, int size) {
        if (count == eventMs.length) {
            int n = count * 2;
            eventMs = Arrays.copyOf(eventMs, n);
            predictedMs = Arrays.copyOf(predictedMs, n);
            seenMs = Arrays.copyOf(seenMs, n);
            runSize = Arrays.copyOf(runSize, n);
        }
        eventMs[count] = event;
        predictedMs[count] = predicted;
        seenMs[count] = seen;
        runSize[count] = size;
        count++;
    }

    synchronized int outcomes() {
        return count + (int) deadLetters;
    }

    synchronized long deadLetters() {
        return deadLetters;
    }

    Throwable failure() {
        return failure;
    }

    /** A copy of what has been read so far. */
    synchronized Snapshot snapshot() {
        return new Snapshot(Arrays.copyOf(eventMs, count), Arrays.copyOf(predictedMs, count),
                Arrays.copyOf(seenMs, count), Arrays.copyOf(runSize, count));
    }

    /** Predictions read, as parallel arrays. */
    record Snapshot(long[] eventMs, long[] predictedMs, long[] seenMs, int[] runSize) {}

    @Override
    public void close() {
        stop = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(5));
        serde.close();
    }
}
