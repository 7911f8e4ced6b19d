package dev.tagstream.topology;

import dev.tagstream.avro.ImageEvent;
import dev.tagstream.avro.Prediction;
import dev.tagstream.avro.Timings;
import dev.tagstream.avro.TopClass;
import dev.tagstream.model.ModelInfo;
import dev.tagstream.model.ScoredLabel;
import dev.tagstream.model.TopK;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one image's logits into a {@link Prediction} that echoes its event. Stateless.
 *
 * @throws IllegalArgumentException (from {@link TopK}) when the logits are NaN or +Infinity: a broken output that
 *     the caller dead-letters as an inference failure
 */
final class PredictionFactory {
    private PredictionFactory() {}

    static Prediction create(ImageEvent event, ModelInfo model, float[] logits, int row, int k, int runSize,
            double queueMs, double preprocessMs, double inferenceMs, long nowMs) {
        List<ScoredLabel> best = TopK.of(logits, row * model.numClasses(), model.labels(),
                Math.min(k, model.numClasses()));
        List<TopClass> top = new ArrayList<>(best.size());
        for (ScoredLabel s : best) {
            top.add(new TopClass(s.index(), s.label(), s.probability()));
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
