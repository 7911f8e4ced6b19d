package dev.tagstream.reliability;

import dev.tagstream.avro.ImageEvent;
import dev.tagstream.embedded.EmbeddedKafka;
import dev.tagstream.embedded.EmbeddedSchemaRegistry;
import dev.tagstream.model.ModelSynthesizer;
import dev.tagstream.serde.ImageEventSerde;
import dev.tagstream.serde.RegistryClientConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What every reliability test needs around its child processors: a real KRaft broker and a schema registry in this
 * JVM on loopback (both can be stopped and restarted on the same ports and data), a synthesized model with its
 * catalog in a temporary directory, unique topic names, a producer of real small images, and a read_committed
 * reader that counts outcomes per event id over predictions and dead letters.
 */
final class ReliabilityEnv implements AutoCloseable {
    static final int MAX_MESSAGE_BYTES = 12 << 20;
    /** Real small images from src/main/resources/samples (JPEG and PNG). */
    static final List<String> SAMPLES = List.of("grayscale.jpg", "phone-portrait.jpg", "progressive.jpg", "sunset.jpg",
            "shapes.png", "transparent.png");

    final String run = UUID.randomUUID().toString().substring(0, 8);
    final String input = "images-" + run;
    final String output = "predictions-" + run;
    final String dlq = "dlq-" + run;
    final Path dir;
    final EmbeddedKafka kafka;
    final EmbeddedSchemaRegistry registry;
    final String model;
    final Path catalog;
    final Path modelsDir;
    private final List<byte[]> images = new ArrayList<>();
    private final ImageEventSerde serde = new ImageEventSerde();

