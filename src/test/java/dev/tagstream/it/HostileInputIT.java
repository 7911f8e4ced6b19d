package dev.tagstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tagstream.avro.ImageEvent;
import dev.tagstream.batch.DrainControl;
import dev.tagstream.batch.InferenceEngine;
import dev.tagstream.config.Settings;
import dev.tagstream.config.SettingsLoader;
import dev.tagstream.image.ImageLimits;
import dev.tagstream.image.PilCompatiblePreprocessor;
import dev.tagstream.model.OnnxModelRepository;
import dev.tagstream.ops.TagstreamApp;
import dev.tagstream.serde.ImageEventSerde;
import dev.tagstream.serde.MockSchemaRegistry;
import dev.tagstream.serde.PredictionSerde;
import dev.tagstream.serde.RegistryClientConfig;
import dev.tagstream.testing.WireBytes;
import dev.tagstream.topology.DeadLetters;
import dev.tagstream.topology.PipelineListener;
import dev.tagstream.topology.PipelineServices;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input corpus ({@code src/test/resources/hostile}, made by tools/make_hostile_corpus.py) plus
 * Avro-level garbage, through the real broker, the real preprocessor and a real ONNX model: each input ends
 * predicted or dead-lettered with the expected reason, and the counts add up.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class HostileInputIT {
    @TempDir
    Path tmp;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String scope = "hostile-" + run;

    @Test
    void shouldSendEveryHostileInputToExactlyOneOutcomeWithTheExpectedReason() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        try (EmbeddedCluster cluster = EmbeddedCluster.start();
                OnnxModelRepository models = OnnxModelRepository.synthesizedTiny(tmp, "tiny");
                InferenceEngine engine = new InferenceEngine(0)) {
            cluster.createTopics(2, "images", "predictions", "dlq");
            ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(8),
                    new ThreadPoolExecutor.CallerRunsPolicy());
            Settings settings = SettingsLoader.load(null, Map.of(), List.of(
                    "bootstrap.servers=" + cluster.bootstrapServers(),
                    RegistryClientConfig.URL + "=mock://" + scope,
                    "application.id=hostile-" + run,
                    "state.dir=" + Files.createDirectories(tmp.resolve("state")),
                    "commit.interval.ms=200",
                    "tagstream.input.topic=images", "tagstream.output.topic=predictions", "tagstream.dlq.topic=dlq",
                    "tagstream.model.default=tiny", "tagstream.batch.max-size=8", "tagstream.batch.max-delay-ms=50",
                    "tagstream.image.max-bytes=" + (10 << 20)));
            Map<String, String> registry = Map.of(RegistryClientConfig.URL, "mock://" + scope);
            ImageEventSerde events = new ImageEventSerde();
            events.configure(registry, false);
            PredictionSerde predictions = new PredictionSerde();
            predictions.configure(registry, false);
            PipelineServices services = new PipelineServices(events.deserializer(), predictions.serializer(),
                    new PilCompatiblePreprocessor(new ImageLimits(settings.imageMaxBytes(), settings.imageMaxPixels()),
                            true, false),
                    models, engine, pool, PipelineListener.NONE, new DrainControl());
            TagstreamApp app = new TagstreamApp(settings, services);
            try {
                app.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> app.state() == KafkaStreams.State.RUNNING);
                try (KafkaProducer<byte[], byte[]> producer = producer(cluster)) {
                    for (String[] line : corpus()) {
                        send(producer, events, line[0], resource(line[0]), null);
                        expected.put(line[0], line[1]);
                    }
                    send(producer, events, "photo-12mp.jpg", largePhoto(), null);
                    expected.put("photo-12mp.jpg", "PREDICTED");
                    sendAvroGarbage(producer, events, expected);
                }
                List<ConsumerRecord<byte[], byte[]>> outcomes = awaitOutcomes(cluster, expected.size());
                Map<String, String> actual = outcomes.stream().collect(Collectors.toMap(
                        r -> new String(r.key(), StandardCharsets.UTF_8),
                        r -> r.topic().equals("predictions") ? "PREDICTED"
                                : new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8),
                        (a, b) -> a + "+" + b));
                assertThat(actual).isEqualTo(expected);
                assertThat(outcomes).as("exactly one outcome per input").hasSize(expected.size());
            } finally {
                app.closeGracefully();
                pool.shutdownNow();
                MockSchemaRegistry.dropScope(scope);
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(EmbeddedCluster cluster) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(11 << 20));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static List<String[]> corpus() throws IOException {
        return new String(resource("expected.tsv"), StandardCharsets.UTF_8).lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> l.split("\t")).toList();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = HostileInputIT.class.getResourceAsStream("/hostile/" + name)) {
            return in.readAllBytes();
        }
    }

    private static byte[] event(ImageEventSerde events, String id, byte[] image) {
        return events.serializer().serialize("images", ImageEvent.newBuilder().setId(id)
                .setImage(ByteBuffer.wrap(image)).setEventTime(Instant.now()).setSource(id).build());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, ImageEventSerde events, String id, byte[] image,
            org.apache.kafka.common.header.Headers headers) throws Exception {
        sendRaw(producer, id, event(events, id, image), headers);
    }

    private static void sendRaw(KafkaProducer<byte[], byte[]> producer, String id, byte[] value,
            org.apache.kafka.common.header.Headers headers)
            throws Exception {
        producer.send(new ProducerRecord<>("images", null, null, id.getBytes(StandardCharsets.UTF_8), value,
                headers == null ? new RecordHeaders() : headers)).get();
    }

    private void sendAvroGarbage(KafkaProducer<byte[], byte[]> producer, ImageEventSerde events,
            Map<String, String> expected) throws Exception {
        byte[] good = resource("good-baseline.jpg");
        sendRaw(producer, "avro-wrong-magic", "{\"id\":\"json\"}".getBytes(StandardCharsets.UTF_8), null);
        expected.put("avro-wrong-magic", "DESERIALIZATION");
        byte[] valid = event(events, "avro-unknown-id", good);
        ByteBuffer.wrap(valid).putInt(1, 99_999);
        sendRaw(producer, "avro-unknown-id", valid, null);
        expected.put("avro-unknown-id", "DESERIALIZATION");
        byte[] whole = event(events, "avro-truncated", good);
        sendRaw(producer, "avro-truncated", Arrays.copyOf(whole, whole.length - 100), null);
        expected.put("avro-truncated", "DESERIALIZATION");
        sendRaw(producer, "avro-null-value", null, null);
        expected.put("avro-null-value", "DESERIALIZATION");
        sendRaw(producer, "avro-v1-schema", v1Event("avro-v1-schema", good), null);
        expected.put("avro-v1-schema", "PREDICTED");
        send(producer, events, "header-empty", good, new RecordHeaders().add("model", new byte[0]));
        expected.put("header-empty", "UNKNOWN_MODEL");
        send(producer, events, "header-not-utf8", good,
                new RecordHeaders().add("model", new byte[] {(byte) 0xff, (byte) 0xfe, 0x41}));
        expected.put("header-not-utf8", "UNKNOWN_MODEL");
        send(producer, events, "header-unknown-model", good,
                new RecordHeaders().add("model", "resnet1000_xl".getBytes(StandardCharsets.UTF_8)));
        expected.put("header-unknown-model", "UNKNOWN_MODEL");
    }

    /** An event as a producer still on schema version 1 writes it. */
    private byte[] v1Event(String id, byte[] image) throws IOException {
        Schema v1;
        try (InputStream in = getClass().getResourceAsStream("/schemas/ImageEvent-v1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        int schemaId = MockSchemaRegistry.scope(scope).register("images-value", v1);
        GenericRecord r = new GenericData.Record(v1);
        r.put("id", id);
        r.put("image", ByteBuffer.wrap(image));
        r.put("event_time", System.currentTimeMillis());
        return WireBytes.of(schemaId, v1, r);
    }

    /** A 4032x3024 (12-megapixel) JPEG of over 4 MB, made here rather than committed. */
    private static byte[] largePhoto() throws IOException {
        int w = 4032;
        int h = 3024;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        SplittableRandom rnd = new SplittableRandom(12);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int base = (x * 255 / w) << 16 | (y * 255 / h) << 8 | 128;
                row[x] = base ^ (rnd.nextInt() & 0x3f3f3f);
            }
            img.setRGB(0, y, w, 1, row, 0, w);
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.95f);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] bytes = out.toByteArray();
        assertThat(bytes.length).as("the 12 MP photo is over 4 MB").isGreaterThan(4 << 20);
        return bytes;
    }

    private static List<ConsumerRecord<byte[], byte[]>> awaitOutcomes(EmbeddedCluster cluster, int expected) {
        List<String> topics = List.of("predictions", "dlq");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> cluster.readAll(topics, Duration.ofMillis(500)).size() >= expected);
        return cluster.readAll(topics, Duration.ofSeconds(2));
    }
}
