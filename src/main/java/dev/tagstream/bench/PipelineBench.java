package dev.tagstream.bench;

import dev.tagstream.config.Settings;
import dev.tagstream.config.SettingsLoader;
import dev.tagstream.embedded.EmbeddedKafka;
import dev.tagstream.embedded.EmbeddedSchemaRegistry;
import dev.tagstream.image.SyntheticPhotos;
import dev.tagstream.ops.StreamsProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code bench pipeline}: end to end through the embedded real broker (4 input partitions), swept over
 * {@code batch.max-size} x {@code batch.max-delay-ms} at full speed, plus the one-at-a-time baseline, plus fixed
 * offered loads (fractions of the measured maximum) for latency; the bare session figure for the same model and
 * batch sizes is measured in the same run. Reports against the targets; never asserts.
 */
public final class PipelineBench {
    /** The sweep. */
    public record Sweep(String model, int[] maxSizes, long[] maxDelaysMs, int latencyMaxSize, double[] loads,
            int streamThreads) {}

    private PipelineBench() {}

    public static Results run(BenchOptions o, Sweep sw) throws Exception {
        Settings base = SettingsLoader.load(o.configFile(), Map.of(), o.sets());
        ModelFiles.Located model = ModelFiles.ensure(base, sw.model(), o.err());
        String name = model.entry().name();
        int points = sw.maxSizes().length * sw.maxDelaysMs().length + 1 + sw.maxDelaysMs().length * sw.loads().length
                + 1;
        TreeSet<Integer> bareSizes = new TreeSet<>();
        bareSizes.add(1);
        for (int s : sw.maxSizes()) {
            bareSizes.add(s);
        }
        bareSizes.add(sw.latencyMaxSize());
        Progress progress = new Progress(o.err(), points + bareSizes.size());
        double bareSeconds = Math.max(2, o.seconds() / 4);
        List<ModelBench.Row> bare = ModelBench.run(name, model.file(), model.trained(),
                bareSizes.stream().mapToInt(Integer::intValue).toArray(), bareSeconds, 1, progress);
        Map<Integer, ModelBench.Row> bareBy = new LinkedHashMap<>();
        bare.forEach(r -> bareBy.put(r.batch(), r));

        byte[][] images = new byte[4][];
        for (int i = 0; i < images.length; i++) {
            images[i] = SyntheticPhotos.jpeg(640, 480, 11 + i, 0.9f);
        }
        Path work = Files.createTempDirectory("tagstream-bench-");
        List<PipelinePoint> sat = new ArrayList<>();
        List<PipelinePoint> lat = new ArrayList<>();
        PipelinePoint baseline;
        PipelinePoint baselineLatency;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(StreamsProperties.maxRecordBytes(base) + (1 << 20), Map.of());
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(0)) {
            PipelineRun.Env env = new PipelineRun.Env(kafka.bootstrapServers(), registry.url(), o.configFile(),
                    o.sets(), model.dir(), name, sw.streamThreads(), images, o.warmupSeconds(), o.seconds(), work);
            int seq = 0;
            for (int size : sw.maxSizes()) {
                for (long delay : sw.maxDelaysMs()) {
                    String label = "batch " + size + " / " + delay + " ms";
                    progress.begin("pipeline " + label + " at full speed");
                    sat.add(PipelineRun.run(env, seq++, label, size, delay, 0));
                    progress.step();
                }
            }
            progress.begin("pipeline one-at-a-time (batch 1 / 0 ms) at full speed");
            baseline = PipelineRun.run(env, seq++, "one-at-a-time", 1, 0, 0);
            progress.step();
            for (long delay : sw.maxDelaysMs()) {
                PipelinePoint max = find(sat, sw.latencyMaxSize(), delay);
                double maxRate = max != null ? max.recordsPerSecond() : baseline.recordsPerSecond();
                for (double f : sw.loads()) {
                    double rate = Math.max(0.5, f * maxRate);
                    String label = "batch " + sw.latencyMaxSize() + " / " + delay + " ms @ " + f + " max";
                    progress.begin("pipeline " + label + " (" + Table.num(rate, 1) + "/s)");
                    lat.add(PipelineRun.run(env, seq++, label, sw.latencyMaxSize(), delay, rate));
                    progress.step();
                }
            }
            double rate = Math.max(0.5, 0.5 * baseline.recordsPerSecond());
            progress.begin("pipeline one-at-a-time @ 0.5 max (" + Table.num(rate, 1) + "/s)");
            baselineLatency = PipelineRun.run(env, seq, "one-at-a-time @ 0.5 max", 1, 0, rate);
            progress.step();
        } finally {
            deleteRecursively(work);
        }
        progress.finish();
        return report(o, sw, name, model.trained(), bare, bareBy, sat, baseline, lat, baselineLatency);
    }

    private static PipelinePoint find(List<PipelinePoint> points, int size, long delay) {
        for (PipelinePoint p : points) {
            if (p.maxSize() == size && p.maxDelayMs() == delay) {
                return p;
            }
        }
        return null;
    }

    static Results report(BenchOptions o, Sweep sw, String name, boolean trained, List<ModelBench.Row> bare,
            Map<Integer, ModelBench.Row> bareBy, List<PipelinePoint> sat, PipelinePoint baseline,
            List<PipelinePoint> lat, PipelinePoint baselineLatency) throws IOException {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("model", name);
        params.put("weights_trained", trained);
        params.put("images", "4 synthetic photo-like 640x480 JPEGs (SyntheticPhotos, quality 0.9), cycled");
        params.put("input_partitions", PipelineRun.PARTITIONS);
        params.put("num_stream_threads", sw.streamThreads());
        params.put("seconds", o.seconds());
        params.put("warmup_seconds", o.warmupSeconds());
        params.put("batch_max_sizes", sw.maxSizes());
        params.put("batch_max_delays_ms", sw.maxDelaysMs());
        params.put("latency_batch_max_size", sw.latencyMaxSize());
        params.put("latency_loads_of_max", sw.loads());
        params.put("settings_overrides", o.sets());
        Results res = new Results("pipeline", Machine.facts("cpu"), params);
        PrintTarget pt = new PrintTarget(res, o.out());

        o.out().println("## bench pipeline: " + name + (trained ? "" : " (UNTRAINED random weights)")
                + ", 640x480 JPEGs, " + PipelineRun.PARTITIONS + " partitions, " + sw.streamThreads()
                + " stream threads, " + Runtime.getRuntime().availableProcessors() + " cores\n");
        o.out().println("### bare session (same run)\n");
        o.out().println(ModelBench.table(bare).markdown());
        bare.forEach(r -> {
            Map<String, Object> m = ModelBench.json(r);
            m.put("kind", "bare_session");
            res.row(m);
        });

        Table t = new Table("config", "records/s", "bare img/s @ size", "vs bare", "vs one-at-a-time",
                "mean run size", "mean task drain", "e2e p50 ms", "e2e p99 ms", "changelog B/input",
                "changelog rec/input", "input B/record", "CPU cores");
        List<PipelinePoint> all = new ArrayList<>(sat);
        all.add(baseline);
        for (PipelinePoint p : all) {
            ModelBench.Row b = bareBy.get(p.maxSize());
            double bareIps = b == null ? Double.NaN : b.imagesPerSecond();
            t.row(p.label(), Table.num(p.recordsPerSecond(), 2), Table.num(bareIps, 2),
                    Table.ratio(Stats.ratio(p.recordsPerSecond(), bareIps)),
                    Table.ratio(Stats.ratio(p.recordsPerSecond(), baseline.recordsPerSecond())),
                    Table.num(p.meanRunSize(), 1), Table.num(p.meanDrained(), 1), Table.num(p.e2eP50(), 0),
                    Table.num(p.e2eP99(), 0), Table.num(p.changelogBytesPerInput(), 0),
                    Table.num(p.changelogRecordsPerInput(), 2), Table.num(p.inputBytesPerRecord(), 0),
                    Table.num(p.cpuCoresUsed(), 2));
            Map<String, Object> m = p.json();
            m.put("kind", "pipeline_saturating");
            m.put("bare_images_per_s_same_size", bareIps);
            m.put("ratio_to_bare", Stats.ratio(p.recordsPerSecond(), bareIps));
            m.put("ratio_to_one_at_a_time", Stats.ratio(p.recordsPerSecond(), baseline.recordsPerSecond()));
            res.row(m);
        }
        o.out().println("### throughput: producer at full speed (latency here is backlog, not service time)\n");
        o.out().println(t.markdown());

        Table l = new Table("config", "offered/s", "achieved/s", "e2e p50 ms", "e2e p95 ms", "e2e p99 ms",
                "reader p50 ms", "reader p95 ms", "reader p99 ms", "mean run size", "unanswered", "CPU cores");
        List<PipelinePoint> latAll = new ArrayList<>(lat);
        latAll.add(baselineLatency);
        for (PipelinePoint p : latAll) {
            l.row(p.label(), Table.num(p.offeredPerSecond(), 2), Table.num(p.recordsPerSecond(), 2),
                    Table.num(p.e2eP50(), 0), Table.num(p.e2eP95(), 0), Table.num(p.e2eP99(), 0),
                    Table.num(p.readerP50(), 0), Table.num(p.readerP95(), 0), Table.num(p.readerP99(), 0),
                    Table.num(p.meanRunSize(), 1), p.unanswered(),
                    Table.num(p.cpuCoresUsed(), 2));
            Map<String, Object> m = p.json();
            m.put("kind", "pipeline_fixed_rate");
            res.row(m);
        }
        o.out().println("### latency at fixed offered load (e2e = event time to predicted_at; reader = event time to "
                + "the benchmark's consumer seeing it)\n");
        o.out().println(l.markdown());

        o.out().println("### targets (reported, never asserted)\n");
        for (PipelinePoint p : sat) {
            ModelBench.Row b = bareBy.get(p.maxSize());
            double r = Stats.ratio(p.recordsPerSecond(), b == null ? Double.NaN : b.imagesPerSecond());
            pt.target("throughput vs bare session, " + p.label(), r, ">= 0.85", Double.isNaN(r) ? null : r >= 0.85);
        }
        for (PipelinePoint p : sat) {
            double r = p.meanRunSize() / p.maxSize();
            pt.target("mean run size / max-size under saturation, " + p.label() + " (run "
                    + Table.num(p.meanRunSize(), 1) + ", task drain " + Table.num(p.meanDrained(), 1) + ")", r,
                    ">= 0.9", Double.isNaN(r) ? null : r >= 0.9);
        }
        for (PipelinePoint p : lat) {
            if (!p.label().endsWith("@ 0.5 max")) {
                continue;
            }
            ModelBench.Row b = bareBy.get(p.maxSize());
            double bound = p.maxDelayMs() + 2 * (b == null ? Double.NaN : b.msMean());
            String b99 = Table.num(b == null ? Double.NaN : b.msMean(), 0);
            pt.target("p99 latency (reader) at half max load, " + p.label() + " (bound = delay + 2 x bare batch-"
                    + p.maxSize() + " " + b99 + " ms = " + Table.num(bound, 0) + " ms)", p.readerP99(),
                    "<= " + Table.num(bound, 0) + " ms",
                    Double.isNaN(p.readerP99()) || Double.isNaN(bound) ? null : p.readerP99() <= bound);
            pt.target("p99 latency (predicted_at, understated) at half max load, " + p.label(), p.e2eP99(),
                    "<= " + Table.num(bound, 0) + " ms",
                    Double.isNaN(p.e2eP99()) || Double.isNaN(bound) ? null : p.e2eP99() <= bound);
        }
        for (PipelinePoint p : sat) {
            PipelinePoint half = null;
            for (PipelinePoint q : lat) {
                if (q.maxSize() == p.maxSize() && q.maxDelayMs() == p.maxDelayMs() && q.label().endsWith("@ 0.5 max")) {
                    half = q;
                }
            }
            double r = Stats.ratio(p.recordsPerSecond(), baseline.recordsPerSecond());
            String cost = half == null ? "" : "; reader p99 at half load " + Table.num(half.readerP99(), 0)
                    + " ms vs one-at-a-time " + Table.num(baselineLatency.readerP99(), 0) + " ms";
            pt.target("batched vs one-at-a-time throughput, " + p.label() + cost, r, "ratio (informational)", null);
        }
        o.out().println();
        res.note("Process CPU includes the embedded broker, the schema registry, the producer and the reader, all in "
                + "this JVM; 'CPU cores' is process CPU time / wall time.");
        res.note("Changelog bytes per input are the on-disk size of the pending-batches changelog (describeLogDirs) "
                + "over the records the processor received; the input topic's bytes per record are beside them.");
        res.note("predicted_at (and the Prediction's queue_ms) come from ProcessorContext.currentSystemTimeMs(), the "
                + "stream thread's cached clock, which does not move during the blocking inference: the e2e_* "
                + "figures understate latency; reader_* (event time to the benchmark's consumer) is the honest one "
                + "and is what the latency target is judged on.");
        res.note("Throughput runs keep at most 3 x partitions x max-size x threads records unanswered, so the "
                + "processor is never starved and the backlog stays bounded; their latencies are mostly backlog.");
        if (!trained) {
            res.note("The model has UNTRAINED random weights (synthesized); its speed is that of the real "
                    + "architecture, its labels are meaningless.");
        }
        plots(o.outDir(), name, bare, sat, baseline, lat, baselineLatency, sw);
        res.put("plots", List.of("throughput_vs_batch.png", "latency_vs_load.png"));
        Path f = res.write(o.outDir());
        o.err().println("bench: wrote " + f + " and plots in " + o.outDir());
        return res;
    }

    private static void plots(Path dir, String name, List<ModelBench.Row> bare, List<PipelinePoint> sat,
            PipelinePoint baseline, List<PipelinePoint> lat, PipelinePoint baselineLatency, Sweep sw)
            throws IOException {
        List<Plots.Series> tp = new ArrayList<>();
        Plots.Series bs = new Plots.Series("bare session");
        bare.forEach(r -> bs.add(r.batch(), r.imagesPerSecond()));
        tp.add(bs);
        for (long delay : sw.maxDelaysMs()) {
            Plots.Series s = new Plots.Series("pipeline, max-delay " + delay + " ms");
            sat.stream().filter(p -> p.maxDelayMs() == delay).forEach(p -> s.add(p.maxSize(), p.recordsPerSecond()));
            tp.add(s);
        }
        Plots.Series one = new Plots.Series("one-at-a-time (1 / 0 ms)", new ArrayList<>(), true);
        int maxX = 1;
        for (int s : sw.maxSizes()) {
            maxX = Math.max(maxX, s);
        }
        one.add(1, baseline.recordsPerSecond()).add(maxX, baseline.recordsPerSecond());
        tp.add(one);
        Plots.lines(dir.resolve("throughput_vs_batch.png"), name + ": throughput vs batch.max-size (CPU, "
                + Runtime.getRuntime().availableProcessors() + " cores)", "batch size", "images/s", tp, true);

        List<Plots.Series> ls = new ArrayList<>();
        for (long delay : sw.maxDelaysMs()) {
            Plots.Series p50 = new Plots.Series("reader p50, batch " + sw.latencyMaxSize() + " / " + delay + " ms");
            Plots.Series p99 = new Plots.Series("reader p99, batch " + sw.latencyMaxSize() + " / " + delay + " ms",
                    new ArrayList<>(), true);
            lat.stream().filter(p -> p.maxDelayMs() == delay).forEach(p -> {
                p50.add(p.offeredPerSecond(), p.readerP50());
                p99.add(p.offeredPerSecond(), p.readerP99());
            });
            ls.add(p50);
            ls.add(p99);
        }
        ls.add(new Plots.Series("reader p50, one-at-a-time").add(baselineLatency.offeredPerSecond(),
                baselineLatency.readerP50()));
        ls.add(new Plots.Series("reader p99, one-at-a-time").add(baselineLatency.offeredPerSecond(),
                baselineLatency.readerP99()));
        Plots.lines(dir.resolve("latency_vs_load.png"), name + ": end-to-end latency vs offered load",
                "offered load (images/s)", "ms (event time to the reader seeing the prediction)", ls, false);
    }

    /** Prints a target line and records it. */
    private record PrintTarget(Results res, java.io.PrintStream out) {
        void target(String name, double value, String threshold, Boolean pass) {
            out.println("- " + Table.verdict(pass) + "  " + name + ": " + Table.num(value, 2) + " (target "
                    + threshold + ")");
            res.target(name, value, threshold, pass);
        }
    }

    static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
