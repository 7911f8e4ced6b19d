package dev.tagstream.cli;

import dev.tagstream.config.Settings;
import dev.tagstream.ops.StreamsProperties;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain clients for the command-line tools, with the user's connection settings (security included). */
final class KafkaClients {
    /** Settings that concern Kafka Streams only and would make a plain client log warnings. */
    private static final Set<String> STREAMS_ONLY = Set.of("application.id", "processing.guarantee",
            "num.stream.threads", "state.dir", "commit.interval.ms", "schema.registry.url", "basic.auth.user.info",
            "basic.auth.credentials.source", "auto.register.schemas", "use.latest.version");

    private KafkaClients() {}

    private static Properties common(Settings settings) {
        Properties p = new Properties();
        settings.kafkaProperties().forEach((k, v) -> {
            if (!STREAMS_ONLY.contains(k) && !k.startsWith("producer.") && !k.startsWith("consumer.")
                    && !k.startsWith("main.consumer.") && !k.startsWith("restore.consumer.")
                    && !k.startsWith("admin.") && !k.startsWith("schema.registry.")) {
                p.put(k, v);
            }
        });
        return p;
    }

    static KafkaProducer<byte[], byte[]> producer(Settings settings) {
        Properties p = common(settings);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(StreamsProperties.maxRecordBytes(settings)));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static KafkaConsumer<byte[], byte[]> consumer(Settings settings, boolean fromBeginning) {
        Properties p = common(settings);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "tagstream-tail-" + UUID.randomUUID());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                String.valueOf(StreamsProperties.maxRecordBytes(settings)));
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static Properties admin(Settings settings) {
        Properties p = common(settings);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(settings.startupTimeoutMs(),
                Integer.MAX_VALUE)));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(settings.startupTimeoutMs(),
                Integer.MAX_VALUE)));
        return p;
    }
}
