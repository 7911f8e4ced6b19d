package dev.tagstream.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tagstream.avro.ImageEvent;
import dev.tagstream.avro.Prediction;
import dev.tagstream.config.Settings;
import dev.tagstream.config.SettingsLoader;
import dev.tagstream.model.ModelSynthesizer;
import dev.tagstream.ops.Pipeline;
import dev.tagstream.ops.StartupChecks;
import dev.tagstream.ops.StreamsProperties;
import dev.tagstream.ops.TagstreamApp;
import dev.tagstream.serde.ImageEventSerde;
import dev.tagstream.serde.PredictionSerde;
import dev.tagstream.serde.SchemaRegistryClients;
import dev.tagstream.topology.DeadLetters;
import dev.tagstream.topology.PipelineListener;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.ConfluentKafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * End to end against the real Confluent images (the ones a user runs next to tagstream): cp-kafka in KRaft mode and
 * cp-schema-registry, with the processor in this JVM exactly as {@code tagstream run} wires it (start-up checks,
 * {@link Pipeline} with a real synthesized ONNX model, {@link TagstreamApp}). A consumer that knows nothing but the
 * registry URL reads the predictions. Needs a Docker engine: {@code mvn -B -Pdocker verify -Dit.test='*DockerIT'}.
 */
@Testcontainers(disabledWithoutDocker = true)
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class PipelineDockerIT {
    /** The broker's and topics' limit: a 10 MiB image plus headroom, as in docker-compose.yml. */
    private static final int MESSAGE_MAX_BYTES = 12 * 1024 * 1024;
    private static final int IMAGE_MAX_BYTES = 10 * 1024 * 1024;

    private static final Network NETWORK = Network.newNetwork();

    @Container
    static final ConfluentKafkaContainer KAFKA = new ConfluentKafkaContainer(
            DockerImageName.parse("confluentinc/cp-kafka:8.0.0"))
            .withNetwork(NETWORK)
            .withNetworkAliases("kafka")
            .withListener("kafka:19092")
            .withEnv("KAFKA_MESSAGE_MAX_BYTES", String.valueOf(MESSAGE_MAX_BYTES))
            .withEnv("KAFKA_REPLICA_FETCH_MAX_BYTES", String.valueOf(MESSAGE_MAX_BYTES))
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>(
            DockerImageName.parse("confluentinc/cp-schema-registry:8.0.0"))
            .withNetwork(NETWORK)
            .withNetworkAliases("schema-registry")
            .withExposedPorts(8081)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
            .dependsOn(KAFKA)
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(3)));

    @TempDir
    static Path work;

    private static Settings settings;
    private static Pipeline pipeline;
    private static TagstreamApp app;

    private static String registryUrl() {
        return "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8081);
    }

    @BeforeAll
    static void startProcessor() throws Exception {
        Path models = Files.createDirectories(work.resolve("models"));
        ModelSynthesizer.synthesize("tiny", "tiny", ModelSynthesizer.DEFAULT_SEED, models.resolve("tiny.onnx"));
        Path catalog = work.resolve("models.yaml");
        Files.writeString(catalog, """
                default: tiny
                models:
                  tiny:
                    file: tiny.onnx
                    architecture: tiny
                    input: {resize: 256, crop: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]}
                    labels: imagenet1k
                    trained: false
                """);
        // The same environment names the container images and manifests use.
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", KAFKA.getBootstrapServers());
        env.put("KAFKA_STATE_DIR", work.resolve("state").toString());
        env.put("KAFKA_COMMIT_INTERVAL_MS", "200");
        env.put("SCHEMA_REGISTRY_URL", registryUrl());
        env.put("TAGSTREAM_MODELS_DIR", models.toString());
        env.put("TAGSTREAM_MODELS_CATALOG", catalog.toString());
        env.put("TAGSTREAM_MODELS_PROVIDERS", "cpu");
        env.put("TAGSTREAM_MODEL_DEFAULT", "tiny");
        env.put("TAGSTREAM_IMAGE_MAX_BYTES", String.valueOf(IMAGE_MAX_BYTES));
        env.put("TAGSTREAM_BATCH_MAX_SIZE", "4");
        env.put("TAGSTREAM_BATCH_MAX_DELAY_MS", "100");
        env.put("TAGSTREAM_TOPICS_CREATE", "true");
        env.put("TAGSTREAM_METRICS_PORT", "0");
        settings = SettingsLoader.load(null, env, List.of());
        assertThat(StreamsProperties.maxRecordBytes(settings)).isLessThanOrEqualTo(MESSAGE_MAX_BYTES);

        try (Admin admin = Admin.create(adminProps())) {
            admin.createTopics(List.of(new NewTopic(settings.inputTopic(), 4, (short) 1)
                    .configs(Map.of("max.message.bytes", String.valueOf(MESSAGE_MAX_BYTES))))).all()
                    .get(60, TimeUnit.SECONDS);
            // What `tagstream run` does before it starts: brokers, input topic, output and DLQ topics, registry.
            StartupChecks checks = new StartupChecks(settings);
            checks.brokersAndTopics(admin);
            checks.registry(SchemaRegistryClients.create(settings.kafkaProperties()));
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .contains(settings.outputTopic(), settings.dlqTopic());
        }
        pipeline = Pipeline.create(settings, PipelineListener.Factory.NONE);
        pipeline.warmUpDefault();
        app = new TagstreamApp(settings, pipeline.services());
        app.start();
        await().atMost(Duration.ofSeconds(120)).until(() -> app.state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stopProcessor() {
        if (app != null) {
            app.closeGracefully();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private static Properties adminProps() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers());
        return p;
    }

    private static byte[] sample(String name) throws IOException {
        try (InputStream in = PipelineDockerIT.class.getResourceAsStream("/samples/" + name)) {
            assertThat(in).as("sample " + name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** A PNG of noise, close to the 10 MiB limit: incompressible, so the file really is that large. */
    private static byte[] largePng() throws IOException {
        BufferedImage img = new BufferedImage(1800, 1700, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void shouldPredictEveryImageAndDeadLetterGarbageThroughTheRealBrokerAndRegistry() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, byte[]> images = new LinkedHashMap<>();
        for (String name : List.of("sunset.jpg", "shapes.png", "palette.gif", "boxes.bmp", "grayscale.jpg")) {
            images.put(run + "-" + name, sample(name));
        }
        byte[] large = largePng();
        assertThat(large.length).as("a photo-sized record").isBetween(8 * 1024 * 1024, IMAGE_MAX_BYTES);
        images.put(run + "-large.png", large);

        ImageEventSerde events = new ImageEventSerde();
        events.configure(settings.kafkaProperties(), false);
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers());
        pp.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(StreamsProperties.maxRecordBytes(settings)));
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (Map.Entry<String, byte[]> e : images.entrySet()) {
                byte[] value = events.serializer().serialize(settings.inputTopic(), ImageEvent.newBuilder()
                        .setId(e.getKey()).setImage(ByteBuffer.wrap(e.getValue())).setEventTime(Instant.now())
                        .build());
                producer.send(new ProducerRecord<>(settings.inputTopic(), e.getKey().getBytes(StandardCharsets.UTF_8),
                        value)).get(60, TimeUnit.SECONDS);
            }
            producer.send(new ProducerRecord<>(settings.inputTopic(), (run + "-garbage").getBytes(StandardCharsets.UTF_8),
                    "not avro".getBytes(StandardCharsets.UTF_8))).get(60, TimeUnit.SECONDS);
        }

        // A reader that only knows the registry URL: schemas come from the real registry by id.
        PredictionSerde predictionSerde = new PredictionSerde();
        predictionSerde.configure(Map.of("schema.registry.url", registryUrl()), false);
        Map<String, Prediction> predictions = new LinkedHashMap<>();
        Map<String, String> deadLetters = new LinkedHashMap<>();
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers());
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "docker-it-reader-" + run);
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MESSAGE_MAX_BYTES));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(settings.outputTopic(), settings.dlqTopic()));
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100)).until(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (!key.startsWith(run)) {
                        continue;
                    }
                    if (r.topic().equals(settings.outputTopic())) {
                        predictions.put(key, predictionSerde.deserializer().deserialize(r.topic(), r.value()));
                    } else {
                        deadLetters.put(key, new String(r.headers().lastHeader(DeadLetters.REASON).value(),
                                StandardCharsets.UTF_8));
                    }
                }
                return predictions.size() + deadLetters.size() >= images.size() + 1;
            });
        }

        assertThat(predictions.keySet()).containsExactlyInAnyOrderElementsOf(images.keySet());
        assertThat(predictions.values()).allSatisfy(p -> {
            assertThat(p.getModel()).isEqualTo("tiny");
            assertThat(p.getWeightsTrained()).isFalse();
            assertThat(p.getTop()).hasSize(settings.topK());
        });
        assertThat(deadLetters).containsExactly(Map.entry(run + "-garbage", "DESERIALIZATION"));

        HttpResponse<String> subjects = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(registryUrl() + "/subjects")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(subjects.statusCode()).isEqualTo(200);
        assertThat(subjects.body()).contains(settings.inputTopic() + "-value", settings.outputTopic() + "-value");
        assertThat(app.state()).as("the processor survived all of it").isEqualTo(KafkaStreams.State.RUNNING);
    }
}
