package dev.tagstream.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tagstream.reliability.ReliabilityEnv.Tally;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
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
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A steady stream of small real JPEG and PNG events ({@code soak.rate} per second, default 5) for
 * {@code soak.minutes} (default 10) against one processor child JVM running the resnet18_swsl stand-in. Every 5 s the
 * child's heap in use (from its /metrics) and its resident set size (/proc/PID/status VmRSS) are sampled; the series
 * go to a CSV and a PNG plot. It fails if RSS keeps growing: the least-squares slope over the last two thirds of the
 * run (the first third is warm-up: JIT, ONNX Runtime arenas, class loading) must stay at most
 * {@code soak.max-rss-slope-mb-per-min} (default 1 MB/min). The heap is fixed and pre-touched (-Xms = -Xmx,
 * AlwaysPreTouch), so heap growth cannot pass for a native leak, and a native leak is what RSS is watched for.
 * At 5 events/s, 1 MB/min is a leak of about 3.5 KB per event, less than one of the sample images. The child runs
 * with native memory tracking (summary): a baseline is taken at a sixth of the run and the diff at the end is saved
 * as soak-nmt.txt, to say where RSS growth went.
 */
@Tag("reliability")
@Timeout(value = 90, unit = TimeUnit.MINUTES)
class SoakReliabilityIT {
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);

    record Sample(double minutes, long sent, double heapBytes, long rssBytes, double predicted, double pollGapMaxMs) {}

    @Test
    void shouldKeepRssFlatUnderASteadyStream() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("soak.minutes", "10"));
        int rate = Integer.parseInt(System.getProperty("soak.rate", "5"));
        double maxSlope = Double.parseDouble(System.getProperty("soak.max-rss-slope-mb-per-min", "1.0"));
        String architecture = System.getProperty("soak.architecture", "resnet18");
        try (ReliabilityEnv env = new ReliabilityEnv(architecture, 4)) {
            String appId = "rel-soak-" + env.run;
            Map<String, String> settings = env.processorSettings(appId, "at_least_once", Map.of(
                    "tagstream.batch.max-size", "16", "tagstream.batch.max-delay-ms", "200"));
            ChildProcessor child = ChildProcessor.start("p", env.dir, settings,
                    List.of("-Xms384m", "-Xmx384m", "-XX:+AlwaysPreTouch", "-XX:NativeMemoryTracking=summary"));
            ExecutorService sender = Executors.newSingleThreadExecutor();
            List<Sample> samples = new ArrayList<>();
            try {
                await("processor ready").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                        .until(() -> {
                            assertThat(child.isAlive()).as(child.logTail(30)).isTrue();
                            return child.ready();
                        });
                Set<String> ids = ConcurrentHashMap.newKeySet();
                long runNanos = (long) (minutes * 60e9);
                long start = System.nanoTime();
                Future<?> producing = sender.submit(() -> {
                    try (KafkaProducer<byte[], byte[]> producer = env.producer()) {
                        long periodNanos = 1_000_000_000L / rate;
                        long next = System.nanoTime();
                        for (int i = 0; System.nanoTime() - start < runNanos; i++) {
                            String id = "soak-" + env.run + "-" + i;
                            ids.add(id);
                            env.send(producer, id, ReliabilityEnv.Kind.IMAGE, i);
                            next += periodNanos;
                            long sleep = next - System.nanoTime();
                            if (sleep > 0) {
                                TimeUnit.NANOSECONDS.sleep(sleep);
                            }
                        }
                        producer.flush();
                    }
                    return null;
                });
                boolean baselined = false;
                while (System.nanoTime() - start < runNanos) {
                    if (!baselined && System.nanoTime() - start > runNanos / 6) {
                        // Native memory baseline halfway through warm-up (attaching costs a thread and some memory:
                        // do it once, before the fitted window), compared with the end of the run below.
                        child.jcmd("VM.native_memory", "baseline");
                        baselined = true;
                    }
                    assertThat(child.isAlive()).as(child.logTail(30)).isTrue();
                    samples.add(new Sample((System.nanoTime() - start) / 60e9, ids.size(),
                            child.metric("jvm_memory_used_bytes", "area=\"heap\"").orElse(Double.NaN),
                            child.rssBytes(),
                            child.metric("tagstream_records_predicted_total", "").orElse(Double.NaN),
                            child.metric("kafka_consumer_time_between_poll_max", "StreamThread-1-consumer")
                                    .orElse(Double.NaN)));
                    Thread.sleep(SAMPLE_EVERY.toMillis());
                }
                String nmt = child.jcmd("VM.native_memory", "summary.diff");
                Files.writeString(ReliabilityEnv.outDir().resolve("soak-nmt.txt"), nmt);
                producing.get(2, TimeUnit.MINUTES);
                await("every event accounted for").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(3))
                        .until(() -> ReliabilityEnv.tally(ids, env.readOutcomes(Duration.ofMillis(800))).lost() == 0);
                Tally tally = ReliabilityEnv.tally(ids, env.readOutcomes(Duration.ofSeconds(3)));

                Path out = ReliabilityEnv.outDir();
                writeCsv(out.resolve("soak.csv"), samples);
                plot(out.resolve("soak.png"), samples, minutes);
                List<Sample> tail = samples.subList(samples.size() / 3, samples.size());
                double rssSlope = slopePerMinute(tail, s -> s.rssBytes() / 1e6);
                double heapSlope = slopePerMinute(tail, s -> s.heapBytes() / 1e6);
                Sample first = samples.get(0);
                Sample last = samples.get(samples.size() - 1);
                double maxPollGap = samples.stream().mapToDouble(Sample::pollGapMaxMs).filter(d -> !Double.isNaN(d))
                        .max().orElse(Double.NaN);
                String report = String.join("\n",
                        "scenario=soak " + architecture + " " + minutes + " min at " + rate + " events/s",
                        "samples=" + samples.size() + " every " + SAMPLE_EVERY.toSeconds() + " s",
                        "events=" + ids.size(),
                        String.format("rss_mb first=%.1f last=%.1f max=%.1f", first.rssBytes() / 1e6,
                                last.rssBytes() / 1e6,
                                samples.stream().mapToLong(Sample::rssBytes).max().orElse(0) / 1e6),
                        String.format("heap_used_mb first=%.1f last=%.1f max=%.1f", first.heapBytes() / 1e6,
                                last.heapBytes() / 1e6,
                                samples.stream().mapToDouble(Sample::heapBytes).max().orElse(0) / 1e6),
                        String.format("rss_slope_mb_per_min_last_two_thirds=%.3f (limit %.2f)", rssSlope, maxSlope),
                        String.format("heap_slope_mb_per_min_last_two_thirds=%.3f", heapSlope),
                        String.format("max_time_between_polls_ms=%.0f", maxPollGap),
                        "tally=" + tally, "");
                Files.writeString(out.resolve("soak.txt"), report);
                System.out.println(report);

                assertThat(tally.lost()).as(tally.toString()).isZero();
                assertThat(tally.deadLetters()).as("only good images were sent").isZero();
                assertThat(samples).as("enough samples for a fit").hasSizeGreaterThanOrEqualTo(12);
                assertThat(rssSlope).as("RSS growth after warm-up, MB/min").isLessThanOrEqualTo(maxSlope);
            } finally {
                sender.shutdownNow();
                child.close();
                Files.copy(child.log, ReliabilityEnv.outDir().resolve("soak-processor.log"),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Least-squares slope of {@code y} against minutes. */
    static double slopePerMinute(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> y) {
        double n = 0;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (Sample s : samples) {
            double v = y.applyAsDouble(s);
            if (Double.isNaN(v) || v < 0) {
                continue;
            }
            n++;
            sx += s.minutes();
            sy += v;
            sxx += s.minutes() * s.minutes();
            sxy += s.minutes() * v;
        }
        return (n * sxy - sx * sy) / (n * sxx - sx * sx);
    }

    private static void writeCsv(Path file, List<Sample> samples) throws IOException {
        StringBuilder sb = new StringBuilder("minutes,events_sent,heap_used_bytes,rss_bytes,predicted_total,"
                + "time_between_poll_max_ms\n");
        for (Sample s : samples) {
            sb.append(String.format("%.3f,%d,%.0f,%d,%.0f,%.0f%n", s.minutes(), s.sent(), s.heapBytes(),
                    s.rssBytes(), s.predicted(), s.pollGapMaxMs()));
        }
        Files.writeString(file, sb.toString());
    }

    private static void plot(Path file, List<Sample> samples, double minutes) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(450)
                .title(String.format("tagstream soak: processor memory, %.0f min", minutes))
                .xAxisTitle("minutes").yAxisTitle("MB").build();
        double[] x = samples.stream().mapToDouble(Sample::minutes).toArray();
        chart.addSeries("RSS (VmRSS)", x, samples.stream().mapToDouble(s -> s.rssBytes() / 1e6).toArray())
                .setMarker(SeriesMarkers.NONE);
        chart.addSeries("heap used", x, samples.stream().mapToDouble(s -> s.heapBytes() / 1e6).toArray())
                .setMarker(SeriesMarkers.NONE);
        chart.getStyler().setYAxisMin(0.0);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
