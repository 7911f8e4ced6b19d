package dev.tagstream.image;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Single-threaded preprocessing benchmark on synthetic photo-like JPEGs (640x480 and 4032x3024, generated into a
 * temp directory at run time): decode only, decode + exact preprocess, the fast JPEG path, and PIL + torchvision
 * doing the same through {@code /usr/bin/python3 tools/pil_preprocess_timing.py} when both exist. Medians in
 * ms/image. Not a test: it never decides pass/fail; ratios are against PIL measured in the same run.
 *
 * <pre>java -cp ... dev.tagstream.image.PreprocessBenchmark [iterations]</pre>
 */
public final class PreprocessBenchmark {
    /** One image size's medians in ms per image; {@code NaN} where PIL was not available. */
    public record Row(String image, double decodeMs, double exactMs, double fastMs, double pilDecodeMs,
            double pilExactMs, double pilDraftMs, double fastMeanAbsDiff, int fastMaxAbsDiff, double exactAllocMb,
            double fastAllocMb) {}

    private PreprocessBenchmark() {}

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        run(iterations, Path.of("tools", "pil_preprocess_timing.py"), System.out);
    }

    /**
     * Runs the benchmark and prints the table to {@code out}.
     *
     * @param iterations timed runs per measurement (after warm-up)
     * @param pilScript the python timing script; PIL columns are NaN when it or /usr/bin/python3 is missing
     */
    public static List<Row> run(int iterations, Path pilScript, PrintStream out) throws IOException,
            InterruptedException {
        Path dir = Files.createTempDirectory("tagstream-bench");
        try {
            int[][] sizes = {{640, 480}, {4032, 3024}};
            List<Path> files = new ArrayList<>();
            for (int[] s : sizes) {
                Path f = dir.resolve("photo_" + s[0] + "x" + s[1] + ".jpg");
                Files.write(f, SyntheticPhotos.jpeg(s[0], s[1], 5, 0.9f));
                files.add(f);
            }
            double[][] pil = pil(iterations, pilScript, files);
            PreprocessSpec spec = PreprocessSpec.IMAGENET;
            PilCompatiblePreprocessor exact = new PilCompatiblePreprocessor(ImageLimits.DEFAULT, true, false);
            PilCompatiblePreprocessor fast = new PilCompatiblePreprocessor(ImageLimits.DEFAULT, true, true);
            FloatBuffer dst = ByteBuffer.allocateDirect(spec.floatsPerImage() * 4).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                byte[] bytes = Files.readAllBytes(files.get(i));
                double decode = median(iterations, () -> exact.decodeOnly(bytes, spec));
                double full = median(iterations, () -> exact.preprocess(bytes, spec, dst, 0));
                double quick = median(iterations, () -> fast.preprocess(bytes, spec, dst, 0));
                // deviation of the fast path: |fast - exact| over the uint8 crop
                byte[] a;
                byte[] b;
                try {
                    a = exact.crop(bytes, spec);
                    b = fast.crop(bytes, spec);
                } catch (ImageException e) {
                    throw new IllegalStateException("benchmark image failed to preprocess", e);
                }
                long sum = 0;
                int max = 0;
                for (int k = 0; k < a.length; k++) {
                    int d = Math.abs((a[k] & 0xFF) - (b[k] & 0xFF));
                    sum += d;
                    max = Math.max(max, d);
                }
                rows.add(new Row(sizes[i][0] + "x" + sizes[i][1], decode, full, quick, pil[i][0], pil[i][1],
                        pil[i][2], sum / (double) a.length, max,
                        allocatedMb(() -> exact.preprocess(bytes, spec, dst, 0)),
                        allocatedMb(() -> fast.preprocess(bytes, spec, dst, 0))));
            }
            print(rows, fast.fastJpegDecoder(), iterations, out);
            return rows;
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private interface Work {
        void run() throws Exception;
    }

    private static double median(int iterations, Work w) {
        try {
            for (int i = 0; i < Math.max(10, iterations); i++) { // JIT warm-up
                w.run();
            }
            double[] t = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                long start = System.nanoTime();
                w.run();
                t[i] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(t);
            return t[iterations / 2];
        } catch (Exception e) {
            throw new IllegalStateException("benchmark image failed to preprocess", e);
        }
    }

    /** Heap bytes one (warm) call allocates on this thread, in MB; NaN where the JVM cannot tell. */
    private static double allocatedMb(Work w) {
        if (!(java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx)
                || !mx.isThreadAllocatedMemorySupported()) {
            return Double.NaN;
        }
        try {
            w.run();
            long before = mx.getCurrentThreadAllocatedBytes();
            w.run();
            return (mx.getCurrentThreadAllocatedBytes() - before) / 1e6;
        } catch (Exception e) {
            throw new IllegalStateException("benchmark image failed to preprocess", e);
        }
    }

    /**
     * Per file: PIL decode, full and draft medians from {@code tools/pil_preprocess_timing.py} through Debian's
     * python3, matched to the files by name; NaN where not measured (no python3, no script, or it failed).
     */
    public static double[][] pil(int iterations, Path script, List<Path> files) throws IOException,
            InterruptedException {
        double[][] out = new double[files.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
        Path python = Path.of("/usr/bin/python3");
        if (files.isEmpty() || !Files.isExecutable(python) || !Files.isReadable(script)) {
            return out;
        }
        List<String> cmd = new ArrayList<>(List.of(python.toString(), script.toString(), String.valueOf(iterations)));
        files.forEach(f -> cmd.add(f.toString()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            return out;
        }
        List<String> names = files.stream().map(Path::toString).toList();
        for (String line : text.strip().split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 4) {
                int i = names.indexOf(f[0]);
                if (i >= 0) {
                    out[i] = new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3])};
                }
            }
        }
        return out;
    }

    private static void print(List<Row> rows, String fastDecoder, int iterations, PrintStream out) {
        out.printf("preprocess benchmark: single thread, median of %d runs, ms/image; fast path = %s%n", iterations,
                fastDecoder);
        out.printf("%-10s %8s %8s %8s %10s %10s %10s %10s %9s %16s %13s%n", "image", "decode", "exact", "fast",
                "PIL decode", "PIL exact", "PIL draft", "PIL/exact", "PIL/fast", "fast vs exact", "alloc MB e/f");
        for (Row r : rows) {
            out.printf("%-10s %8.2f %8.2f %8.2f %10.2f %10.2f %10.2f %9.2fx %8.2fx %16s %13s%n", r.image(),
                    r.decodeMs(), r.exactMs(), r.fastMs(), r.pilDecodeMs(), r.pilExactMs(), r.pilDraftMs(),
                    r.pilExactMs() / r.exactMs(), r.pilExactMs() / r.fastMs(),
                    String.format("mean %.2f max %d", r.fastMeanAbsDiff(), r.fastMaxAbsDiff()),
                    String.format("%.2f/%.2f", r.exactAllocMb(), r.fastAllocMb()));
        }
        out.println("targets: exact no slower than PIL at 640x480 (PIL/exact >= 1); fast >= 3x PIL exact at 4032x3024"
                + " (PIL/fast >= 3)");
    }
}
