package dev.tagstream.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tagstream.image.PreprocessSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The model catalog ({@code config/models.yaml}): entries, aliases, the default model and an optional allow-list.
 * Immutable and validated on construction; every error names the entry and the key.
 *
 * <pre>
 * default: resnet50_swsl
 * allow: [resnet50_swsl, resnet18_swsl]   # optional; absent or empty allows every model
 * aliases: {resnet50: resnet50_swsl}
 * models:
 *   resnet50_swsl:
 *     file: resnet50_swsl.onnx          # relative to the models directory
 *     sha256: 371a...                   # null or absent: not pinned
 *     architecture: resnet50
 *     input: {resize: 256, crop: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]}
 *     labels: imagenet1k
 *     trained: false
 * </pre>
 */
public final class ModelCatalog {
    private static final Set<String> TOP_KEYS = Set.of("default", "allow", "aliases", "models");
    private static final Set<String> ENTRY_KEYS =
            Set.of("file", "sha256", "architecture", "input", "labels", "trained");
    private static final Set<String> INPUT_KEYS = Set.of("resize", "crop", "mean", "std");

    private final String defaultModel;
    private final Map<String, CatalogEntry> entries;
    private final Map<String, String> aliases;
    private final Set<String> allowed;

    private ModelCatalog(String defaultModel, Map<String, CatalogEntry> entries, Map<String, String> aliases,
            Set<String> allowed) {
        this.defaultModel = defaultModel;
        this.entries = entries;
        this.aliases = aliases;
        this.allowed = allowed;
    }

    /**
     * A catalog from parts (tests, programmatic setups).
     *
     * @param allowed allow-list; empty allows every entry
     * @throws IllegalArgumentException listing every problem
     */
    public static ModelCatalog of(String defaultModel, Collection<CatalogEntry> entries, Map<String, String> aliases,
            Set<String> allowed) {
        List<String> errors = new ArrayList<>();
        Map<String, CatalogEntry> byName = new LinkedHashMap<>();
        Map<String, String> fileOwner = new HashMap<>();
        for (CatalogEntry e : entries) {
            if (byName.putIfAbsent(e.name(), e) != null) {
                errors.add("models." + e.name() + ": duplicate model name");
            }
            String other = fileOwner.putIfAbsent(e.file(), e.name());
            if (other != null && !other.equals(e.name())) {
                errors.add("models." + e.name() + ".file: '" + e.file() + "' is already the file of model '" + other
                        + "'");
            }
        }
        Map<String, String> al = new LinkedHashMap<>(aliases);
        al.forEach((alias, target) -> {
            if (byName.containsKey(alias)) {
                errors.add("aliases." + alias + ": duplicate, a model has that name");
            }
            if (!byName.containsKey(target)) {
                errors.add("aliases." + alias + ": alias to nothing, no model named '" + target + "'");
            }
        });
        Set<String> allow = new LinkedHashSet<>(allowed);
        for (String a : allow) {
            if (!byName.containsKey(a)) {
                errors.add("allow: '" + a + "' is not a model name" + (al.containsKey(a) ? " (it is an alias of '"
                        + al.get(a) + "'; list the model)" : ""));
            }
        }
        if (defaultModel == null || defaultModel.isBlank()) {
            errors.add("default: missing");
        } else if (!byName.containsKey(defaultModel)) {
            errors.add("default: '" + defaultModel + "' is not a model name");
        } else if (!allow.isEmpty() && !allow.contains(defaultModel)) {
            errors.add("default: '" + defaultModel + "' is not in the allow-list");
        }
        if (byName.isEmpty()) {
            errors.add("models: no models");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid model catalog: " + String.join("; ", errors));
        }
        return new ModelCatalog(defaultModel, java.util.Collections.unmodifiableMap(byName),
                java.util.Collections.unmodifiableMap(al), java.util.Collections.unmodifiableSet(allow));
    }

