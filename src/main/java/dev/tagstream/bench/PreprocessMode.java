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

    /** @param images a folder of images to time instead of the synthetic photos, or null */
    public static Results run(BenchOptions o, int iterations, Path pilScript, Path images) throws Exception {
        if (images != null) {
            return folder(o, iterations, pilScript, images);
        }
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

    private static Results folder(BenchOptions o, int iterations, Path pilScript, Path images) throws Exception {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("iterations", iterations);
        params.put("images", images.toString());
        params.put("pil_script", pilScript.toString());
        params.put("threads", 1);
        Results res = new Results("preprocess", Machine.facts("n/a"), params);
        o.err().println("bench: preprocessing each file of " + images + ", " + iterations + " timed runs each...");
        List<FolderPreprocess.Row> rows = FolderPreprocess.run(images, iterations, pilScript);
        for (FolderPreprocess.Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", r.file());
            m.put("bytes", r.bytes());
            m.put("exact_ms", r.exactMs());
            m.put("fast_ms", r.fastMs());
            m.put("pil_exact_ms", r.pilMs());
            m.put("pil_draft_ms", r.pilDraftMs());
            m.put("pil_over_exact", Stats.ratio(r.pilMs(), r.exactMs()));
            m.put("pil_over_fast", Stats.ratio(r.pilMs(), r.fastMs()));
            m.put("error", r.error());
            res.row(m);
        }
        o.out().println("## bench preprocess: " + images + ", single thread, median ms/image\n");
        o.out().println(FolderPreprocess.table(rows).markdown());
        List<FolderPreprocess.Row> ok = rows.stream().filter(r -> r.error() == null).toList();
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("Java exact", ok.stream().mapToDouble(FolderPreprocess.Row::exactMs).toArray());
        series.put("Java fast", ok.stream().mapToDouble(FolderPreprocess.Row::fastMs).toArray());
        series.put("PIL + torchvision", ok.stream().mapToDouble(FolderPreprocess.Row::pilMs).toArray());
        if (!ok.isEmpty()) {
            Plots.bars(o.outDir().resolve("preprocess.png"), "decode + preprocess, median ms/image (1 thread)",
                    "ms/image", ok.stream().map(FolderPreprocess.Row::file).toList(), series);
            res.put("plots", List.of("preprocess.png"));
        }
        o.err().println("bench: wrote " + res.write(o.outDir()) + " and plots in " + o.outDir());
        return res;
    }
}
