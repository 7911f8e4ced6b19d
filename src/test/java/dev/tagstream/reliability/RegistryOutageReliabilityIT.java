package dev.tagstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tagstream.reliability.ReliabilityEnv.Kind;
import dev.tagstream.reliability.ReliabilityEnv.Tally;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The schema registry goes away while events arrive that the processor cannot read without it. The processor (a
 * child JVM) was started with the registry up but has read nothing yet, so its client's cache is cold: it knows
 * neither the events' writer schema id nor the id of the prediction schema. During the outage no event may be
 * dead-lettered for the registry's sake and none may be lost: they wait (the stream thread fails with the retriable
 * RegistryUnavailableException and is replaced) and flow once the registry is back on the same port and store.
 */
@Tag("reliability")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RegistryOutageReliabilityIT {
    private static final int EVENTS = 100;
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"at_least_once", "exactly_once_v2"})
    void shouldHoldRecordsAndNotDeadLetterThemWhileTheRegistryIsDown(String guarantee) throws Exception {
        try (ReliabilityEnv env = new ReliabilityEnv("tiny", 4)) {
            String appId = "rel-registry-" + guarantee.replace('_', '-') + "-" + env.run;
            Map<String, String> settings = env.processorSettings(appId, guarantee, Map.of(
                    "tagstream.batch.max-size", "16", "tagstream.batch.max-delay-ms", "200"));
            ChildProcessor child = ChildProcessor.start("p", env.dir, settings, "512m");
            try {
                await("processor ready").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                        .until(() -> {
                            assertThat(child.isAlive()).as(child.logTail(30)).isTrue();
                            return child.ready();
                        });

                env.registry.stop();
                long downAt = System.nanoTime();
                Set<String> ids = new LinkedHashSet<>();
                Map<String, String> expectedDlq = new HashMap<>();
                try (KafkaProducer<byte[], byte[]> producer = env.producer()) {
                    for (int i = 0; i < EVENTS; i++) {
                        String id = "registry-" + env.run + "-" + i;
                        Kind kind = ReliabilityEnv.kindOf(i);
                        ids.add(id);
                        if (kind == Kind.NOT_AN_IMAGE) {
                            expectedDlq.put(id, "UNSUPPORTED_FORMAT");
                        } else if (kind == Kind.NOT_AVRO) {
                            expectedDlq.put(id, "DESERIALIZATION");
                        }
                        env.send(producer, id, kind, i); // the producer's own client cached the schema id before
                    }
                    producer.flush();
                }
                Thread.sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - downAt) / 1_000_000));

                List<ReliabilityEnv.Outcome> duringOutage = env.readOutcomes(Duration.ofSeconds(1));
                long predictedDuringOutage = duringOutage.stream().filter(o -> !o.deadLetter()).count();
                long wronglyDeadDuringOutage = duringOutage.stream().filter(ReliabilityEnv.Outcome::deadLetter)
                        .filter(o -> !expectedDlq.containsKey(o.id())).count();
                long replacedDuringOutage = child.logCount("replacing it, its records will be read again");
                boolean aliveDuringOutage = child.isAlive();

                env.registry.restart();
                long backAt = System.nanoTime();
                await("every event accounted for after the registry is back").atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofSeconds(1)).until(() -> {
                            assertThat(child.isAlive()).as(child.logTail(30)).isTrue();
                            return ReliabilityEnv.tally(ids, env.readOutcomes(Duration.ofMillis(500))).lost() == 0;
                        });
                double recoverySeconds = (System.nanoTime() - backAt) / 1e9;
                List<ReliabilityEnv.Outcome> outcomes = env.readOutcomes(Duration.ofSeconds(5));
                Tally tally = ReliabilityEnv.tally(ids, outcomes);
                long replacedTotal = child.logCount("replacing it, its records will be read again");
                long wronglyDead = outcomes.stream().filter(ReliabilityEnv.Outcome::deadLetter)
                        .filter(o -> ids.contains(o.id()) && !expectedDlq.containsKey(o.id())).count();

                String report = String.join("\n",
                        "scenario=registry outage, cold client cache (" + guarantee + ")",
                        "events=" + EVENTS + " produced during the outage",
                        "outage_seconds=" + OUTAGE.toSeconds(),
                        "predicted_during_outage=" + predictedDuringOutage,
                        "good_events_dead_lettered_during_outage=" + wronglyDeadDuringOutage,
                        "dead_letters_during_outage=" + duringOutage.stream().filter(o -> o.deadLetter()).count(),
                        "stream_thread_replacements_during_outage=" + replacedDuringOutage,
                        "stream_thread_replacements_total=" + replacedTotal,
                        "processor_alive_during_outage=" + aliveDuringOutage,
                        "seconds_from_registry_back_to_all_accounted=" + String.format("%.1f", recoverySeconds),
                        "good_events_dead_lettered=" + wronglyDead,
                        "tally=" + tally, "");
                Files.writeString(ReliabilityEnv.outDir().resolve("registry-outage-" + guarantee + ".txt"), report);
                System.out.println(report);

                assertThat(aliveDuringOutage).isTrue();
                assertThat(predictedDuringOutage).as("nothing can be predicted without the registry").isZero();
                assertThat(replacedDuringOutage).as("the outage really bit: the stream thread failed and was replaced")
                        .isPositive();
                assertThat(wronglyDead).as("no good event dead-lettered for the registry's outage").isZero();
                assertThat(tally.lost()).as(tally.toString()).isZero();
                if (guarantee.equals("exactly_once_v2")) {
                    assertThat(tally.duplicated()).as(tally.toString()).isZero();
                }
            } finally {
                child.close();
                Files.copy(child.log, ReliabilityEnv.outDir().resolve("registry-outage-" + guarantee + "-processor.log"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
