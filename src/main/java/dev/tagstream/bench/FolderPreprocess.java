package dev.tagstream.bench;

import dev.tagstream.image.ImageLimits;
import dev.tagstream.image.PilCompatiblePreprocessor;
import dev.tagstream.image.PreprocessSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code bench preprocess --images DIR}: per file of a folder, single-threaded median ms of the exact and fast paths,
 * and of PIL + torchvision through the same timing script as {@link dev.tagstream.image.PreprocessBenchmark} when
 * {@code /usr/bin/python3} and the script exist. Files that fail to preprocess are listed with the error.
 */
final class FolderPreprocess {
    record Row(String file, long bytes, double exactMs, double fastMs, double pilMs, double pilDraftMs,
            String error) {}

    private FolderPreprocess() {}

    static List<Row> run(Path dir, int iterations, Path pilScript) throws IOException, InterruptedException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        PreprocessSpec spec = PreprocessSpec.IMAGENET;
        PilCompatiblePreprocessor exact = new PilCompatiblePreprocessor(ImageLimits.DEFAULT, true, false);
        PilCompatiblePreprocessor fast = new PilCompatiblePreprocessor(ImageLimits.DEFAULT, true, true);
        FloatBuffer dst = ByteBuffer.allocateDirect(spec.floatsPerImage() * 4).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        List<Row> java = new ArrayList<>();
        List<Path> decodable = new ArrayList<>();
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            String name = file.getFileName().toString();
            try {
                double e = median(iterations, () -> exact.preprocess(bytes, spec, dst, 0));
                double f = median(iterations, () -> fast.preprocess(bytes, spec, dst, 0));
                java.add(new Row(name, bytes.length, e, f, Double.NaN, Double.NaN, null));
                decodable.add(file);
            } catch (Exception ex) {
                java.add(new Row(name, bytes.length, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                        ex.getClass().getSimpleName() + ": " + ex.getMessage()));
            }
        }
        // PIL only on what we could preprocess: the script stops at the first file it cannot open
        double[][] pil = dev.tagstream.image.PreprocessBenchmark.pil(iterations, pilScript, decodable);
        List<Row> rows = new ArrayList<>();
        int k = 0;
        for (Row r : java) {
            if (r.error() == null) {
                double[] q = pil[k++];
                rows.add(new Row(r.file(), r.bytes(), r.exactMs(), r.fastMs(), q[1], q[2], null));
            } else {
                rows.add(r);
            }
        }
        return rows;
    }

    private interface Work {
        void run() throws Exception;
    }

    private static double median(int iterations, Work w) throws Exception {
        for (int i = 0; i < Math.max(5, iterations / 2); i++) {
            w.run();
        }
        double[] t = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long s = System.nanoTime();
            w.run();
            t[i] = (System.nanoTime() - s) / 1e6;
        }
        return Stats.percentile(t, 50);
    }

    static Table table(List<Row> rows) {
        Table t = new Table("file", "KB", "exact ms", "fast ms", "PIL ms", "PIL draft ms", "PIL/exact", "PIL/fast",
                "error");
        for (Row r : rows) {
            t.row(r.file(), r.bytes() / 1024, Table.num(r.exactMs(), 2), Table.num(r.fastMs(), 2),
                    Table.num(r.pilMs(), 2), Table.num(r.pilDraftMs(), 2),
                    Table.ratio(Stats.ratio(r.pilMs(), r.exactMs())), Table.ratio(Stats.ratio(r.pilMs(), r.fastMs())),
                    r.error() == null ? "" : r.error());
        }
        return t;
    }
}
