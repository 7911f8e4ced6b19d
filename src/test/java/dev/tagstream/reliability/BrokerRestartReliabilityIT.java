package dev.tagstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tagstream.reliability.ReliabilityEnv.Kind;
import dev.tagstream.reliability.ReliabilityEnv.Tally;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker (controller and broker in one KRaft node) is stopped in the middle of a steady stream and started again
 * on the same ports and log directory after {@code OUTAGE}. The processor, a child JVM, is not touched: it must ride
 * the outage out on its own, stay alive, and account for every event once the broker is back.
 */
@Tag("reliability")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BrokerRestartReliabilityIT {
    private static final int EVENTS = 300;
    private static final int RATE_PER_SECOND = 10;
    private static final int STOP_AFTER = 100;
    private static final Duration OUTAGE = Duration.ofSeconds(20);

    @Test
    void shouldRecoverOnItsOwnAndLoseNothingWhenTheBrokerRestartsMidStream() throws Exception {
        try (ReliabilityEnv env = new ReliabilityEnv("tiny", 4)) {
            String appId = "rel-broker-" + env.run;
            Map<String, String> settings = env.processorSettings(appId, "at_least_once", Map.of(
                    "tagstream.batch.max-size", "16", "tagstream.batch.max-delay-ms", "200"));
            ChildProcessor child = ChildProcessor.start("p", env.dir, settings, "512m");
            ExecutorService sender = Executors.newSingleThreadExecutor();
            ReliabilityEnv.Watcher watcher = null;
            try {
                await("processor ready").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                        .until(() -> {
                            assertThat(child.isAlive()).as(child.logTail(30)).isTrue();
                            return child.ready();
                        });
                watcher = env.new Watcher();
                Set<String> ids = ConcurrentHashMap.newKeySet();
                Future<?> producing = sender.submit(() -> {
                    try (KafkaProducer<byte[], byte[]> producer = env.producer()) {
                        for (int i = 0; i < EVENTS; i++) {
                            String id = "broker-" + env.run + "-" + i;
                            ids.add(id);
                            env.send(producer, id, ReliabilityEnv.kindOf(i), i);
                            Thread.sleep(1000 / RATE_PER_SECOND);
                        }
                        producer.flush();
                    }
                    return null;
                });
                await("first events sent").atMost(Duration.ofMinutes(1)).until(() -> ids.size() >= STOP_AFTER);
                // Not env.readOutcomes here: it reads until the stream goes quiet, which a steady stream never does.
                int outcomesBeforeStop = watcher.arrivals().size();
                int sentAtStop = ids.size();

                long stopStart = System.nanoTime();
                env.kafka.stop();
                double stopSeconds = (System.nanoTime() - stopStart) / 1e9;
                Thread.sleep(OUTAGE.toMillis());
                assertThat(child.isAlive()).as("processor alive during the outage: " + child.logTail(30)).isTrue();
                long restartStart = System.nanoTime();
                int sentAtRestart = ids.size();
                env.kafka.restart();
                double restartSeconds = (System.nanoTime() - restartStart) / 1e9;
                long backAt = System.nanoTime();

                ReliabilityEnv.Watcher w = watcher;
                await("first new outcome after the restart").atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> !Double.isNaN(w.secondsToFirstAfter(backAt)));
                double firstOutcomeSeconds = w.secondsToFirstAfter(backAt);
                producing.get(5, TimeUnit.MINUTES);
                await("every event accounted for").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> {
                            assertThat(child.isAlive()).as(child.logTail(30)).isTrue();
                            return ReliabilityEnv.tally(ids, env.readOutcomes(Duration.ofMillis(800))).lost() == 0;
                        });
                double allSeconds = w.arrivals().stream().filter(a -> ids.contains(a.outcome().id()))
                        .mapToLong(ReliabilityEnv.Watcher.Arrival::nanos).max().orElse(backAt) / 1e9 - backAt / 1e9;
                long outcomesDuringOutage = w.arrivals().stream()
                        .filter(a -> a.nanos() > stopStart && a.nanos() < backAt).count();
                Tally tally = ReliabilityEnv.tally(ids, env.readOutcomes(Duration.ofSeconds(5)));
                long replaced = child.logCount("replacing it, its records will be read again");

                String report = String.join("\n",
                        "scenario=broker stopped and restarted (at_least_once)",
                        "events=" + EVENTS + " at " + RATE_PER_SECOND + "/s, broker stopped after " + STOP_AFTER,
                        "events_sent_at_stop=" + sentAtStop + " (the producer keeps sending into its buffer)",
                        "events_sent_at_restart=" + sentAtRestart,
                        "outcomes_before_stop=" + outcomesBeforeStop,
                        "outage_seconds=" + OUTAGE.toSeconds(),
                        "broker_stop_seconds=" + String.format("%.1f", stopSeconds),
                        "broker_restart_seconds=" + String.format("%.1f", restartSeconds),
                        "seconds_from_broker_back_to_first_new_outcome=" + String.format("%.1f", firstOutcomeSeconds),
                        "seconds_from_broker_back_to_last_outcome=" + String.format("%.1f", allSeconds),
                        "outcomes_seen_while_broker_down=" + outcomesDuringOutage,
                        "stream_thread_replacements=" + replaced,
                        "processor_alive=" + child.isAlive(),
                        "tally=" + tally, "");
                Files.writeString(ReliabilityEnv.outDir().resolve("broker-restart.txt"), report);
                System.out.println(report);

                assertThat(sentAtStop).as("the broker went away mid-stream").isLessThan(EVENTS);
                assertThat(outcomesBeforeStop).as("the broker went away mid-stream").isLessThan(EVENTS);
                assertThat(tally.lost()).as(tally.toString()).isZero();
                assertThat(child.isAlive()).isTrue();
                assertThat(tally.dlqReasons().keySet()).as("only bad events are dead-lettered")
                        .isSubsetOf(Set.of("UNSUPPORTED_FORMAT", "DESERIALIZATION"));
            } finally {
                sender.shutdownNow();
                if (watcher != null) {
                    watcher.close();
                }
                child.close();
                Files.copy(child.log, ReliabilityEnv.outDir().resolve("broker-restart-processor.log"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
