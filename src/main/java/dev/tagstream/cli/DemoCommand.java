package dev.tagstream.cli;

import dev.tagstream.avro.Prediction;
import dev.tagstream.config.Settings;
import dev.tagstream.embedded.EmbeddedKafka;
import dev.tagstream.embedded.EmbeddedSchemaRegistry;
import dev.tagstream.model.CatalogEntry;
import dev.tagstream.model.ModelCatalog;
import dev.tagstream.model.ModelSynthesizer;
import dev.tagstream.model.ModelUnavailableException;
import dev.tagstream.model.UnknownModelException;
import dev.tagstream.ops.Pipeline;
import dev.tagstream.ops.StreamsProperties;
import dev.tagstream.ops.TagstreamApp;
import dev.tagstream.serde.ImageEventSerde;
import dev.tagstream.serde.PredictionSerde;
import dev.tagstream.topology.PipelineListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Everything in one process, on a machine with only a JDK: a real KRaft broker, a schema registry on loopback,
 * the processor, a producer of image files and a reader of the outcomes, ending with a summary that says whether
 * any input was lost.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs an embedded Kafka broker, schema registry and the processor, publishes images once and "
                + "prints each outcome, then 'N in, P predicted, D dead-lettered, L lost'. Exit 0 only if L is 0.")
final class DemoCommand implements Callable<Integer> {
    private static final Duration OUTCOME_TIMEOUT = Duration.ofSeconds(180);

    @Mixin
    ConfigOptions config;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--images", paramLabel = "DIR", description = "Images to publish (default: the bundled samples).")
    Path images;

    @Option(names = "--model", description = "Model or alias (default: tagstream.model.default).")
    String model;

    @Option(names = "--count", defaultValue = "0",
            description = "Events to publish, cycling through the images (default: each image once).")
    int count;

    @Option(names = "--json", description = "One JSON object per outcome instead of text.")
    boolean json;

    @Option(names = "--keep-running", description = "Keep broker, registry and processor up after the summary.")
    boolean keepRunning;