    /** @param architecture {@code tiny} (fast) or {@code resnet18} (the resnet18_swsl stand-in) */
    ReliabilityEnv(String architecture, int partitions) throws Exception {
        dir = Files.createTempDirectory("tagstream-reliability-");
        EmbeddedKafka k = null;
        EmbeddedSchemaRegistry r = null;
        try {
            k = EmbeddedKafka.start(MAX_MESSAGE_BYTES, Map.of("group.min.session.timeout.ms", "1000"));
            r = EmbeddedSchemaRegistry.start(0);
        } catch (Exception | Error e) {
            if (k != null) {
                k.close();
            }
            deleteRecursively(dir);
            throw e;
        }
        kafka = k;
        registry = r;
        model = architecture.equals("tiny") ? "tiny" : architecture + "_swsl";
        modelsDir = Files.createDirectories(dir.resolve("models"));
        ModelSynthesizer.Result synth = ModelSynthesizer.synthesize(model, architecture, ModelSynthesizer.DEFAULT_SEED,
                modelsDir.resolve(model + ".onnx"));
        catalog = dir.resolve("models.yaml");
        Files.writeString(catalog, String.join("\n",
                "default: " + model,
                "models:",
                "  " + model + ":",
                "    file: " + model + ".onnx",
                "    sha256: " + synth.sha256(),
                "    architecture: " + architecture,
                "    input: {resize: 256, crop: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]}",
                "    labels: imagenet1k",
                "    trained: false", ""));
        for (String s : SAMPLES) {
            try (InputStream in = ReliabilityEnv.class.getResourceAsStream("/samples/" + s)) {
                images.add(in.readAllBytes());
            }
        }
        serde.configure(Map.of(RegistryClientConfig.URL, registry.url()), false);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(input, partitions, (short) 1),
                    new NewTopic(output, partitions, (short) 1), new NewTopic(dlq, partitions, (short) 1)))
                    .all().get(60, TimeUnit.SECONDS);
        }
        // Register the writer schema now, so that this producer keeps working while the registry is down.
        serde.serializer().serialize(input, event("warm-up", images.get(0)));
    }

    /** Settings of a child processor of application {@code appId}; {@code extra} wins. */
    Map<String, String> processorSettings(String appId, String guarantee, Map<String, String> extra) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap.servers", kafka.bootstrapServers());
        s.put("schema.registry.url", registry.url());
        s.put("application.id", appId);
        s.put("processing.guarantee", guarantee);
        s.put("num.stream.threads", "1");
        s.put("commit.interval.ms", "200");
        s.put("session.timeout.ms", "10000");
        s.put("consumer.session.timeout.ms", "10000");
        s.put("heartbeat.interval.ms", "1000");
        s.put("consumer.heartbeat.interval.ms", "1000");
        s.put("producer.transaction.timeout.ms", "10000");
        s.put("tagstream.input.topic", input);
        s.put("tagstream.output.topic", output);
        s.put("tagstream.dlq.topic", dlq);
        s.put("tagstream.topics.create", "false");
        s.put("tagstream.models.dir", modelsDir.toString());
        s.put("tagstream.models.catalog", catalog.toString());
        s.put("tagstream.model.default", model);
        s.put("tagstream.models.providers", "cpu");
        s.put("tagstream.models.intra-op-threads", "1");
        s.put("tagstream.preprocess.threads", "1");
        s.put("tagstream.shutdown.grace-ms", "20000");
        s.put("tagstream.startup.timeout-ms", "60000");
        s.putAll(extra);
        return s;
    }

    ImageEvent event(String id, byte[] image) {
        return ImageEvent.newBuilder().setId(id).setImage(ByteBuffer.wrap(image)).setEventTime(Instant.now())
                .setContentType("image/jpeg").setSource("reliability").setAttributes(Map.of()).build();
    }

    /** Producer that rides out a broker outage of a few minutes: it waits and retries rather than failing sends. */
    KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_MESSAGE_BYTES));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "600000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** What one sent event should end as. */
    enum Kind { IMAGE, NOT_AN_IMAGE, NOT_AVRO }

    /** Sends event {@code id} of the given kind; images cycle through the samples. */
    Future<RecordMetadata> send(KafkaProducer<byte[], byte[]> producer, String id, Kind kind, int i) {
        byte[] value = switch (kind) {
            case IMAGE -> serde.serializer().serialize(input, event(id, images.get(i % images.size())));
            case NOT_AN_IMAGE -> {
                byte[] junk = new byte[2048];
                new Random(i).nextBytes(junk);
                yield serde.serializer().serialize(input, event(id, junk));
            }
            case NOT_AVRO -> ("not an image event " + id).getBytes(StandardCharsets.UTF_8);
        };
        return producer.send(new ProducerRecord<>(input, id.getBytes(StandardCharsets.UTF_8), value));
    }

    /** Which kind event number {@code i} is: 1 in 50 random bytes (not an image), 1 in 100 not Avro, the rest images. */
    static Kind kindOf(int i) {
        if (i % 100 == 37) {
            return Kind.NOT_AVRO;
        }
        return i % 50 == 13 ? Kind.NOT_AN_IMAGE : Kind.IMAGE;
    }

    Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    /** Offsets the group has committed on the input topic, by partition. */
    Map<Integer, Long> committed(String groupId) throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<Integer, Long> out = new HashMap<>();
            offsets.forEach((tp, o) -> {
                if (o != null && tp.topic().equals(input)) {
                    out.put(tp.partition(), o.offset());
                }
            });
            return out;
        }
    }

    /** Outcome records seen in predictions and dead letters. */
    record Outcome(String id, boolean deadLetter, String reason) {}

    /**
     * Every record in predictions and dead letters so far, read_committed by a fresh consumer, until nothing new has
     * arrived for {@code idle}.
     */
    List<Outcome> readOutcomes(Duration idle) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_MESSAGE_BYTES));
        List<Outcome> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(output, dlq));
            long idleUntil = System.nanoTime() + idle.toNanos();
            long hardStop = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < idleUntil && System.nanoTime() < hardStop) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    boolean dead = r.topic().equals(dlq);
                    var reason = r.headers().lastHeader("tagstream.error.reason");
                    out.add(new Outcome(r.key() == null ? "(null)" : new String(r.key(), StandardCharsets.UTF_8),
                            dead, reason == null ? null : new String(reason.value(), StandardCharsets.UTF_8)));
                }
                if (!records.isEmpty()) {
                    idleUntil = System.nanoTime() + idle.toNanos();
                }
            }
        }
        return out;
    }

    /**
     * A consumer in its own thread that reads predictions and dead letters (read_committed) as they come and notes
     * when each arrived, across broker outages: for recovery times measured from the outside.
     */
    final class Watcher implements AutoCloseable {
        record Arrival(long nanos, Outcome outcome) {}

        private final List<Arrival> arrivals = new ArrayList<>();
        private final Thread thread;
        private volatile boolean stop;

        Watcher() {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "watcher-" + UUID.randomUUID());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_MESSAGE_BYTES));
            thread = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(output, dlq));
                    while (!stop) {
                        var records = consumer.poll(Duration.ofMillis(200));
                        long now = System.nanoTime();
                        synchronized (arrivals) {
                            for (ConsumerRecord<byte[], byte[]> r : records) {
                                var reason = r.headers().lastHeader("tagstream.error.reason");
                                arrivals.add(new Arrival(now, new Outcome(
                                        r.key() == null ? "(null)" : new String(r.key(), StandardCharsets.UTF_8),
                                        r.topic().equals(dlq),
                                        reason == null ? null : new String(reason.value(), StandardCharsets.UTF_8))));
                            }
                        }
                    }
                }
            }, "outcome-watcher");
            thread.setDaemon(true);
            thread.start();
        }

        List<Arrival> arrivals() {
            synchronized (arrivals) {
                return List.copyOf(arrivals);
            }
        }

        /** Seconds from {@code sinceNanos} to the first outcome that arrived after it; NaN if none yet. */
        double secondsToFirstAfter(long sinceNanos) {
            return arrivals().stream().mapToLong(Arrival::nanos).filter(n -> n > sinceNanos).min()
                    .stream().mapToDouble(n -> (n - sinceNanos) / 1e9).findFirst().orElse(Double.NaN);
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(10_000);
        }
    }

    /** Outcomes per id of the given ids: lost (0), exactly once, duplicated (more than 1). */
    record Tally(int expected, int lost, int once, int duplicated, long deadLetters, List<String> lostIds,
            Map<String, Long> dlqReasons) {
        @Override
        public String toString() {
            return "expected " + expected + ", lost " + lost + ", exactly once " + once + ", duplicated " + duplicated
                    + ", dead letters " + deadLetters + " " + dlqReasons
                    + (lostIds.isEmpty() ? "" : ", lost ids (first 10) " + lostIds.subList(0, Math.min(10, lostIds.size())));
        }
    }

    static Tally tally(Collection<String> ids, List<Outcome> outcomes) {
        Map<String, Long> count = new HashMap<>();
        Map<String, Long> reasons = new java.util.TreeMap<>();
        long dead = 0;
        for (Outcome o : outcomes) {
            count.merge(o.id(), 1L, Long::sum);
            if (o.deadLetter() && ids.contains(o.id())) {
                dead++;
                reasons.merge(String.valueOf(o.reason()), 1L, Long::sum);
            }
        }
        int lost = 0;
        int once = 0;
        int dup = 0;
        List<String> lostIds = new ArrayList<>();
        for (String id : ids) {
            long c = count.getOrDefault(id, 0L);
            if (c == 0) {
                lost++;
                lostIds.add(id);
            } else if (c == 1) {
                once++;
            } else {
                dup++;
            }
        }
        return new Tally(ids.size(), lost, once, dup, dead, lostIds, reasons);
    }

    /** Where a test writes what it measured: target/reliability, or the temp dir. */
    static Path outDir() throws IOException {
        return Files.createDirectories(Path.of(System.getProperty("reliability.out", "target/reliability")));
    }

    @Override
    public void close() {
        try {
            registry.close();
        } finally {
            try {
                kafka.close();
            } finally {
                deleteRecursively(dir);
            }
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
