package dev.tagstream.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** A real single-node KRaft cluster (combined broker and controller) in this JVM, from Kafka's own test kit. */
final class EmbeddedCluster implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private EmbeddedCluster(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    static EmbeddedCluster start() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("group.min.session.timeout.ms", "1000")
                .setConfigProp("message.max.bytes", String.valueOf(12 << 20))
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new EmbeddedCluster(cluster);
    }

    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    void createTopics(int partitions, String... names) throws Exception {
        try (Admin admin = cluster.admin()) {
            List<NewTopic> topics = new ArrayList<>();
            for (String n : names) {
                topics.add(new NewTopic(n, partitions, (short) 1));
            }
            admin.createTopics(topics).all().get();
        }
    }

    KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Everything in {@code topics} up to now, read by a fresh consumer, committed transactions only. */
    List<ConsumerRecord<byte[], byte[]>> readAll(Collection<String> topics, Duration idle) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(12 << 20));
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(topics);
            long idleUntil = System.nanoTime() + idle.toNanos();
            while (System.nanoTime() < idleUntil) {
                var records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    records.forEach(out::add);
                    idleUntil = System.nanoTime() + idle.toNanos();
                }
            }
        }
        return out;
    }

    /** Offsets committed by a consumer group, summed over partitions. */
    long committedOffsets(String groupId) throws Exception {
        try (Admin admin = cluster.admin()) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
            return offsets.values().stream().filter(o -> o != null).mapToLong(o -> o.offset()).sum();
        }
    }

    Set<String> topics() throws Exception {
        try (Admin admin = cluster.admin()) {
            return admin.listTopics().names().get();
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
