package dev.tagstream.cli;

import dev.tagstream.avro.Prediction;
import dev.tagstream.config.Settings;
import dev.tagstream.serde.ImageEventSerde;
import dev.tagstream.serde.PredictionSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Prints predictions and dead letters as they arrive, until Ctrl-C (or --max / --idle-exit).")
final class TailCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--topic", description = "Predictions topic (default: tagstream.output.topic).")
    String topic;

    @Option(names = "--dlq-topic", description = "Dead-letter topic (default: tagstream.dlq.topic).")
    String dlqTopic;

    @Option(names = "--no-dlq", description = "Only predictions.")
    boolean noDlq;

    @Option(names = "--from-beginning", description = "Start at the oldest record instead of new ones.")
    boolean fromBeginning;

    @Option(names = "--json", description = "One JSON object per outcome.")
    boolean json;

    @Option(names = "--top", defaultValue = "3", description = "Labels per prediction (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--max", defaultValue = "0", description = "Stop after this many outcomes (0: never).")
    long max;

    @Option(names = "--idle-exit", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop after this long with nothing new (0: never).")
    long idleExit;

    @Override
    public Integer call() {
        Settings settings = config.load(System.getenv(), List.of());
        PredictionSerde predictions = new PredictionSerde();
        predictions.configure(settings.kafkaProperties(), false);
        ImageEventSerde events = new ImageEventSerde();
        events.configure(settings.kafkaProperties(), false);
        String out = topic != null ? topic : settings.outputTopic();
        String dlq = dlqTopic != null ? dlqTopic : settings.dlqTopic();
        List<String> topics = new ArrayList<>(List.of(out));
        if (!noDlq) {
            topics.add(dlq);
        }
        long seen = 0;
        long idleSince = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(settings, fromBeginning)) {
            consumer.subscribe(topics);
            while (max == 0 || seen < max) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    if (idleExit > 0 && System.nanoTime() - idleSince > Duration.ofSeconds(idleExit).toNanos()) {
                        break;
                    }
                    continue;
                }
                idleSince = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    Outcome o;
                    if (r.topic().equals(out)) {
                        Prediction p;
                        try {
                            p = predictions.deserializer().deserialize(r.topic(), r.value());
                        } catch (RuntimeException e) {
                            System.err.println("tail: unreadable prediction at " + r.topic() + "-" + r.partition()
                                    + "@" + r.offset() + ": " + e.getMessage());
                            continue;
                        }
                        o = Outcome.of(p);
                    } else {
                        o = Outcome.ofDeadLetter(r, events.deserializer());
                    }
                    System.out.println(json ? o.json(top) : o.text(top));
                    seen++;
                    if (max > 0 && seen >= max) {
                        break;
                    }
                }
            }
        }
        return 0;
    }
}
