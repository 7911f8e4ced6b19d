package dev.tagstream.config;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * Every tagstream setting: a constant, a type, a default, a validator and a doc string, declared with Kafka's own
 * {@link ConfigDef} so that a bad value fails with "Invalid value V for configuration K: what is allowed". Keys
 * not starting with {@value #PREFIX} are passed to Kafka (Streams, clients) and the serde untouched.
 */
public final class SettingsDef {
    public static final String PREFIX = "tagstream.";

    public static final String INPUT_TOPIC = "tagstream.input.topic";
    public static final String OUTPUT_TOPIC = "tagstream.output.topic";
    public static final String DLQ_TOPIC = "tagstream.dlq.topic";
    public static final String TOPICS_CREATE = "tagstream.topics.create";
    public static final String TOPICS_PARTITIONS = "tagstream.topics.partitions";
    public static final String TOPICS_REPLICATION = "tagstream.topics.replication-factor";
    public static final String MODEL_HEADER = "tagstream.model.header";
    public static final String MODEL_DEFAULT = "tagstream.model.default";
    public static final String MODEL_ALLOW = "tagstream.model.allow";
    public static final String MODELS_DIR = "tagstream.models.dir";
    public static final String MODELS_CATALOG = "tagstream.models.catalog";
    public static final String MODELS_PROVIDERS = "tagstream.models.providers";
    public static final String MODELS_DEVICE_ID = "tagstream.models.device-id";
    public static final String MODELS_CUDNN_ALGO = "tagstream.models.cudnn-conv-algo-search";
    public static final String MODELS_INTRA_OP_THREADS = "tagstream.models.intra-op-threads";
    public static final String MODELS_MAX_LOADED = "tagstream.models.max-loaded";
    public static final String MODELS_EAGER = "tagstream.models.eager";
    public static final String BATCH_MAX_SIZE = "tagstream.batch.max-size";
    public static final String BATCH_MAX_DELAY_MS = "tagstream.batch.max-delay-ms";
    public static final String BATCH_MERGE_WAIT_US = "tagstream.batch.merge-wait-us";
    public static final String IMAGE_MAX_BYTES = "tagstream.image.max-bytes";
    public static final String IMAGE_MAX_PIXELS = "tagstream.image.max-pixels";
    public static final String IMAGE_EXIF_TRANSPOSE = "tagstream.image.exif-transpose";
    public static final String IMAGE_FAST_JPEG = "tagstream.image.fast-jpeg";
    public static final String PREPROCESS_THREADS = "tagstream.preprocess.threads";
    public static final String PREPROCESS_QUEUE = "tagstream.preprocess.queue-capacity";
    public static final String TOPK = "tagstream.topk";
    public static final String METRICS_PORT = "tagstream.metrics.port";
    public static final String SHUTDOWN_GRACE_MS = "tagstream.shutdown.grace-ms";
    public static final String STARTUP_TIMEOUT_MS = "tagstream.startup.timeout-ms";
    public static final String LOG_FORMAT = "tagstream.log.format";

    /** PIL's own default decompression-bomb limit (Image.MAX_IMAGE_PIXELS). */
    public static final long PIL_MAX_IMAGE_PIXELS = 89_478_485L;

    static final ConfigDef DEF = new ConfigDef()
            .define(INPUT_TOPIC, Type.STRING, "images", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Topic of ImageEvent records to classify.")
            .define(OUTPUT_TOPIC, Type.STRING, "predictions", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Topic the Prediction records are written to.")
            .define(DLQ_TOPIC, Type.STRING, "images-dlq", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Dead-letter topic: every input that cannot be predicted, with the reason in headers.")
            .define(TOPICS_CREATE, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Create the output and DLQ topics at start when missing. The input topic must exist.")
            .define(TOPICS_PARTITIONS, Type.INT, 4, Range.atLeast(1), Importance.LOW,
                    "Partitions of topics this service creates.")
            .define(TOPICS_REPLICATION, Type.SHORT, (short) -1, Importance.LOW,
                    "Replication factor of topics this service creates; -1 is the broker default.")
            .define(MODEL_HEADER, Type.STRING, "model", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Record header naming the model for a record; absent means the default model.")
            .define(MODEL_DEFAULT, Type.STRING, "resnet50_swsl", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Model for records without the model header. Loaded and warmed up before ready.")
            .define(MODEL_ALLOW, Type.LIST, List.of(), Importance.MEDIUM,
                    "If not empty, only these catalog models may be requested; others are dead-lettered.")
            .define(MODELS_DIR, Type.STRING, "models", Importance.HIGH, "Directory holding the ONNX files.")
            .define(MODELS_CATALOG, Type.STRING, "config/models.yaml", Importance.HIGH, "The model catalog.")
            .define(MODELS_PROVIDERS, Type.LIST, List.of("cuda", "cpu"), ValidList.in("cuda", "tensorrt", "cpu"),
                    Importance.HIGH, "Execution providers in order of preference; one that cannot load is "
                            + "skipped with a log line.")
            .define(MODELS_DEVICE_ID, Type.INT, 0, Range.atLeast(0), Importance.LOW, "GPU device id.")
            .define(MODELS_CUDNN_ALGO, Type.STRING, "HEURISTIC", ValidString.in("EXHAUSTIVE", "HEURISTIC", "DEFAULT"),
                    Importance.LOW, "CUDA provider cudnn_conv_algo_search.")
            .define(MODELS_INTRA_OP_THREADS, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM,
                    "ONNX Runtime intra-op threads on CPU; 0 lets the runtime choose (one per core).")
            .define(MODELS_MAX_LOADED, Type.INT, 4, Range.between(1, 12), Importance.MEDIUM,
                    "Models kept loaded at once; the least recently used is unloaded beyond this.")
            .define(MODELS_EAGER, Type.BOOLEAN, false, Importance.LOW,
                    "Load every allowed model at start instead of on first use.")
            .define(BATCH_MAX_SIZE, Type.INT, 16, Range.between(1, 1024), Importance.HIGH,
                    "A pending batch is run when it holds this many records.")
            .define(BATCH_MAX_DELAY_MS, Type.LONG, 50L, Range.between(0, 60_000), Importance.HIGH,
                    "A pending batch is run when its oldest record has waited this long (wall clock).")
            .define(BATCH_MERGE_WAIT_US, Type.LONG, 2_000L, Range.between(0, 1_000_000), Importance.LOW,
                    "How long the inference engine waits for batches of other stream threads to merge with "
                            + "(microseconds); only used with more than one stream thread.")
            .define(IMAGE_MAX_BYTES, Type.INT, 20 * 1024 * 1024, Range.atLeast(1), Importance.MEDIUM,
                    "Larger encoded images are dead-lettered as IMAGE_TOO_LARGE.")
            .define(IMAGE_MAX_PIXELS, Type.LONG, PIL_MAX_IMAGE_PIXELS, Range.atLeast(1), Importance.MEDIUM,
                    "Images declaring more pixels in their header are refused before decoding.")
            .define(IMAGE_EXIF_TRANSPOSE, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Turn photos upright by their EXIF orientation, as viewers do. False is the seed's exact "
                            + "pipeline (PIL does not rotate).")
            .define(IMAGE_FAST_JPEG, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Decode large JPEGs at reduced scale (faster, slightly different from PIL).")
            .define(PREPROCESS_THREADS, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM,
                    "Preprocessing worker threads; 0 means one per core.")
            .define(PREPROCESS_QUEUE, Type.INT, 256, Range.atLeast(1), Importance.LOW,
                    "Images queued for preprocessing at most; arrival blocks beyond it (backpressure).")
            .define(TOPK, Type.INT, 5, Range.between(1, 1000), Importance.MEDIUM, "Classes per prediction.")
            .define(METRICS_PORT, Type.INT, 9400, Range.between(0, 65_535), Importance.MEDIUM,
                    "Port of /metrics, /health/live and /health/ready; 0 picks a free port.")
            .define(SHUTDOWN_GRACE_MS, Type.LONG, 30_000L, Range.atLeast(0), Importance.MEDIUM,
                    "On SIGTERM, time allowed to drain pending batches and commit.")
            .define(STARTUP_TIMEOUT_MS, Type.LONG, 30_000L, Range.atLeast(1), Importance.MEDIUM,
                    "Time allowed for each start-up check (brokers, topics, registry).")
            .define(LOG_FORMAT, Type.STRING, "plain", ValidString.in("plain", "json"), Importance.LOW,
                    "Log layout: plain text or one JSON object per line.");

    private SettingsDef() {}

    /** The documented keys, for help output and for checks of deployment files. */
    public static java.util.Set<String> keys() {
        return DEF.names();
    }

    /** The documentation of every key, as a table. */
    public static String describe() {
        return DEF.toRst();
    }
}
