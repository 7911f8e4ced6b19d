package dev.tagstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tagstream.reliability.ReliabilityEnv.Kind;
import dev.tagstream.reliability.ReliabilityEnv.Tally;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two processors as separate JVMs share four partitions; one is killed with SIGKILL while its tasks hold pending
 * batches whose input offsets are already committed (the records are only in the pending store and its changelog).
 * The survivor takes the partitions over, restores the pending records and classifies them. Counted per event id
 * over predictions and dead letters, read_committed: nothing lost under at_least_once, and nothing lost and nothing
 * duplicated under exactly_once_v2.
 */
@Tag("reliability")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CrashReliabilityIT {
    private static final int EVENTS = 400;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"at_least_once", "exactly_once_v2"})
    void shouldLoseNothingWhenAProcessorIsKilledWithCommittedPendingRecords(String guarantee) throws Exception {
        try (ReliabilityEnv env = new ReliabilityEnv("tiny", 4)) {
            String appId = "rel-crash-" + guarantee.replace('_', '-') + "-" + env.run;
            // Batches of 40 drain by count; what is left (about 20 per partition) waits up to 30 s: pending, with
            // its offsets committed every 200 ms.
            Map<String, String> settings = env.processorSettings(appId, guarantee, Map.of(
                    "tagstream.batch.max-size", "40", "tagstream.batch.max-delay-ms", "30000"));
            List<ChildProcessor> children = new ArrayList<>();
            try {
                ChildProcessor a = ChildProcessor.start("a", env.dir, settings, "512m");
                children.add(a);
                ChildProcessor b = ChildProcessor.start("b", env.dir, settings, "512m");
                children.add(b);
                await("both processors ready").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                        .until(() -> {
                            assertThat(a.isAlive()).as("a alive: " + a.logTail(30)).isTrue();
                            assertThat(b.isAlive()).as("b alive: " + b.logTail(30)).isTrue();
                            return a.ready() && b.ready();
                        });

                Set<String> ids = new LinkedHashSet<>();
                Map<String, String> expectedDlq = new HashMap<>();
                try (KafkaProducer<byte[], byte[]> producer = env.producer()) {
                    for (int i = 0; i < EVENTS; i++) {
                        String id = "crash-" + env.run + "-" + i;
                        Kind kind = ReliabilityEnv.kindOf(i);
                        ids.add(id);
                        if (kind == Kind.NOT_AN_IMAGE) {
                            expectedDlq.put(id, "UNSUPPORTED_FORMAT");
                        } else if (kind == Kind.NOT_AVRO) {
                            expectedDlq.put(id, "DESERIALIZATION");
                        }
                        env.send(producer, id, kind, i);
                    }
                    producer.flush();
                }

                // Every input offset committed, while records still wait in pending batches of the victim.
                await("all input offsets committed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                        .until(() -> env.committed(appId).values().stream().mapToLong(Long::longValue).sum() == EVENTS);
                await("victim holds pending records").atMost(Duration.ofSeconds(10))
                        .until(() -> a.metric("tagstream_records_pending", "").orElse(0) > 0);
                double pendingAtKill = a.metric("tagstream_records_pending", "").orElse(-1);
                int outcomesBeforeKill = env.readOutcomes(Duration.ofSeconds(1)).size();
                assertThat(outcomesBeforeKill).as("some records have no outcome yet").isLessThan(EVENTS);
                Map<Integer, Long> committedAtKill = env.committed(appId);

                a.kill();
                long killedAt = System.nanoTime();

                await("every event accounted for after the kill").atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofSeconds(2)).until(() -> {
                            assertThat(b.isAlive()).as("survivor alive: " + b.logTail(30)).isTrue();
                            return ReliabilityEnv.tally(ids, env.readOutcomes(Duration.ofMillis(800))).lost() == 0;
                        });
                double recoverySeconds = (System.nanoTime() - killedAt) / 1e9;
                // Let late duplicates, if any, arrive before the final count.
                List<ReliabilityEnv.Outcome> outcomes = env.readOutcomes(Duration.ofSeconds(5));
                Tally tally = ReliabilityEnv.tally(ids, outcomes);
                long restoredLines = b.logCount("pending records restored from the changelog");

                String report = String.join("\n",
                        "scenario=crash " + guarantee,
                        "events=" + EVENTS,
                        "committed_offsets_at_kill=" + committedAtKill,
                        "victim_pending_at_kill=" + (long) pendingAtKill,
                        "outcomes_before_kill=" + outcomesBeforeKill,
                        "survivor_restore_log_lines=" + restoredLines,
                        "seconds_from_kill_to_all_accounted=" + String.format("%.1f", recoverySeconds),
                        "tally=" + tally, "");
                Files.writeString(ReliabilityEnv.outDir().resolve("crash-" + guarantee + ".txt"), report);
                System.out.println(report);

                assertThat(tally.lost()).as(tally.toString()).isZero();
                if (guarantee.equals("exactly_once_v2")) {
                    assertThat(tally.duplicated()).as(tally.toString()).isZero();
                }
                assertThat(restoredLines).as("the survivor restored the victim's pending batches").isPositive();
                Map<String, String> deadLetters = outcomes.stream().filter(ReliabilityEnv.Outcome::deadLetter)
                        .filter(o -> ids.contains(o.id()))
                        .collect(Collectors.toMap(ReliabilityEnv.Outcome::id, o -> String.valueOf(o.reason()),
                                (x, y) -> x));
                assertThat(deadLetters).as("only the bad events are dead-lettered, each with its reason")
                        .isEqualTo(expectedDlq);
            } finally {
                children.forEach(ChildProcessor::close);
                for (ChildProcessor c : children) {
                    Files.copy(c.log, ReliabilityEnv.outDir().resolve("crash-" + guarantee + "-" + c.name + ".log"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
