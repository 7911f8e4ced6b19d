package dev.tagstream.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tagstream.model.Architecture;
import dev.tagstream.model.ModelSynthesizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Bare ONNX Runtime session throughput and per-run latency on pre-filled direct tensors, as
 * {@link dev.tagstream.model.ModelBenchmark} measures it (same session options: all optimizations, the runtime's
 * default intra-op threads, CPU provider), extended with per-run latency percentiles. No preprocessing, no tensor
 * creation in the timed loop: this is the ceiling the pipeline is measured against.
 */
final class ModelBench {
    /** One model at one batch size. */
    record Row(String model, boolean trained, int batch, int runs, double seconds, double imagesPerSecond,
            double msMean, double msP50, double msP99, double ratioToBatch1) {}

    private ModelBench() {}

    /**
     * @param warmupSeconds untimed runs before each point (at least 2 runs)
     */
    static List<Row> run(String name, Path file, boolean trained, int[] batches, double seconds,
            double warmupSeconds, Progress progress) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int per = 3 * Architecture.INPUT_SIZE * Architecture.INPUT_SIZE;
        int maxBatch = 1;
        for (int b : batches) {
            maxBatch = Math.max(maxBatch, b);
        }
        FloatBuffer data = ByteBuffer.allocateDirect(maxBatch * per * 4).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        for (int i = 0; i < maxBatch * per; i++) {
            data.put(i, (float) Math.sin(i * 0.37));
        }
        List<Row> rows = new ArrayList<>();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(file.toString(), so)) {
                double batch1 = Double.NaN;
                for (int b : batches) {
                    if (progress != null) {
                        progress.begin("bare session " + name + " batch " + b);
                    }
                    FloatBuffer view = data.duplicate().position(0).limit(b * per);
                    try (OnnxTensor x = OnnxTensor.createTensor(env, view,
                            new long[] {b, 3, Architecture.INPUT_SIZE, Architecture.INPUT_SIZE})) {
                        Map<String, OnnxTensor> in = Map.of(ModelSynthesizer.INPUT_NAME, x);
                        long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
                        int w = 0;
                        do {
                            session.run(in).close();
                            w++;
                        } while (w < 2 || System.nanoTime() < warmEnd);
                        double[] ms = new double[1024];
                        int runs = 0;
                        long t0 = System.nanoTime();
                        long elapsed;
                        do {
                            long s = System.nanoTime();
                            session.run(in).close();
                            if (runs == ms.length) {
                                ms = java.util.Arrays.copyOf(ms, runs * 2);
                            }
                            ms[runs++] = (System.nanoTime() - s) / 1e6;
                            elapsed = System.nanoTime() - t0;
                        } while (runs < 3 || elapsed < seconds * 1e9);
                        double secs = elapsed / 1e9;
                        double ips = runs * (double) b / secs;
                        if (b == 1) {
                            batch1 = ips;
                        }
                        Stats.Summary sum = Stats.Summary.of(java.util.Arrays.copyOf(ms, runs));
                        rows.add(new Row(name, trained, b, runs, secs, ips, sum.mean(), sum.p50(), sum.p99(),
                                Stats.ratio(ips, batch1)));
                    }
                    if (progress != null) {
                        progress.step();
                    }
                }
            }
        }
        return rows;
    }

    static Table table(List<Row> rows) {
        Table t = new Table("model", "batch", "runs", "images/s", "ms/batch mean", "p50", "p99", "vs batch 1");
        for (Row r : rows) {
            t.row(r.model() + (r.trained() ? "" : " (UNTRAINED)"), r.batch(), r.runs(), Table.num(r.imagesPerSecond(), 1),
                    Table.num(r.msMean(), 1), Table.num(r.msP50(), 1), Table.num(r.msP99(), 1),
                    Table.ratio(r.ratioToBatch1()));
        }
        return t;
    }

    static Map<String, Object> json(Row r) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("model", r.model());
        m.put("weights_trained", r.trained());
        m.put("batch", r.batch());
        m.put("runs", r.runs());
        m.put("seconds", r.seconds());
        m.put("images_per_s", r.imagesPerSecond());
        m.put("ms_per_batch_mean", r.msMean());
        m.put("ms_per_batch_p50", r.msP50());
        m.put("ms_per_batch_p99", r.msP99());
        m.put("ratio_to_batch1", r.ratioToBatch1());
        return m;
    }
}
