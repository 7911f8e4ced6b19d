package dev.tagstream.cli;

import dev.tagstream.config.Settings;
import dev.tagstream.serde.ImageEventSerde;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Publishes image files as ImageEvents, one per file, to the input topic.")
final class ProduceCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--images", paramLabel = "DIR|FILE", description = "A directory of images, or a file; repeatable.")
    List<Path> images = new ArrayList<>();

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "More files or directories.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--model", description = "Model header to set on every event (default: none, the service's default).")
    String model;

    @Option(names = "--topic", description = "Topic (default: tagstream.input.topic).")
    String topic;

    @Option(names = "--skip-non-images", description = "Do not publish files that do not start like an image.")
    boolean skipNonImages;

    @Override
    public Integer call() throws Exception {
        Settings settings = config.load(System.getenv(), List.of());
        List<Path> all = new ArrayList<>(images);
        all.addAll(files);
        if (all.isEmpty()) {
            System.err.println("produce: name at least one image file or directory (--images DIR)");
            return 2;
        }
        List<Path> paths = ImageFiles.expand(all);
        ImageEventSerde serde = new ImageEventSerde();
        serde.configure(settings.kafkaProperties(), false);
        String target = topic != null ? topic : settings.inputTopic();
        int sent = 0;
        int skipped = 0;
        int refused = 0;
        PrintStream err = System.err;
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(settings)) {
            ImagePublisher publisher = new ImagePublisher(producer, serde.serializer(), target,
                    settings.modelHeader(), model, settings.imageMaxBytes());
            List<ImagePublisher.Sent> pending = new ArrayList<>();
            ProgressBar bar = new ProgressBar(err, paths.size());
            for (Path p : paths) {
                if (skipNonImages && !ImageFiles.looksLikeImage(p)) {
                    skipped++;
                } else {
                    try {
                        pending.add(publisher.publish(p));
                    } catch (ImagePublisher.FileTooLargeException e) {
                        bar.clear();
                        err.println("produce: refused " + e.getMessage());
                        refused++;
                    }
                }
                bar.step();
            }
            producer.flush();
            for (ImagePublisher.Sent s : pending) {
                try {
                    s.ack().get(settings.startupTimeoutMs(), TimeUnit.MILLISECONDS);
                    sent++;
                } catch (ExecutionException | TimeoutException e) {
                    err.println("produce: " + s.file() + " was not acknowledged: " + e.getMessage());
                }
            }
            bar.clear();
        }
        System.out.println("produced " + sent + " of " + paths.size() + " files to " + target
                + (skipped > 0 ? ", skipped " + skipped + " non-images" : "")
                + (refused > 0 ? ", refused " + refused + " over the size limit" : ""));
        return sent + skipped == paths.size() ? 0 : 1;
    }
}
