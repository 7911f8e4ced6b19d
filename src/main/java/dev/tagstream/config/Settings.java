package dev.tagstream.config;

import static dev.tagstream.config.SettingsDef.*;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;

/**
 * The effective, validated configuration: tagstream's typed settings plus the Kafka and schema-registry
 * properties passed through as given. Immutable; built by {@link SettingsLoader}.
 */
public final class Settings {
    private static final Pattern SECRET = Pattern.compile(
            "(?i).*(password|secret|user\\.info|jaas|token|credential|\\.key$|private).*");

    private final AbstractConfig ours;
    private final Map<String, String> passThrough;

    Settings(Map<String, String> all) {
        Map<String, String> mine = new TreeMap<>();
        Map<String, String> theirs = new TreeMap<>();
        all.forEach((k, v) -> (k.startsWith(PREFIX) ? mine : theirs).put(k, v));
        List<String> unknown = mine.keySet().stream().filter(k -> !DEF.names().contains(k)).toList();
        if (!unknown.isEmpty()) {
            throw new org.apache.kafka.common.config.ConfigException(unknown.get(0), mine.get(unknown.get(0)),
                    "unknown tagstream setting; known ones are listed by 'tagstream run --help-config'");
        }
        this.ours = new AbstractConfig(DEF, mine, false);
        this.passThrough = Map.copyOf(theirs);
    }

    public String inputTopic() { return ours.getString(INPUT_TOPIC); }

    public String outputTopic() { return ours.getString(OUTPUT_TOPIC); }

    public String dlqTopic() { return ours.getString(DLQ_TOPIC); }

    public boolean createTopics() { return ours.getBoolean(TOPICS_CREATE); }

    public int topicPartitions() { return ours.getInt(TOPICS_PARTITIONS); }

    public short topicReplicationFactor() { return ours.getShort(TOPICS_REPLICATION); }

    public String modelHeader() { return ours.getString(MODEL_HEADER); }

    public String defaultModel() { return ours.getString(MODEL_DEFAULT); }

    public List<String> allowedModels() { return List.copyOf(ours.getList(MODEL_ALLOW)); }

    public Path modelsDir() { return Path.of(ours.getString(MODELS_DIR)); }

    public Path modelsCatalog() { return Path.of(ours.getString(MODELS_CATALOG)); }

    public List<String> providers() { return List.copyOf(ours.getList(MODELS_PROVIDERS)); }

    public int deviceId() { return ours.getInt(MODELS_DEVICE_ID); }

    public String cudnnConvAlgoSearch() { return ours.getString(MODELS_CUDNN_ALGO); }

    public int intraOpThreads() { return ours.getInt(MODELS_INTRA_OP_THREADS); }

    public int maxLoadedModels() { return ours.getInt(MODELS_MAX_LOADED); }

    public boolean eagerModels() { return ours.getBoolean(MODELS_EAGER); }

    public int batchMaxSize() { return ours.getInt(BATCH_MAX_SIZE); }

    public long batchMaxDelayMs() { return ours.getLong(BATCH_MAX_DELAY_MS); }

    public long batchMergeWaitMicros() { return ours.getLong(BATCH_MERGE_WAIT_US); }

    /** {@code num.stream.threads} as Kafka Streams will read it (default 1). */
    public int streamThreads() {
        String v = passThrough.get("num.stream.threads");
        try {
            return v == null ? 1 : Math.max(1, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            throw new org.apache.kafka.common.config.ConfigException("num.stream.threads", v, "must be a whole number");
        }
    }

    public int imageMaxBytes() { return ours.getInt(IMAGE_MAX_BYTES); }

    public long imageMaxPixels() { return ours.getLong(IMAGE_MAX_PIXELS); }

    public boolean exifTranspose() { return ours.getBoolean(IMAGE_EXIF_TRANSPOSE); }

    public boolean fastJpeg() { return ours.getBoolean(IMAGE_FAST_JPEG); }

    /** Preprocessing workers, 0 resolved to the number of cores. */
    public int preprocessThreads() {
        int n = ours.getInt(PREPROCESS_THREADS);
        return n == 0 ? Runtime.getRuntime().availableProcessors() : n;
    }

    public int preprocessQueueCapacity() { return ours.getInt(PREPROCESS_QUEUE); }

    public int topK() { return ours.getInt(TOPK); }

    public int metricsPort() { return ours.getInt(METRICS_PORT); }

    public long shutdownGraceMs() { return ours.getLong(SHUTDOWN_GRACE_MS); }

    public long startupTimeoutMs() { return ours.getLong(STARTUP_TIMEOUT_MS); }

    public String logFormat() { return ours.getString(LOG_FORMAT); }

    /** Kafka, Kafka Streams and schema-registry properties, exactly as configured. */
    public Map<String, String> kafkaProperties() { return passThrough; }

    /** Every effective value, ours with defaults applied, sorted, with secrets masked: for the start-up log. */
    public Map<String, String> describe() {
        Map<String, String> out = new TreeMap<>();
        ours.values().forEach((k, v) -> out.put(k, String.valueOf(v)));
        passThrough.forEach((k, v) -> out.put(k, mask(k, v)));
        return out;
    }

    /** The value as it may be logged: secrets hidden, and passwords in URLs removed. */
    static String mask(String key, String value) {
        if (SECRET.matcher(key).matches()) {
            return "[hidden]";
        }
        if (value != null && value.contains("@") && value.contains("://")) {
            StringBuilder sb = new StringBuilder();
            for (String part : value.split(",")) {
                try {
                    URI u = URI.create(part.trim());
                    sb.append(sb.length() == 0 ? "" : ",")
                            .append(u.getRawUserInfo() == null ? part.trim() : part.trim().replace(
                                    u.getRawUserInfo() + "@", u.getRawUserInfo().split(":")[0] + ":[hidden]@"));
                } catch (IllegalArgumentException e) {
                    return "[hidden]";
                }
            }
            return sb.toString();
        }
        return value;
    }

    @Override
    public String toString() {
        return describe().toString();
    }
}
