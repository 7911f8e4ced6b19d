package dev.tagstream.bench;

import dev.tagstream.avro.ImageEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Publishes image events on its own thread, round-robin over the input partitions, either at full speed (bounded by
 * a cap on records produced but not yet answered, so the backlog, and the disk, stay bounded while the processor
 * is never starved) or open-loop at a fixed rate. The event time is the intended send time, so a producer that
 * falls behind does not hide latency (no coordinated omission). Per record the loop allocates only the id string,
 * the key bytes, the serialized value and the {@link ProducerRecord}: the event object and the image buffers are
 * reused.
 */
final class LoadProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final Serializer<ImageEvent> serializer;
    private final String topic;
    private final int partitions;
    private final ByteBuffer[] images;
    private final Thread thread;
    private final double rate;
    private final int inFlightCap;
    private final IntSupplier answered;
    private volatile boolean stop;
    private volatile long sent;
    private volatile Throwable failure;

    /**
     * @param rate records per second, or 0 for full speed with at most {@code inFlightCap} unanswered records
     */
    LoadProducer(String bootstrap, Serializer<ImageEvent> serializer, String topic, int partitions, byte[][] jpegs,
            int maxRecordBytes, double rate, int inFlightCap, IntSupplier answered) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(maxRecordBytes));
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.serializer = serializer;
        this.topic = topic;
        this.partitions = partitions;
        this.images = new ByteBuffer[jpegs.length];
        for (int i = 0; i < jpegs.length; i++) {
            images[i] = ByteBuffer.wrap(jpegs[i]);
        }
        this.rate = rate;
        this.inFlightCap = inFlightCap;
        this.answered = answered;
        thread = new Thread(this::loop, "bench-producer");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        ImageEvent event = ImageEvent.newBuilder().setId("").setImage(images[0]).setEventTime(Instant.EPOCH)
                .setContentType("image/jpeg").setSource("bench").setAttributes(Map.of()).build();
        long start = System.currentTimeMillis();
        long startNanos = System.nanoTime();
        long n = 0;
        try {
            while (!stop) {
                long eventMs;
                if (rate > 0) {
                    long due = startNanos + (long) (n * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                        continue; // re-check stop and the clock
                    }
                    eventMs = start + (long) (n * 1000 / rate);
                } else {
                    if (n - answered.getAsInt() >= inFlightCap) {
                        LockSupport.parkNanos(2_000_000);
                        continue;
                    }
                    eventMs = System.currentTimeMillis();
                }
                String id = Long.toString(n);
                ByteBuffer image = images[(int) (n % images.length)];
                image.rewind();
                event.setId(id);
                event.setImage(image);
                event.setEventTime(Instant.ofEpochMilli(eventMs));
                byte[] value = serializer.serialize(topic, event);
                producer.send(new ProducerRecord<>(topic, (int) (n % partitions), eventMs,
                        id.getBytes(StandardCharsets.UTF_8), value));
                n++;
                sent = n;
            }
            producer.flush();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    long sent() {
        return sent;
    }

    Throwable failure() {
        return failure;
    }

    /** Stops sending; records already handed to the client are flushed. */
    void stopSending() {
        stop = true;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopSending();
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
