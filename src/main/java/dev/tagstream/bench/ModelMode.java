package dev.tagstream.bench;

import dev.tagstream.config.Settings;
import dev.tagstream.config.SettingsLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code bench model}: bare session throughput and latency per batch size for each model. */
public final class ModelMode {
    private ModelMode() {}

    public static Results run(BenchOptions o, List<String> models, int[] batches) throws Exception {
        Settings base = SettingsLoader.load(o.configFile(), Map.of(), o.sets());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("models", models);
        params.put("batches", batches);
        params.put("seconds_per_point", o.seconds());
        params.put("warmup_seconds_per_point", o.warmupSeconds());
        params.put("session", "CPU provider, ALL_OPT, default intra-op threads, pre-filled direct tensors");
        Results res = new Results("model", Machine.facts("cpu"), params);
        Progress progress = new Progress(o.err(), models.size() * batches.length);
        List<ModelBench.Row> rows = new ArrayList<>();
        List<Plots.Series> tp = new ArrayList<>();
        List<Plots.Series> lat = new ArrayList<>();
        for (String m : models) {
            ModelFiles.Located f = ModelFiles.ensure(base, m, o.err());
            List<ModelBench.Row> r = ModelBench.run(f.entry().name(), f.file(), f.trained(), batches, o.seconds(),
                    o.warmupSeconds(), progress);
            rows.addAll(r);
            Plots.Series s = new Plots.Series(f.entry().name() + (f.trained() ? "" : " (untrained)"));
            Plots.Series l = new Plots.Series(f.entry().name() + " ms/batch");
            r.forEach(x -> {
                s.add(x.batch(), x.imagesPerSecond());
                l.add(x.batch(), x.msMean());
            });
            tp.add(s);
            lat.add(l);
        }
        progress.finish();
        o.out().println("## bench model: bare ONNX Runtime session, CPU, " + Runtime.getRuntime().availableProcessors()
                + " cores\n");
        o.out().println(ModelBench.table(rows).markdown());
        rows.forEach(r -> res.row(ModelBench.json(r)));
        if (rows.stream().anyMatch(r -> !r.trained())) {
            res.note("Synthesized models have UNTRAINED random weights; speed is that of the architecture.");
        }
        Path dir = o.outDir();
        Plots.lines(dir.resolve("model_throughput.png"), "bare session throughput (CPU)", "batch size", "images/s",
                tp, true);
        Plots.lines(dir.resolve("model_latency.png"), "bare session latency per batch (CPU)", "batch size",
                "ms per batch (mean)", lat, true);
        res.put("plots", List.of("model_throughput.png", "model_latency.png"));
        o.err().println("bench: wrote " + res.write(dir) + " and plots in " + dir);
        return res;
    }
}
