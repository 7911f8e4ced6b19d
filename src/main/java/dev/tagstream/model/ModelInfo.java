package dev.tagstream.model;

import dev.tagstream.image.PreprocessSpec;
import java.util.List;

/**
 * What the rest of the service knows about one catalog model.
 *
 * @param name catalog name, aliases already resolved (e.g. {@code resnet50_swsl})
 * @param architecture one of the six hub architectures (e.g. {@code resnext101_32x8d})
 * @param trained false for synthesized models with random weights; shown in every prediction
 * @param input the preprocessing the model expects
 * @param labels class names in index order; its size is the number of classes
 */
public record ModelInfo(String name, String architecture, boolean trained, PreprocessSpec input, List<String> labels) {
    public ModelInfo {
        labels = List.copyOf(labels);
    }

    public int numClasses() { return labels.size(); }
}
