package dev.tagstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tagstream.avro.ImageEvent;
import dev.tagstream.avro.Prediction;
import dev.tagstream.batch.DrainControl;
import dev.tagstream.batch.InferenceEngine;
import dev.tagstream.image.PilCompatiblePreprocessor;
import dev.tagstream.model.Labels;
import dev.tagstream.model.OnnxModelRepository;
import dev.tagstream.serde.ImageEventSerde;
import dev.tagstream.serde.MockSchemaRegistry;
import dev.tagstream.serde.PredictionSerde;
import dev.tagstream.serde.RegistryClientConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
import org.junit.jupiter.api.io.TempDir;

/** The topology with the real preprocessor, a real synthesized ONNX model and real image files. */
class RealComponentsTopologyTest {
    @TempDir
    Path dir;

    private final String scope = "real-" + UUID.randomUUID();
    private OnnxModelRepository models;
    private InferenceEngine engine;
    private ThreadPoolExecutor pool;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<byte[], byte[]> output;
    private TestOutputTopic<byte[], byte[]> dlq;
    private ImageEventSerde events;
    private PredictionSerde predictions;

    @BeforeEach
    void setUp() throws Exception {
        Map<String, String> registry = Map.of(RegistryClientConfig.URL, "mock://" + scope);
        events = new ImageEventSerde();
        events.configure(registry, false);
        predictions = new PredictionSerde();
        predictions.configure(registry, false);
        models = OnnxModelRepository.synthesizedTiny(dir, "tiny", "tiny_b");
        engine = new InferenceEngine(0);
        pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4),
                new ThreadPoolExecutor.CallerRunsPolicy());
        PipelineServices services = new PipelineServices(events.deserializer(), predictions.serializer(),
                PilCompatiblePreprocessor.withDefaults(), models, engine, pool, PipelineListener.NONE,
                new DrainControl());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "real-" + scope);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(TagstreamTopology.build(
                new TopologySettings("images", "predictions", "dlq", "model", "tiny", 4, 100, 5), services, 1 << 22),
                props);
        input = driver.createInputTopic("images", new ByteArraySerializer(), new ByteArraySerializer());
        output = driver.createOutputTopic("predictions", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        dlq = driver.createOutputTopic("dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
        engine.close();
        pool.shutdownNow();
        models.close();
        MockSchemaRegistry.dropScope(scope);
    }

    private static byte[] sample(String name) throws IOException {
        try (InputStream in = RealComponentsTopologyTest.class.getResourceAsStream("/samples/" + name)) {
            return in.readAllBytes();
        }
    }

    private void send(String id, byte[] image, String model) {
        RecordHeaders headers = new RecordHeaders();
        if (model != null) {
            headers.add("model", model.getBytes(StandardCharsets.UTF_8));
        }
        byte[] value = events.serializer().serialize("images", ImageEvent.newBuilder().setId(id)
                .setImage(ByteBuffer.wrap(image)).setEventTime(Instant.ofEpochMilli(5)).setSource(id).build());
        input.pipeInput(new TestRecord<>(id.getBytes(StandardCharsets.UTF_8), value, headers, Instant.ofEpochMilli(9)));
    }

    private static String reason(TestRecord<byte[], byte[]> r) {
        return new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldClassifyRealImagesWithARealModelAndDeadLetterBrokenOnes() throws IOException {
        List<String> good = List.of("sunset.jpg", "shapes.png", "palette.gif", "boxes.bmp", "progressive.jpg",
                "grayscale.jpg", "phone-portrait.jpg", "transparent.png");
        for (String name : good) {
            send(name, sample(name), name.endsWith(".png") ? "tiny_b" : null);
        }
        byte[] jpeg = sample("sunset.jpg");
        send("truncated.jpg", Arrays.copyOf(jpeg, jpeg.length / 3), null);
        send("notes.txt", "just some text".getBytes(StandardCharsets.UTF_8), null);
        send("empty.jpg", new byte[0], null);
        driver.advanceWallClockTime(Duration.ofMillis(100));

        List<Prediction> out = output.readValuesToList().stream()
                .map(v -> predictions.deserializer().deserialize("predictions", v)).toList();
        assertThat(out).extracting(Prediction::getId).containsExactlyElementsOf(good);
        List<String> labels = Labels.imagenet1k();
        assertThat(out).allSatisfy(p -> {
            assertThat(p.getWeightsTrained()).isFalse();
            assertThat(p.getTop()).hasSize(5);
            assertThat(p.getTop().get(0).getLabel()).isEqualTo(labels.get(p.getTop().get(0).getIndex()));
            assertThat(p.getTop().get(0).getProbability()).isGreaterThanOrEqualTo(p.getTop().get(4).getProbability());
            assertThat(p.getTimings().getPreprocessMs()).isPositive();
        });
        assertThat(out).extracting(Prediction::getModel)
                .containsExactly("tiny", "tiny_b", "tiny", "tiny", "tiny", "tiny", "tiny", "tiny_b");
        assertThat(dlq.readRecordsToList()).extracting(RealComponentsTopologyTest::reason)
                .containsExactly("IMAGE_UNDECODABLE", "UNSUPPORTED_FORMAT", "IMAGE_EMPTY");
    }
}
