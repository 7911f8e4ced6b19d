package dev.tagstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tagstream.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo's broker: formats, starts, carries a phone-photo-sized record, and leaves nothing behind; stopped and
 * restarted, it comes back on the same address with its data.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKafkaIT {
    @Test
    void shouldCarryAnEightMegabyteRecordAndCleanUpItsDirectory() throws Exception {
        byte[] photo = new byte[8 << 20];
        photo[photo.length - 1] = 42;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(12 << 20, Map.of())) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("photos", 1, (short) 1)
                        .configs(Map.of("max.message.bytes", String.valueOf(12 << 20))))).all().get();
            }
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(12 << 20));
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(pp, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                p.send(new ProducerRecord<>("photos", photo)).get();
            }
            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "g");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            cp.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(12 << 20));
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                c.subscribe(List.of("photos"));
                ConsumerRecords<byte[], byte[]> got = ConsumerRecords.empty();
                long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (got.isEmpty() && System.nanoTime() < until) {
                    got = c.poll(Duration.ofMillis(500));
                }
                assertThat(got.count()).isEqualTo(1);
                assertThat(got.iterator().next().value()).isEqualTo(photo);
            }
        }
    }

    @Test
    void shouldComeBackOnTheSameAddressWithItsRecordsAfterStopAndRestart() throws Exception {
        java.nio.file.Path dir;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(1 << 20, Map.of())) {
            String bootstrap = kafka.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get();
            }
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(pp, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                p.send(new ProducerRecord<>("kept", "before".getBytes())).get();
            }
            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            kafka.restart();
            assertThat(kafka.isRunning()).isTrue();
            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);

            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "after-restart");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cp, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                c.subscribe(List.of("kept"));
                ConsumerRecords<byte[], byte[]> got = ConsumerRecords.empty();
                long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (got.isEmpty() && System.nanoTime() < until) {
                    got = c.poll(Duration.ofMillis(500));
                }
                assertThat(got.count()).isEqualTo(1);
                assertThat(new String(got.iterator().next().value())).isEqualTo("before");
            }
            dir = java.nio.file.Path.of(kafka.logDir());
        }
        assertThat(dir).doesNotExist();
    }
}
