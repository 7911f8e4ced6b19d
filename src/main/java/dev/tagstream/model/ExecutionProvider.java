package dev.tagstream.model;

import ai.onnxruntime.OrtProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** An ONNX Runtime execution provider tagstream knows how to configure, in config spelling. */
public enum ExecutionProvider {
    TENSORRT("tensorrt", OrtProvider.TENSOR_RT),
    CUDA("cuda", OrtProvider.CUDA),
    CPU("cpu", OrtProvider.CPU);

    private final String configName;
    private final OrtProvider ortProvider;

    ExecutionProvider(String configName, OrtProvider ortProvider) {
        this.configName = configName;
        this.ortProvider = ortProvider;
    }

    /** The config spelling: {@code tensorrt}, {@code cuda} or {@code cpu}. */
    public String configName() { return configName; }

    OrtProvider ortProvider() { return ortProvider; }

    /**
     * Parses one provider (trimmed, case-insensitive).
     *
     * @throws IllegalArgumentException naming the value and the allowed ones
     */
    public static ExecutionProvider parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (ExecutionProvider p : values()) {
            if (p.configName.equals(v)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown execution provider '" + value + "'; allowed: "
                + Arrays.stream(values()).map(ExecutionProvider::configName).toList());
    }

    /** Parses an ordered, comma-separated list such as {@code cuda,cpu}; empty entries and duplicates are errors. */
    public static List<ExecutionProvider> parseList(String csv) {
        if (csv == null || csv.isBlank()) {
            throw new IllegalArgumentException("execution provider list is empty; allowed: "
                    + Arrays.stream(values()).map(ExecutionProvider::configName).toList());
        }
        List<ExecutionProvider> out = new ArrayList<>();
        for (String part : csv.split(",", -1)) {
            ExecutionProvider p = parse(part);
            if (out.contains(p)) {
                throw new IllegalArgumentException("execution provider '" + p.configName + "' listed twice in '" + csv + "'");
            }
            out.add(p);
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() { return configName; }
}
