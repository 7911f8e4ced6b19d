package dev.tagstream.topology;

import static dev.tagstream.testing.ScriptedModels.image;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tagstream.avro.ImageEvent;
import dev.tagstream.avro.Prediction;
import dev.tagstream.batch.DrainControl;
import dev.tagstream.batch.InferenceEngine;
import dev.tagstream.serde.ImageEventSerde;
import dev.tagstream.testing.ScriptedModels;
import dev.tagstream.serde.MockSchemaRegistry;
import dev.tagstream.serde.PredictionSerde;
import dev.tagstream.serde.RegistryClientConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClassifyTopologyTest {
    private static final long DELAY_MS = 100;

    private final String scope = "topology-" + UUID.randomUUID();
    private final ScriptedModels.ScriptedClassifier modelA = new ScriptedModels.ScriptedClassifier("model_a", true);
    private final ScriptedModels.ScriptedClassifier modelB = new ScriptedModels.ScriptedClassifier("model_b", false);
    private InferenceEngine engine;
    private ThreadPoolExecutor pool;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<byte[], byte[]> output;
    private TestOutputTopic<byte[], byte[]> dlq;
    private ImageEventSerde events;
    private PredictionSerde predictions;

    @BeforeEach
    void setUp() {
        Map<String, String> registry = Map.of(RegistryClientConfig.URL, "mock://" + scope);
        events = new ImageEventSerde();
        events.configure(registry, false);
        predictions = new PredictionSerde();
        predictions.configure(registry, false);
        engine = new InferenceEngine(0);
        pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(8),
                new ThreadPoolExecutor.CallerRunsPolicy());
        PipelineServices services = new PipelineServices(events.deserializer(), predictions.serializer(),
                new ScriptedModels.Preprocessor(),
                new ScriptedModels.Repository(Map.of("model_a", modelA, "model_b", modelB), Map.of("a", "model_a")),
                engine, pool, PipelineListener.NONE, new DrainControl());
        TopologySettings settings = new TopologySettings("images", "predictions", "images-dlq", "model", "model_a",
                4, DELAY_MS, 3);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "test-" + scope);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(TagstreamTopology.build(settings, services, 1 << 20), props);
        input = driver.createInputTopic("images", new ByteArraySerializer(), new ByteArraySerializer());
        output = driver.createOutputTopic("predictions", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        dlq = driver.createOutputTopic("images-dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
        engine.close();
        pool.shutdownNow();
        MockSchemaRegistry.dropScope(scope);
    }

    private byte[] event(String id, String script) {
        return events.serializer().serialize("images", ImageEvent.newBuilder().setId(id)
                .setImage(ByteBuffer.wrap(image(script))).setEventTime(Instant.ofEpochMilli(1_000))
                .setSource("uploads/" + id).setAttributes(Map.of("k", id)).build());
    }

    private void send(String id, String script, String model) {
        send(id, script, model, 5_000L);
    }

    private void send(String id, String script, String model, long timestamp) {
        Headers headers = new RecordHeaders();
        headers.add("trace-id", ("trace-" + id).getBytes(StandardCharsets.UTF_8));
        if (model != null) {
            headers.add("model", model.getBytes(StandardCharsets.UTF_8));
        }
        input.pipeInput(new TestRecord<>(id.getBytes(StandardCharsets.UTF_8), event(id, script), headers,
                Instant.ofEpochMilli(timestamp)));
    }

    private List<Prediction> predictions() {
        return output.readValuesToList().stream().map(v -> predictions.deserializer().deserialize("predictions", v))
                .toList();
    }

    private static String header(TestRecord<byte[], byte[]> r, String key) {
        var h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldRouteByHeaderToTheDefaultAndThroughAliases() {
        send("1", "class:1", "model_b");
        send("2", "class:2", null);
        send("3", "class:3", " a ");
        driver.advanceWallClockTime(Duration.ofMillis(DELAY_MS));

        List<Prediction> out = predictions();
        assertThat(out).extracting(Prediction::getId).containsExactly("1", "2", "3");
        assertThat(out).extracting(Prediction::getModel).containsExactly("model_b", "model_a", "model_a");
        assertThat(out).extracting(Prediction::getWeightsTrained).containsExactly(false, true, true);
        assertThat(out.get(0).getTop().get(0).getIndex()).isEqualTo(1);
        assertThat(out.get(0).getTop().get(0).getLabel()).isEqualTo("label-1");
        assertThat(out.get(0).getTop()).hasSize(3);
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterAnUnknownModelWithItsReasonAndTheOriginalBytes() {
        byte[] value = event("x", "class:1");
        Headers headers = new RecordHeaders().add("model", "resnet9000".getBytes(StandardCharsets.UTF_8));
        input.pipeInput(new TestRecord<>("x".getBytes(StandardCharsets.UTF_8), value, headers, Instant.ofEpochMilli(77)));

        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(header(dead, DeadLetters.REASON)).isEqualTo("UNKNOWN_MODEL");
        assertThat(header(dead, DeadLetters.STAGE)).isEqualTo("route");
        assertThat(header(dead, DeadLetters.MESSAGE)).contains("resnet9000");
        assertThat(header(dead, DeadLetters.TOPIC)).isEqualTo("images");
        assertThat(header(dead, DeadLetters.PARTITION)).isEqualTo("0");
        assertThat(header(dead, DeadLetters.OFFSET)).isEqualTo("0");
        assertThat(header(dead, DeadLetters.EXCEPTION)).endsWith("UnknownModelException");
        assertThat(header(dead, "model")).as("input headers kept").isEqualTo("resnet9000");
        assertThat(dead.value()).isEqualTo(value);
        assertThat(dead.key()).isEqualTo("x".getBytes(StandardCharsets.UTF_8));
        assertThat(dead.timestamp()).isEqualTo(77);
    }

    @Test
    void shouldDeadLetterEmptyAndNonUtf8ModelHeaders() {
        input.pipeInput(new TestRecord<>(null, event("e", "class:1"),
                new RecordHeaders().add("model", new byte[0]), Instant.ofEpochMilli(1)));
        input.pipeInput(new TestRecord<>(null, event("u", "class:1"),
                new RecordHeaders().add("model", new byte[] {(byte) 0xc3, (byte) 0x28}), Instant.ofEpochMilli(1)));
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).extracting(r -> header(r, DeadLetters.REASON)).containsExactly("UNKNOWN_MODEL", "UNKNOWN_MODEL");
        assertThat(header(dead.get(0), DeadLetters.MESSAGE)).contains("empty");
        assertThat(header(dead.get(1), DeadLetters.MESSAGE)).contains("UTF-8");
    }

    @Test
    void shouldDeadLetterUnreadableValuesAsDeserializationErrors() {
        byte[] json = "{\"id\":1}".getBytes(StandardCharsets.UTF_8);
        input.pipeInput(new TestRecord<>(null, json, new RecordHeaders(), Instant.ofEpochMilli(1)));
        input.pipeInput(new TestRecord<>(null, (byte[]) null, new RecordHeaders(), Instant.ofEpochMilli(1)));
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).extracting(r -> header(r, DeadLetters.REASON)).containsExactly("DESERIALIZATION", "DESERIALIZATION");
        assertThat(dead.get(0).value()).isEqualTo(json);
        assertThat(header(dead.get(0), DeadLetters.MESSAGE)).contains("magic byte");
        assertThat(header(dead.get(1), DeadLetters.MESSAGE)).contains("null value");
    }

    @Test
    void shouldDrainWhenTheBatchIsFullWithoutWaiting() {
        for (int i = 0; i < 4; i++) {
            send("s" + i, "class:" + i, null);
        }
        assertThat(predictions()).hasSize(4).allSatisfy(p -> assertThat(p.getBatchSize()).isEqualTo(4));
        assertThat(modelA.runSizes).containsExactly(4);
    }

    @Test
    void shouldDrainAPartialBatchOnlyWhenItsDelayHasPassed() {
        send("t1", "class:1", null);
        send("t2", "class:2", null);
        driver.advanceWallClockTime(Duration.ofMillis(DELAY_MS / 2));
        assertThat(output.isEmpty()).as("not yet: half the delay").isTrue();

        driver.advanceWallClockTime(Duration.ofMillis(DELAY_MS / 2));

        assertThat(predictions()).extracting(Prediction::getId).containsExactly("t1", "t2");
        assertThat(modelA.runSizes).containsExactly(2);
    }

    @Test
    void shouldCarryKeyHeadersTimestampAndEventFields() {
        send("h1", "class:7", null, 123_456L);
        driver.advanceWallClockTime(Duration.ofMillis(DELAY_MS));
        TestRecord<byte[], byte[]> r = output.readRecord();
        assertThat(r.key()).isEqualTo("h1".getBytes(StandardCharsets.UTF_8));
        assertThat(r.timestamp()).isEqualTo(123_456L);
        assertThat(header(r, "trace-id")).isEqualTo("trace-h1");
        Prediction p = predictions.deserializer().deserialize("predictions", r.value());
        assertThat(p.getSource()).isEqualTo("uploads/h1");
        assertThat(p.getAttributes()).containsEntry("k", "h1");
        assertThat(p.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_000));
        assertThat(p.getTop().get(0).getProbability()).isGreaterThan(0.99f);
    }

    @Test
    void shouldKeepInputOrderWithinAPartitionAcrossModels() {
        String[] models = {"model_a", "model_b", "model_b", "model_a", "model_b", "model_a", "model_a"};
        for (int i = 0; i < models.length; i++) {
            send("o" + i, "class:" + i, models[i]);
        }
        driver.advanceWallClockTime(Duration.ofMillis(DELAY_MS));
        assertThat(predictions()).extracting(Prediction::getId)
                .containsExactly("o0", "o1", "o2", "o3", "o4", "o5", "o6");
    }

    @Test
    void shouldIsolateAPoisonedImageFromItsBatchMates() {
        send("p0", "class:1", null);
        send("p1", "poison", null);
        send("p2", "class:2", null);
        send("p3", "class:3", null);

        assertThat(predictions()).extracting(Prediction::getId).containsExactly("p0", "p2", "p3");
        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(header(dead, DeadLetters.REASON)).isEqualTo("INFERENCE_FAILED");
        assertThat(header(dead, DeadLetters.MODEL)).isEqualTo("model_a");
        assertThat(header(dead, DeadLetters.OFFSET)).isEqualTo("1");
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterImagesThePreprocessorRefusesAndClassifyTheRest() {
        send("i0", "fail:IMAGE_UNDECODABLE", null);
        send("i1", "class:4", null);
        send("i2", "fail:IMAGE_TOO_LARGE", null);
        driver.advanceWallClockTime(Duration.ofMillis(DELAY_MS));

        assertThat(predictions()).extracting(Prediction::getId).containsExactly("i1");
        assertThat(dlq.readRecordsToList()).extracting(r -> header(r, DeadLetters.REASON))
                .containsExactly("IMAGE_UNDECODABLE", "IMAGE_TOO_LARGE");
        assertThat(modelA.runSizes).as("refused images never reach the session").containsExactly(1);
    }

    @Test
    void shouldDeadLetterAnImageWhoseLogitsAreNotFinite() {
        send("f0", "class:1", null);
        send("f1", "nan", null);
        driver.advanceWallClockTime(Duration.ofMillis(DELAY_MS));
        assertThat(predictions()).extracting(Prediction::getId).containsExactly("f0");
        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(header(dead, DeadLetters.REASON)).isEqualTo("INFERENCE_FAILED");
        assertThat(header(dead, DeadLetters.MESSAGE)).contains("NaN");
    }

    @Test
    void shouldDeadLetterAModelThatCannotLoad() {
        send("m", "class:1", "broken");
        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(header(dead, DeadLetters.REASON)).isEqualTo("MODEL_UNAVAILABLE");
        assertThat(header(dead, DeadLetters.MODEL)).isEqualTo("broken");
        assertThat(header(dead, DeadLetters.MESSAGE)).contains("missing");
    }

    @Test
    void shouldAccountForEveryInputExactlyOnce() {
        String[] scripts = {"class:1", "poison", "fail:IMAGE_EMPTY", "class:2", "class:3", "class:4", "class:5",
            "fail:UNSUPPORTED_FORMAT", "class:6", "poison", "class:7"};
        for (int i = 0; i < scripts.length; i++) {
            send("n" + i, scripts[i], i % 3 == 0 ? "model_b" : null);
        }
        driver.advanceWallClockTime(Duration.ofMillis(DELAY_MS));
        long predicted = output.getQueueSize();
        long dead = dlq.getQueueSize();
        assertThat(predicted + dead).isEqualTo(scripts.length);
        assertThat(dead).isEqualTo(4);
    }
}
