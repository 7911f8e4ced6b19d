package dev.tagstream.it;

import static dev.tagstream.testing.ScriptedModels.image;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tagstream.avro.ImageEvent;
import dev.tagstream.batch.DrainControl;
import dev.tagstream.batch.InferenceEngine;
import dev.tagstream.config.Settings;
import dev.tagstream.config.SettingsLoader;
import dev.tagstream.ops.TagstreamApp;
import dev.tagstream.serde.ImageEventSerde;
import dev.tagstream.serde.MockSchemaRegistry;
import dev.tagstream.serde.PredictionSerde;
import dev.tagstream.serde.RegistryClientConfig;
import dev.tagstream.testing.ScriptedModels;
import dev.tagstream.topology.DeadLetters;
import dev.tagstream.topology.PipelineListener;
import dev.tagstream.topology.PipelineServices;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The topology against a real KRaft broker: every input ends in exactly one of predictions or dead letters, with
 * two instances sharing partitions, and when an instance dies in the middle of a batch.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PipelineIT {
    private static EmbeddedCluster cluster;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String scope = "it-" + run;
    private final List<Instance> instances = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = EmbeddedCluster.start();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    @AfterEach
    void tearDown() {
        instances.forEach(Instance::kill);
        MockSchemaRegistry.dropScope(scope);
    }

    /** One app instance with its own services, as a separate process would have. */
    private final class Instance {
        final ScriptedModels.ScriptedClassifier model = new ScriptedModels.ScriptedClassifier("model_a", false);
        final InferenceEngine engine = new InferenceEngine(0);
        final ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(16),
                new ThreadPoolExecutor.CallerRunsPolicy());
        final TagstreamApp app;
        final DrainControl drain = new DrainControl();

        Instance(String appId, String guarantee, int maxSize, long maxDelayMs) throws Exception {
            Path state = Files.createTempDirectory("tagstream-it-state");
            Settings settings = SettingsLoader.load(null, Map.of(), List.of(
                    "bootstrap.servers=" + cluster.bootstrapServers(),
                    RegistryClientConfig.URL + "=mock://" + scope,
                    "application.id=" + appId,
                    "processing.guarantee=" + guarantee,
                    "state.dir=" + state,
                    "commit.interval.ms=100",
                    "session.timeout.ms=6000",
                    "consumer.session.timeout.ms=6000",
                    "producer.transaction.timeout.ms=5000",
                    "tagstream.input.topic=images-" + run,
                    "tagstream.output.topic=predictions-" + run,
                    "tagstream.dlq.topic=dlq-" + run,
                    "tagstream.model.default=model_a",
                    "tagstream.batch.max-size=" + maxSize,
                    "tagstream.batch.max-delay-ms=" + maxDelayMs,
                    "tagstream.shutdown.grace-ms=20000"));
            PredictionSerde predictions = new PredictionSerde();
            predictions.configure(Map.of(RegistryClientConfig.URL, "mock://" + scope), false);
            ImageEventSerde events = new ImageEventSerde();
            events.configure(Map.of(RegistryClientConfig.URL, "mock://" + scope), false);
            PipelineServices services = new PipelineServices(events.deserializer(), predictions.serializer(),
                    new ScriptedModels.Preprocessor(),
                    new ScriptedModels.Repository(Map.of("model_a", model), Map.of()), engine, pool,
                    PipelineListener.NONE, drain);
            app = new TagstreamApp(settings, services);
            instances.add(this);
            app.start();
        }

        void awaitRunning() {
            await().atMost(Duration.ofSeconds(60)).until(() -> app.state() == KafkaStreams.State.RUNNING);
        }

        /** Dies without a clean shutdown: the device fails mid-batch and nothing more is committed. */
        void kill() {
            app.streams().close(Duration.ZERO);
            engine.close();
            pool.shutdownNow();
            app.streams().close(Duration.ofSeconds(30));
        }
    }

    private ImageEventSerde producerSerde() {
        ImageEventSerde serde = new ImageEventSerde();
        serde.configure(Map.of(RegistryClientConfig.URL, "mock://" + scope), false);
        return serde;
    }

    private void produce(KafkaProducer<byte[], byte[]> producer, ImageEventSerde serde, String id, String script,
            String modelHeader, Integer partition) {
        byte[] value = script.equals("garbage") ? "not avro".getBytes(StandardCharsets.UTF_8)
                : serde.serializer().serialize("images-" + run, ImageEvent.newBuilder().setId(id)
                        .setImage(ByteBuffer.wrap(image(script))).setEventTime(Instant.now()).build());
        RecordHeaders headers = new RecordHeaders();
        if (modelHeader != null) {
            headers.add("model", modelHeader.getBytes(StandardCharsets.UTF_8));
        }
        producer.send(new ProducerRecord<>("images-" + run, partition, null, id.getBytes(StandardCharsets.UTF_8),
                value, headers));
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.key(), StandardCharsets.UTF_8);
    }

    private static String reason(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
    }

    /** Outcomes per input id, across predictions and dead letters. */
    private Map<String, Long> outcomesById(int expected) {
        List<String> topics = List.of("predictions-" + run, "dlq-" + run);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> cluster.readAll(topics, Duration.ofMillis(500)).size() >= expected);
        return cluster.readAll(topics, Duration.ofSeconds(2)).stream()
                .collect(Collectors.groupingBy(PipelineIT::key, Collectors.counting()));
    }

    @Test
    void shouldAccountForTwoThousandMixedEventsWithTwoInstancesSharingFourPartitions() throws Exception {
        cluster.createTopics(4, "images-" + run, "predictions-" + run, "dlq-" + run);
        String appId = "tagstream-it-share-" + run;
        Instance a = new Instance(appId, "at_least_once", 16, 50);
        Instance b = new Instance(appId, "at_least_once", 16, 50);
        a.awaitRunning();
        b.awaitRunning();

        Map<String, String> expectedReason = new HashMap<>();
        ImageEventSerde serde = producerSerde();
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
            for (int i = 0; i < 2000; i++) {
                String id = "e" + i;
                String script = "class:" + (i % 10);
                String header = null;
                if (i % 10 == 3) {
                    script = "fail:IMAGE_UNDECODABLE";
                    expectedReason.put(id, "IMAGE_UNDECODABLE");
                } else if (i % 10 == 7) {
                    script = "poison";
                    expectedReason.put(id, "INFERENCE_FAILED");
                } else if (i % 50 == 11) {
                    script = "garbage";
                    expectedReason.put(id, "DESERIALIZATION");
                } else if (i % 25 == 5) {
                    header = "no_such_model";
                    expectedReason.put(id, "UNKNOWN_MODEL");
                }
                produce(producer, serde, id, script, header, null);
            }
        }

        Map<String, Long> outcomes = outcomesById(2000);
        assertThat(outcomes).hasSize(2000);
        List<ConsumerRecord<byte[], byte[]>> dead = cluster.readAll(List.of("dlq-" + run), Duration.ofSeconds(1));
        Map<String, String> actualReason = dead.stream().collect(Collectors.toMap(PipelineIT::key, PipelineIT::reason,
                (x, y) -> x));
        assertThat(actualReason).isEqualTo(expectedReason);
        assertThat(a.model.runSizes.size() + b.model.runSizes.size()).as("both instances did work").isPositive();
        assertThat(a.model.runSizes).as("instance a worked").isNotEmpty();
        assertThat(b.model.runSizes).as("instance b worked").isNotEmpty();
    }

    @Test
    void shouldDrainPendingBatchesOnGracefulShutdown() throws Exception {
        cluster.createTopics(2, "images-" + run, "predictions-" + run, "dlq-" + run);
        Instance a = new Instance("tagstream-it-drain-" + run, "at_least_once", 50, 60_000);
        a.awaitRunning();
        ImageEventSerde serde = producerSerde();
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
            for (int i = 0; i < 10; i++) {
                produce(producer, serde, "g" + i, "class:" + i, null, null);
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> a.drain.pending() == 10);
        assertThat(a.model.runSizes).as("a 60 s batch delay: nothing ran yet").isEmpty();

        assertThat(a.app.closeGracefully()).isTrue();

        assertThat(a.drain.pending()).isZero();
        assertThat(a.model.runSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
        assertThat(outcomesById(10)).hasSize(10);
    }

    @Test
    void shouldLoseNothingWhenAnInstanceDiesMidBatchAtLeastOnce() throws Exception {
        Map<String, Long> outcomes = killMidBatchThenRecover("at_least_once");
        assertThat(outcomes).hasSize(200);
    }

    @Test
    void shouldLoseNothingAndDuplicateNothingWhenAnInstanceDiesMidBatchExactlyOnce() throws Exception {
        Map<String, Long> outcomes = killMidBatchThenRecover("exactly_once_v2");
        assertThat(outcomes).hasSize(200);
        assertThat(outcomes.values()).as("exactly one outcome per input").allMatch(c -> c == 1L);
    }

    /**
     * Instance A commits while 120 records sit in its pending batches, then hangs inside a session run and dies
     * without a clean shutdown. Instance B takes over the partitions and must finish everything.
     */
    private Map<String, Long> killMidBatchThenRecover(String guarantee) throws Exception {
        cluster.createTopics(4, "images-" + run, "predictions-" + run, "dlq-" + run);
        String appId = "tagstream-it-kill-" + run;
        Instance a = new Instance(appId, guarantee, 50, 60_000);
        a.awaitRunning();
        ImageEventSerde serde = producerSerde();
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
            for (int i = 0; i < 120; i++) {
                produce(producer, serde, "k" + i, "class:" + (i % 10), null, i % 4);
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> cluster.committedOffsets(appId) == 120);
        assertThat(a.model.runSizes).as("nothing classified yet: all 120 are pending").isEmpty();

        CountDownLatch hung = a.model.holdRuns();
        try (KafkaProducer<byte[], byte[]> producer = cluster.producer()) {
            for (int i = 120; i < 200; i++) {
                produce(producer, serde, "k" + i, "class:" + (i % 10), null, 0);
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> a.model.runsEntered.get() > 0);
        a.kill();
        assertThat(hung.getCount()).as("A never finished its batch").isEqualTo(1);

        Instance b = new Instance(appId, guarantee, 50, 100);
        b.awaitRunning();
        return outcomesById(200);
    }
}
