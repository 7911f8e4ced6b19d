package dev.tagstream.topology;

import dev.tagstream.avro.ImageEvent;
import dev.tagstream.avro.Prediction;
import dev.tagstream.avro.Timings;
import dev.tagstream.avro.TopClass;
import dev.tagstream.model.ModelInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Turns one image's logits into a {@link Prediction} that echoes its event. Stateless. */
final class PredictionFactory {
    private PredictionFactory() {}

    static Prediction create(ImageEvent event, ModelInfo model, float[] logits, int row, int k, int runSize,
            double queueMs, double preprocessMs, double inferenceMs, long nowMs) {
        int classes = model.numClasses();
        int offset = row * classes;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < classes; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < classes; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        int[] best = new int[Math.min(k, classes)];
        int filled = 0;
        for (int i = 0; i < classes; i++) {
            float v = logits[offset + i];
            int pos = filled;
            while (pos > 0 && logits[offset + best[pos - 1]] < v) {
                pos--;
            }
            if (pos < best.length) {
                System.arraycopy(best, pos, best, pos + 1, Math.min(filled, best.length - 1) - pos);
                best[pos] = i;
                filled = Math.min(filled + 1, best.length);
            }
        }
        List<TopClass> top = new ArrayList<>(best.length);
        for (int i : best) {
            top.add(new TopClass(i, model.labels().get(i), (float) (Math.exp(logits[offset + i] - max) / sum)));
        }
        return Prediction.newBuilder()
                .setId(event.getId())
                .setSource(event.getSource())
                .setAttributes(event.getAttributes())
                .setEventTime(event.getEventTime())
                .setModel(model.name())
                .setWeightsTrained(model.trained())
                .setTop(top)
                .setBatchSize(runSize)
                .setTimings(new Timings(queueMs, preprocessMs, inferenceMs))
                .setPredictedAt(Instant.ofEpochMilli(nowMs))
                .build();
    }
}
