package dev.tagstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of every mode's {@code results.json}: {@code mode}, {@code started}, {@code machine}, {@code parameters},
 * {@code rows} (one object per measured point), {@code targets} (name, value, threshold, pass) and {@code notes}.
 * Non-finite numbers are written as null.
 */
public final class Results {
    private final Map<String, Object> root = new LinkedHashMap<>();

    public Results(String mode, Map<String, Object> machine, Map<String, Object> parameters) {
        root.put("mode", mode);
        root.put("started", Instant.now().toString());
        root.put("machine", machine);
        root.put("parameters", parameters);
        root.put("rows", new java.util.ArrayList<Map<String, Object>>());
        root.put("targets", new java.util.ArrayList<Map<String, Object>>());
        root.put("notes", new java.util.ArrayList<String>());
    }

    @SuppressWarnings("unchecked")
    public Results row(Map<String, Object> row) {
        ((List<Map<String, Object>>) root.get("rows")).add(clean(row));
        return this;
    }

    /** A target: {@code pass} is null when it could not be measured. */
    @SuppressWarnings("unchecked")
    public Results target(String name, double value, String threshold, Boolean pass) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("value", finite(value));
        t.put("threshold", threshold);
        t.put("pass", pass);
        ((List<Map<String, Object>>) root.get("targets")).add(t);
        return this;
    }

    @SuppressWarnings("unchecked")
    public Results note(String note) {
        ((List<String>) root.get("notes")).add(note);
        return this;
    }

    public Results put(String key, Object value) {
        root.put(key, value);
        return this;
    }

    public Map<String, Object> asMap() {
        return root;
    }

    public String json() throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    }

    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve("results.json");
        Files.writeString(f, json() + "\n");
        return f;
    }

    private static Map<String, Object> clean(Map<String, Object> row) {
        Map<String, Object> out = new LinkedHashMap<>();
        row.forEach((k, v) -> out.put(k, v instanceof Double d ? finite(d) : v));
        return out;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