    /** Reads and validates a catalog file. */
    public static ModelCatalog load(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    /**
     * Parses catalog YAML.
     *
     * @param source shown in error messages (a file name)
     * @throws IllegalArgumentException naming the source, entry and key of every problem found
     */
    public static ModelCatalog parse(String yaml, String source) {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        JsonNode root;
        try {
            root = mapper.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a mapping with 'models'");
        }
        List<String> errors = new ArrayList<>();
        unknownKeys(root, TOP_KEYS, "", errors);
        List<CatalogEntry> entries = new ArrayList<>();
        JsonNode models = root.get("models");
        if (models == null || !models.isObject()) {
            errors.add("models: missing or not a mapping");
        } else {
            for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                parseEntry(f.getKey(), f.getValue(), errors).ifPresent(entries::add);
            }
        }
        Map<String, String> aliases = new LinkedHashMap<>();
        JsonNode al = root.get("aliases");
        if (al != null && !al.isNull()) {
            if (!al.isObject()) {
                errors.add("aliases: not a mapping");
            } else {
                al.fields().forEachRemaining(f -> {
                    if (f.getValue().isTextual()) {
                        aliases.put(f.getKey(), f.getValue().asText());
                    } else {
                        errors.add("aliases." + f.getKey() + ": alias to nothing, expected a model name");
                    }
                });
            }
        }
        Set<String> allowed = new LinkedHashSet<>();
        JsonNode allow = root.get("allow");
        if (allow != null && !allow.isNull()) {
            if (!allow.isArray()) {
                errors.add("allow: not a list");
            } else {
                allow.forEach(a -> allowed.add(a.asText()));
            }
        }
        JsonNode def = root.get("default");
        String defaultModel = def == null || def.isNull() ? null : def.asText();
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(source + ": invalid model catalog: " + String.join("; ", errors));
        }
        try {
            return of(defaultModel, entries, aliases, allowed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static void unknownKeys(JsonNode node, Set<String> known, String path, List<String> errors) {
        node.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                errors.add(path + k + ": unknown key (known: " + known.stream().sorted().toList() + ")");
            }
        });
    }

    private static Optional<CatalogEntry> parseEntry(String name, JsonNode n, List<String> errors) {
        String p = "models." + name + ".";
        if (n == null || !n.isObject()) {
            errors.add("models." + name + ": expected a mapping");
            return Optional.empty();
        }
        int before = errors.size();
        unknownKeys(n, ENTRY_KEYS, p, errors);
        String file = text(n, "file");
        if (file == null || file.isBlank()) {
            errors.add(p + "file: missing file key");
        } else if (Path.of(file).isAbsolute() || file.contains("..")) {
            errors.add(p + "file: must be relative to the models directory, got '" + file + "'");
        }
        String sha = text(n, "sha256");
        if (sha != null && !CatalogEntry.SHA256.matcher(sha).matches()) {
            errors.add(p + "sha256: bad sha format, expected 64 lowercase hex digits or null, got '" + sha + "'");
        }
        String arch = text(n, "architecture");
        if (arch == null) {
            errors.add(p + "architecture: missing");
        } else if (!Architecture.isKnown(arch)) {
            errors.add(p + "architecture: unknown architecture '" + arch + "' (known: " + Architecture.names() + ")");
        }
        String labels = text(n, "labels");
        if (labels == null) {
            labels = Labels.IMAGENET1K;
        } else if (!Labels.KNOWN.contains(labels)) {
            errors.add(p + "labels: unknown labels reference '" + labels + "' (known: " + Labels.KNOWN + ")");
        }
        JsonNode trainedNode = n.get("trained");
        boolean trained = false;
        if (trainedNode == null || !trainedNode.isBoolean()) {
            errors.add(p + "trained: missing or not true/false");
        } else {
            trained = trainedNode.asBoolean();
        }
        PreprocessSpec input = PreprocessSpec.IMAGENET;
        JsonNode in = n.get("input");
        if (in != null && !in.isNull()) {
            input = parseInput(in, p + "input.", errors);
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new CatalogEntry(name, file, sha, arch, input, labels, trained));
    }

    private static PreprocessSpec parseInput(JsonNode in, String p, List<String> errors) {
        if (!in.isObject()) {
            errors.add(p.substring(0, p.length() - 1) + ": expected a mapping");
            return PreprocessSpec.IMAGENET;
        }
        unknownKeys(in, INPUT_KEYS, p, errors);
        PreprocessSpec d = PreprocessSpec.IMAGENET;
        int resize = in.has("resize") ? in.get("resize").asInt(-1) : d.resize();
        int crop = in.has("crop") ? in.get("crop").asInt(-1) : d.crop();
        float[] mean = triple(in.get("mean"), new float[] {d.mean(0), d.mean(1), d.mean(2)}, p + "mean", errors);
        float[] std = triple(in.get("std"), new float[] {d.std(0), d.std(1), d.std(2)}, p + "std", errors);
        if (crop != Architecture.INPUT_SIZE) {
            errors.add(p + "crop: the models take 224x224 input, got " + crop);
        }
        try {
            return new PreprocessSpec(resize, crop, mean, std);
        } catch (IllegalArgumentException e) {
            errors.add(p.substring(0, p.length() - 1) + ": " + e.getMessage());
            return d;
        }
    }

    private static float[] triple(JsonNode n, float[] dflt, String path, List<String> errors) {
        if (n == null) {
            return dflt;
        }
        if (!n.isArray() || n.size() != 3 || !n.get(0).isNumber() || !n.get(1).isNumber() || !n.get(2).isNumber()) {
            errors.add(path + ": expected three numbers (RGB)");
            return dflt;
        }
        return new float[] {(float) n.get(0).asDouble(), (float) n.get(1).asDouble(), (float) n.get(2).asDouble()};
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    public String defaultModel() { return defaultModel; }

    /** Entries in file order. */
    public Collection<CatalogEntry> entries() { return entries.values(); }

    public Optional<CatalogEntry> entry(String name) { return Optional.ofNullable(entries.get(name)); }

    public Map<String, String> aliases() { return aliases; }

    /** The allow-list; empty means every entry is allowed. */
    public Set<String> allowed() { return allowed; }

    public boolean isAllowed(String catalogName) {
        return entries.containsKey(catalogName) && (allowed.isEmpty() || allowed.contains(catalogName));
    }

    /**
     * Trims, maps an alias to its model, and checks the allow-list.
     *
     * @throws UnknownModelException naming the request when it is not a model or alias, or not allowed
     */
    public String resolve(String requested) throws UnknownModelException {
        if (requested == null || requested.isBlank()) {
            throw new UnknownModelException("empty model name");
        }
        String r = requested.trim();
        String name = aliases.getOrDefault(r, r);
        if (!entries.containsKey(name)) {
            throw new UnknownModelException("unknown model '" + r + "'; known: " + entries.keySet()
                    + (aliases.isEmpty() ? "" : ", aliases: " + aliases.keySet()));
        }
        if (!isAllowed(name)) {
            throw new UnknownModelException("model '" + r + "'" + (name.equals(r) ? "" : " (" + name + ")")
                    + " is not allowed; allowed: " + allowed);
        }
        return name;
    }

    /** The {@link ModelInfo} of an entry, labels resolved. */
    public ModelInfo info(CatalogEntry e) {
        return new ModelInfo(e.name(), e.architecture(), e.trained(), e.input(), Labels.resolve(e.labels()));
    }
}
