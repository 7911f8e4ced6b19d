package dev.tagstream.model;

import dev.tagstream.image.PreprocessSpec;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One model of the catalog.
 *
 * @param name catalog name, e.g. {@code resnet50_swsl}
 * @param file ONNX file relative to the models directory
 * @param sha256 expected lowercase hex SHA-256 of the file, or null when not pinned
 * @param architecture one of {@link Architecture#names()}
 * @param input the preprocessing the model expects
 * @param labels labels reference, e.g. {@code imagenet1k} (see {@link Labels})
 * @param trained whether the file holds trained weights; false for synthesized models
 */
public record CatalogEntry(String name, String file, String sha256, String architecture, PreprocessSpec input,
        String labels, boolean trained) {
    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public CatalogEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(labels, "labels");
        if (sha256 != null && !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("model '" + name + "': sha256 must be 64 lowercase hex digits, got '"
                    + sha256 + "'");
        }
        if (!Architecture.isKnown(architecture)) {
            throw new IllegalArgumentException("model '" + name + "': unknown architecture '" + architecture
                    + "'; known: " + Architecture.names());
        }
    }

    /** An untrained synthesized model: file {@code <name>.onnx}, ImageNet preprocessing and labels. */
    public static CatalogEntry synthesized(String name, String architecture, String sha256) {
        return new CatalogEntry(name, name + ".onnx", sha256, architecture, PreprocessSpec.IMAGENET,
                Labels.IMAGENET1K, false);
    }

    public boolean pinned() { return sha256 != null; }
}