    @Option(names = "--skip-non-images", description = "Do not publish files that do not start like an image.")
    boolean skipNonImages;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path work = Files.createTempDirectory("tagstream-demo-");
        try {
            Settings base = config.load(System.getenv(), List.of());
            List<Path> files = images != null ? ImageFiles.expand(List.of(images)) : bundledSamples(work);
            if (skipNonImages) {
                List<Path> kept = new ArrayList<>();
                for (Path f : files) {
                    if (ImageFiles.looksLikeImage(f)) {
                        kept.add(f);
                    }
                }
                files = kept;
            }
            if (files.isEmpty()) {
                err.println("demo: no files to publish");
                return 2;
            }
            Path modelsDir = ensureModel(base, err);
            int maxRecord = StreamsProperties.maxRecordBytes(base);
            err.println("demo: starting an embedded Kafka broker and schema registry...");
            try (EmbeddedKafka kafka = EmbeddedKafka.start(maxRecord + (1 << 20), Map.of());
                    EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(0)) {
                List<String> sets = new ArrayList<>(List.of(
                        "bootstrap.servers=" + kafka.bootstrapServers(),
                        "schema.registry.url=" + registry.url(),
                        "application.id=tagstream-demo",
                        "state.dir=" + work.resolve("state"),
                        "commit.interval.ms=200",
                        "tagstream.models.dir=" + modelsDir,
                        "tagstream.metrics.port=0"));
                if (model != null) {
                    sets.add("tagstream.model.default=" + model);
                }
                Settings settings = config.load(System.getenv(), sets);
                createTopics(kafka, settings, maxRecord);
                return runDemo(settings, kafka, registry, files, out, err);
            }
        } finally {
            dev.tagstream.embedded.TempDirs.deleteRecursively(work);
        }
    }

    private int runDemo(Settings settings, EmbeddedKafka kafka, EmbeddedSchemaRegistry registry, List<Path> files,
            PrintWriter out, PrintWriter err) throws Exception {
        try (Pipeline pipeline = Pipeline.create(settings, PipelineListener.Factory.NONE)) {
            pipeline.warmUpDefault();
            TagstreamApp app = new TagstreamApp(settings, pipeline.services());
            try {
                app.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (app.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                Map<String, Path> sent = publish(settings, files, err);
                Map<String, Outcome> outcomes = collect(settings, sent, out);
                long predicted = outcomes.values().stream().filter(Outcome::predicted).count();
                long dead = outcomes.size() - predicted;
                long lost = sent.size() - outcomes.size();
                String summary = sent.size() + " in, " + predicted + " predicted, " + dead + " dead-lettered, " + lost
                        + " lost";
                if (json) {
                    out.println("{\"summary\":\"" + summary + "\",\"in\":" + sent.size() + ",\"predicted\":"
                            + predicted + ",\"dead_lettered\":" + dead + ",\"lost\":" + lost + "}");
                } else {
                    out.println(summary);
                }
                out.flush();
                if (!pipeline.models().get(pipeline.defaultModel()).info().trained()) {
                    err.println("demo: note: " + pipeline.defaultModel() + " has UNTRAINED random weights, so the "
                            + "labels above are meaningless; see docs/models.md for real weights.");
                }
                if (keepRunning) {
                    err.println("demo: still running. Kafka bootstrap: " + kafka.bootstrapServers()
                            + "  schema registry: " + registry.url() + "  topics: " + settings.inputTopic() + ", "
                            + settings.outputTopic() + ", " + settings.dlqTopic() + ". Ctrl-C to stop.");
                    CountDownLatch forever = new CountDownLatch(1);
                    Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
                    forever.await();
                }
                return lost == 0 ? 0 : 1;
            } finally {
                app.closeGracefully();
            }
        }
    }

    /** The model file must exist: when it does not, synthesize it (untrained, and said so) in a cache directory. */
    private Path ensureModel(Settings settings, PrintWriter err) throws IOException, ModelUnavailableException {
        ModelCatalog catalog = ModelCatalog.load(settings.modelsCatalog());
        String name;
        try {
            name = catalog.resolve(model != null ? model : settings.defaultModel());
        } catch (UnknownModelException e) {
            throw new ModelUnavailableException(e.getMessage());
        }
        CatalogEntry entry = catalog.entry(name).orElseThrow();
        if (Files.isRegularFile(settings.modelsDir().resolve(entry.file()))) {
            return settings.modelsDir();
        }
        Path cache = cacheDir();
        Path file = cache.resolve(entry.file());
        if (!Files.isRegularFile(file)) {
            err.println("demo: " + settings.modelsDir().resolve(entry.file()) + " is missing; synthesizing " + name
                    + " (" + entry.architecture() + ") with RANDOM, UNTRAINED weights into " + cache);
            err.println("demo: its predictions are meaningless. For real weights run tools/export_models.py "
                    + name + " on a machine with internet and place the file in " + settings.modelsDir()
                    + " (see docs/models.md; weights CC-BY-NC 4.0).");
            Files.createDirectories(cache);
            Path tmp = Files.createTempFile(cache, name, ".part");
            ModelSynthesizer.synthesize(name, entry.architecture(), ModelSynthesizer.DEFAULT_SEED, tmp);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return cache;
    }

    /** Where synthesized demo models are kept between runs, outside the working tree. */
    static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("tagstream").resolve("models");
    }

    private static void createTopics(EmbeddedKafka kafka, Settings settings, int maxRecord) throws Exception {
        Map<String, String> configs = Map.of("max.message.bytes", String.valueOf(maxRecord));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(
                    new NewTopic(settings.inputTopic(), 4, (short) 1).configs(configs),
                    new NewTopic(settings.outputTopic(), 4, (short) 1).configs(configs),
                    new NewTopic(settings.dlqTopic(), 1, (short) 1).configs(configs))).all().get();
        }
    }

    private Map<String, Path> publish(Settings settings, List<Path> files, PrintWriter err) throws Exception {
        ImageEventSerde serde = new ImageEventSerde();
        serde.configure(settings.kafkaProperties(), false);
        int total = count > 0 ? count : files.size();
        Map<String, Path> sent = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(settings)) {
            ImagePublisher publisher = new ImagePublisher(producer, serde.serializer(), settings.inputTopic(),
                    settings.modelHeader(), model, settings.imageMaxBytes());
            List<ImagePublisher.Sent> acks = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                Path f = files.get(i % files.size());
                try {
                    acks.add(publisher.publish(f));
                } catch (ImagePublisher.FileTooLargeException e) {
                    err.println("demo: refused " + e.getMessage());
                }
            }
            producer.flush();
            for (ImagePublisher.Sent s : acks) {
                s.ack().get(30, TimeUnit.SECONDS);
                sent.put(s.id(), s.file());
            }
        }
        err.println("demo: published " + sent.size() + " image events to " + settings.inputTopic());
        return sent;
    }

    /** Reads outcomes until every published id has one, or the time is up; prints each as it arrives. */
    private Map<String, Outcome> collect(Settings settings, Map<String, Path> sent, PrintWriter out) {
        PredictionSerde predictions = new PredictionSerde();
        predictions.configure(settings.kafkaProperties(), false);
        ImageEventSerde events = new ImageEventSerde();
        events.configure(settings.kafkaProperties(), false);
        Map<String, Outcome> outcomes = new HashMap<>();
        long deadline = System.nanoTime() + OUTCOME_TIMEOUT.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(settings, true)) {
            consumer.subscribe(List.of(settings.outputTopic(), settings.dlqTopic()));
            while (outcomes.size() < sent.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Outcome o;
                    if (r.topic().equals(settings.outputTopic())) {
                        Prediction p = predictions.deserializer().deserialize(r.topic(), r.value());
                        o = Outcome.of(p);
                    } else {
                        o = Outcome.ofDeadLetter(r, events.deserializer());
                    }
                    String id = o.id() != null ? o.id() : r.key() == null ? null
                            : new String(r.key(), StandardCharsets.UTF_8);
                    if (id != null && sent.containsKey(id) && outcomes.putIfAbsent(id, o) == null) {
                        Path file = sent.get(id);
                        Outcome named = new Outcome(id, file.getFileName().toString(), o.predicted(), o.model(),
                                o.trained(), o.top(), o.reason(), o.message());
                        out.println(json ? named.json(3) : named.text(3));
                        out.flush();
                    }
                }
            }
        }
        return outcomes;
    }

    private static List<Path> bundledSamples(Path work) throws IOException {
        Path dir = Files.createDirectories(work.resolve("samples"));
        List<Path> out = new ArrayList<>();
        try (InputStream index = DemoCommand.class.getResourceAsStream("/samples/index.txt")) {
            if (index == null) {
                throw new IOException("bundled samples are missing from the jar");
            }
            for (String name : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (name.isBlank()) {
                    continue;
                }
                try (InputStream in = DemoCommand.class.getResourceAsStream("/samples/" + name.trim())) {
                    Path f = dir.resolve(name.trim());
                    Files.copy(in, f);
                    out.add(f);
                }
            }
        }
        return out;
    }
}
