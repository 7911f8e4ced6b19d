package dev.tagstream.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Bare ONNX Runtime session throughput (images/s) of synthesized models on the CPU provider, at several batch sizes,
 * on pre-filled direct tensors (no preprocessing, no tensor creation in the timed loop). Not a test: run it by hand,
 * it never decides whether a build is green.
 *
 * <pre>
 * mvn -q -o compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp target/classes:$(cat /tmp/cp.txt) dev.tagstream.model.ModelBenchmark [--dir models] [--seconds 5]
 *     [--threads 0] [--models resnet18,resnet50] [--batches 1,8,32]
 * </pre>
 */
public final class ModelBenchmark {
    /** One measurement; {@code ratioToBatch1} is this throughput over the same model's batch-1 throughput. */
    public record Result(String model, int batch, int runs, double seconds, double imagesPerSecond,
            double msPerBatch, double ratioToBatch1) {}

    private ModelBenchmark() {}

    /**
     * Synthesizes (if absent) each architecture's {@code <arch>_swsl} file in {@code dir}, then for each batch size
     * warms up (2 runs) and times runs for at least {@code secondsPerPoint} (and at least 3 runs).
     *
     * @param intraOpThreads 0 for ONNX Runtime's default
     */
    public static List<Result> run(Path dir, List<String> architectures, int[] batches, double secondsPerPoint,
            int intraOpThreads) throws IOException, OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int per = 3 * Architecture.INPUT_SIZE * Architecture.INPUT_SIZE;
        int maxBatch = 0;
        for (int b : batches) {
            maxBatch = Math.max(maxBatch, b);
        }
        FloatBuffer data = ByteBuffer.allocateDirect(maxBatch * per * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < maxBatch * per; i++) {
            data.put(i, (float) Math.sin(i * 0.37));
        }
        List<Result> results = new ArrayList<>();
        for (String arch : architectures) {
            String name = arch + "_swsl";
            Path file = dir.resolve(name + ".onnx");
            if (!Files.isRegularFile(file)) {
                ModelSynthesizer.synthesize(name, arch, ModelSynthesizer.DEFAULT_SEED, file);
            }
            try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
                so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                if (intraOpThreads > 0) {
                    so.setIntraOpNumThreads(intraOpThreads);
                }
                try (OrtSession session = env.createSession(file.toString(), so)) {
                    double batch1 = Double.NaN;
                    for (int b : batches) {
                        FloatBuffer view = data.duplicate().position(0).limit(b * per);
                        try (OnnxTensor x = OnnxTensor.createTensor(env, view,
                                new long[] {b, 3, Architecture.INPUT_SIZE, Architecture.INPUT_SIZE})) {
                            Map<String, OnnxTensor> in = Map.of(ModelSynthesizer.INPUT_NAME, x);
                            for (int w = 0; w < 2; w++) {
                                session.run(in).close();
                            }
                            int runs = 0;
                            long t0 = System.nanoTime();
                            long elapsed;
                            do {
                                session.run(in).close();
                                runs++;
                                elapsed = System.nanoTime() - t0;
                            } while (runs < 3 || elapsed < secondsPerPoint * 1e9);
                            double s = elapsed / 1e9;
                            double ips = runs * (double) b / s;
                            if (b == 1) {
                                batch1 = ips;
                            }
                            results.add(new Result(name, b, runs, s, ips, 1000 * s / runs, ips / batch1));
                        }
                    }
                }
            }
        }
        return List.copyOf(results);
    }

    /** The results as a Markdown table. */
    public static void print(List<Result> results, PrintStream out) {
        out.println("| model | batch | runs | images/s | ms/batch | vs batch 1 |");
        out.println("|---|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            out.printf("| %s | %d | %d | %.1f | %.1f | %s |%n", r.model(), r.batch(), r.runs(), r.imagesPerSecond(),
                    r.msPerBatch(), Double.isNaN(r.ratioToBatch1()) ? "-" : String.format("%.2fx", r.ratioToBatch1()));
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("models");
        double seconds = 5;
        int threads = 0;
        List<String> models = List.of("resnet18", "resnet50");
        int[] batches = {1, 8, 32};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--models" -> models = List.of(args[++i].split(","));
                case "--batches" -> batches = java.util.Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt)
                        .toArray();
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --dir D --seconds S --threads T --models a,b --batches 1,8,32");
            }
        }
        System.out.println("ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion() + ", CPU provider, "
                + Runtime.getRuntime().availableProcessors() + " cores, intra-op threads "
                + (threads == 0 ? "default" : threads) + "; synthesized (UNTRAINED) models in " + dir);
        print(run(dir, models, batches, seconds, threads), System.out);
    }
}
