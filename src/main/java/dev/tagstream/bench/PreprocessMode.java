package dev.tagstream.bench;

import dev.tagstream.image.PreprocessBenchmark;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench preprocess}: {@link PreprocessBenchmark} (decode, exact and fast paths on synthetic 640x480 and
 * 4032x3024 photo-like JPEGs, and PIL + torchvision in the same run when Debian's python3 has them), as ratios.
 */
public final class PreprocessMode {
    private PreprocessMode() {}

    public static Results run(BenchOptions o, int iterations, Path pilScript) throws Exception {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("iterations", iterations);
        params.put("images", "synthetic photo-like JPEGs 640x480 and 4032x3024 (SyntheticPhotos, quality 0.9)");
        params.put("pil_script", pilScript.toString());
        params.put("threads", 1);
        Results res = new Results("preprocess", Machine.facts("n/a"), params);
        o.err().println("bench: preprocessing, " + iterations + " timed runs per measurement (a minute or two)...");
        List<PreprocessBenchmark.Row> rows = PreprocessBenchmark.run(iterations, pilScript, o.err());
        Table t = new Table("image", "decode ms", "exact ms", "fast ms", "PIL decode ms", "PIL exact ms",
                "PIL draft ms", "PIL/exact", "PIL/fast", "fast vs exact |d| mean/max", "alloc MB exact/fast");
        for (PreprocessBenchmark.Row r : rows) {
            t.row(r.image(), Table.num(r.decodeMs(), 2), Table.num(r.exactMs(), 2), Table.num(r.fastMs(), 2),
                    Table.num(r.pilDecodeMs(), 2), Table.num(r.pilExactMs(), 2), Table.num(r.pilDraftMs(), 2),
                    Table.ratio(Stats.ratio(r.pilExactMs(), r.exactMs())),
                    Table.ratio(Stats.ratio(r.pilExactMs(), r.fastMs())),
                    Table.num(r.fastMeanAbsDiff(), 2) + " / " + r.fastMaxAbsDiff(),
                    Table.num(r.exactAllocMb(), 1) + " / " + Table.num(r.fastAllocMb(), 1));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("image", r.image());
            m.put("decode_ms", r.decodeMs());
            m.put("exact_ms", r.exactMs());
            m.put("fast_ms", r.fastMs());
            m.put("pil_decode_ms", r.pilDecodeMs());
            m.put("pil_exact_ms", r.pilExactMs());
            m.put("pil_draft_ms", r.pilDraftMs());
            m.put("pil_over_exact", Stats.ratio(r.pilExactMs(), r.exactMs()));
            m.put("pil_over_fast", Stats.ratio(r.pilExactMs(), r.fastMs()));
            m.put("fast_mean_abs_diff", r.fastMeanAbsDiff());
            m.put("fast_max_abs_diff", r.fastMaxAbsDiff());
            m.put("exact_alloc_mb", r.exactAllocMb());
            m.put("fast_alloc_mb", r.fastAllocMb());
            res.row(m);
        }
        o.out().println("## bench preprocess: single thread, median ms/image; ratios > 1 mean Java is faster\n");
        o.out().println(t.markdown());
        if (rows.stream().allMatch(r -> Double.isNaN(r.pilExactMs()))) {
            res.note("PIL/torchvision not measured: /usr/bin/python3 with PIL and torchvision, or the script, is "
                    + "missing.");
            o.out().println("PIL + torchvision not available here: PIL columns are '-'.");
        }
        List<String> cats = rows.stream().map(PreprocessBenchmark.Row::image).toList();
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("Java exact", rows.stream().mapToDouble(PreprocessBenchmark.Row::exactMs).toArray());
        series.put("Java fast", rows.stream().mapToDouble(PreprocessBenchmark.Row::fastMs).toArray());
        series.put("PIL + torchvision", rows.stream().mapToDouble(PreprocessBenchmark.Row::pilExactMs).toArray());
        series.put("PIL draft", rows.stream().mapToDouble(PreprocessBenchmark.Row::pilDraftMs).toArray());
        Plots.bars(o.outDir().resolve("preprocess.png"), "decode + preprocess, median ms/image (1 thread)",
                "ms/image", cats, series);
        res.put("plots", List.of("preprocess.png"));
        o.err().println("bench: wrote " + res.write(o.outDir()) + " and plots in " + o.outDir());
        return res;
    }
}
