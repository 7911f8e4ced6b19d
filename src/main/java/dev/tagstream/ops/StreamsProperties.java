package dev.tagstream.ops;

import dev.tagstream.config.Settings;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams configuration for a {@link Settings}: the user's properties, plus what images need. */
public final class StreamsProperties {
    /** Headroom over an image's bytes for the event's other fields, headers and the DLQ's error headers. */
    static final int RECORD_OVERHEAD_BYTES = 1 << 20;

    private StreamsProperties() {}

    /**
     * The user's Kafka properties win; where they are silent, producer and consumer limits are raised so that a
     * record carrying an image of {@code tagstream.image.max-bytes} can be read, buffered in the changelog and
     * dead-lettered (Kafka's 1 MB defaults would refuse a phone photo).
     */
    public static Properties of(Settings settings) {
        Properties p = new Properties();
        int recordBytes = maxRecordBytes(settings);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), String.valueOf(recordBytes));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), String.valueOf(recordBytes));
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG),
                String.valueOf(Math.max(recordBytes, 52_428_800)));
        // A batch is at most batch.max-size records: fetching far more per poll only lengthens the time between
        // polls without making batches larger.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG),
                String.valueOf(Math.max(settings.batchMaxSize() * 4, 32)));
        // Kafka Streams' defaults (an idle poll of 100 ms before punctuators run, a producer lingering 100 ms) add up
        // to 200 ms to every prediction, more than the batch delay itself: keep both below the batch delay.
        p.put(StreamsConfig.POLL_MS_CONFIG, String.valueOf(Math.max(5, Math.min(100, settings.batchMaxDelayMs() / 4))));
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "5");
        // No global stores here; enabling it only silences a deprecation warning at every start.
        p.put("processing.exception.handler.global.enabled", "true");
        for (Map.Entry<String, String> e : settings.kafkaProperties().entrySet()) {
            p.put(e.getKey(), e.getValue());
        }
        return p;
    }

    /** Largest record this service must produce or consume. */
    public static int maxRecordBytes(Settings settings) {
        long bytes = (long) settings.imageMaxBytes() + RECORD_OVERHEAD_BYTES;
        return (int) Math.min(Integer.MAX_VALUE - 1, bytes);
    }
}
