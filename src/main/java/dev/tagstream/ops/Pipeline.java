package dev.tagstream.ops;

import dev.tagstream.batch.DrainControl;
import dev.tagstream.batch.InferenceEngine;
import dev.tagstream.config.Settings;
import dev.tagstream.image.ImageLimits;
import dev.tagstream.image.PilCompatiblePreprocessor;
import dev.tagstream.model.ExecutionProvider;
import dev.tagstream.model.ModelCatalog;
import dev.tagstream.model.ModelRuntimeOptions;
import dev.tagstream.model.ModelUnavailableException;
import dev.tagstream.model.OnnxModelRepository;
import dev.tagstream.model.UnknownModelException;
import dev.tagstream.serde.ImageEventSerde;
import dev.tagstream.serde.PredictionSerde;
import dev.tagstream.topology.PipelineListener;
import dev.tagstream.topology.PipelineServices;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real components of one process, built from {@link Settings} and closed together: serdes on the configured
 * registry, the PIL-compatible preprocessor, the ONNX model repository, the cross-thread inference engine and the
 * bounded preprocessing pool.
 */
public final class Pipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final PipelineServices services;
    private final OnnxModelRepository models;
    private final ThreadPoolExecutor pool;
    private final String defaultModel;

    private Pipeline(PipelineServices services, OnnxModelRepository models, ThreadPoolExecutor pool,
            String defaultModel) {
        this.services = services;
        this.models = models;
        this.pool = pool;
        this.defaultModel = defaultModel;
    }

    /**
     * @throws ModelUnavailableException if the catalog cannot be read, or names a default model that is unknown
     */
    public static Pipeline create(Settings settings, PipelineListener.Factory listeners)
            throws ModelUnavailableException {
        ModelCatalog catalog = catalog(settings);
        OnnxModelRepository models = OnnxModelRepository.open(catalog, runtimeOptions(settings));
        int threads = settings.preprocessThreads();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.preprocessQueueCapacity()), daemon("preprocess"),
                new ThreadPoolExecutor.CallerRunsPolicy());
        ImageEventSerde events = new ImageEventSerde();
        events.configure(settings.kafkaProperties(), false);
        PredictionSerde predictions = new PredictionSerde();
        predictions.configure(settings.kafkaProperties(), false);
        DrainControl drain = new DrainControl();
        long mergeWait = settings.streamThreads() > 1 ? settings.batchMergeWaitMicros() : 0;
        PipelineServices services = new PipelineServices(events.deserializer(), predictions.serializer(),
                new PilCompatiblePreprocessor(new ImageLimits(settings.imageMaxBytes(), settings.imageMaxPixels()),
                        settings.exifTranspose(), settings.fastJpeg()),
                models, new InferenceEngine(mergeWait), pool, listeners.create(drain), drain);
        return new Pipeline(services, models, pool, catalog.defaultModel());
    }

    /** The catalog file, with the operator's default model and allow-list from settings taking precedence. */
    public static ModelCatalog catalog(Settings settings) throws ModelUnavailableException {
        ModelCatalog file;
        try {
            file = ModelCatalog.load(settings.modelsCatalog());
        } catch (NoSuchFileException e) {
            throw new ModelUnavailableException("model catalog " + settings.modelsCatalog() + " does not exist (set "
                    + "tagstream.models.catalog)");
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelUnavailableException("model catalog " + settings.modelsCatalog() + ": " + e.getMessage(), e);
        }
        String requestedDefault = settings.defaultModel();
        String defaultModel;
        try {
            defaultModel = file.aliases().getOrDefault(requestedDefault, requestedDefault);
            if (file.entry(defaultModel).isEmpty()) {
                throw new UnknownModelException(requestedDefault);
            }
        } catch (UnknownModelException e) {
            throw new ModelUnavailableException("tagstream.model.default '" + requestedDefault
                    + "' is not in the catalog " + settings.modelsCatalog() + "; known: "
                    + file.entries().stream().map(x -> x.name()).toList());
        }
        Set<String> allowed = settings.allowedModels().isEmpty() ? file.allowed()
                : new LinkedHashSet<>(settings.allowedModels());
        try {
            return ModelCatalog.of(defaultModel, file.entries(), file.aliases(), allowed);
        } catch (IllegalArgumentException e) {
            throw new ModelUnavailableException(e.getMessage() + " (check tagstream.model.allow)", e);
        }
    }

    public static ModelRuntimeOptions runtimeOptions(Settings s) {
        int maxBatch = Math.max(s.batchMaxSize(), s.batchMaxSize() * s.streamThreads());
        List<Integer> warmup = s.batchMaxSize() == 1 ? List.of(1) : List.of(1, s.batchMaxSize());
        return new ModelRuntimeOptions(s.modelsDir(), ExecutionProvider.parseList(String.join(",", s.providers())),
                s.deviceId(), s.cudnnConvAlgoSearch(), true, 0L, s.intraOpThreads(), s.maxLoadedModels(),
                s.eagerModels(), warmup, maxBatch);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public PipelineServices services() {
        return services;
    }

    public OnnxModelRepository models() {
        return models;
    }

    public String defaultModel() {
        return defaultModel;
    }

    /** Loads, verifies and warms up the default model now, so the first records do not pay for it. */
    public void warmUpDefault() throws ModelUnavailableException {
        long start = System.nanoTime();
        var c = models.get(defaultModel);
        LOG.info("default model {} ready in {} ms ({}, {} weights, provider {})", defaultModel,
                (System.nanoTime() - start) / 1_000_000, c.info().architecture(),
                c.info().trained() ? "trained" : "UNTRAINED (random)", models.provider(defaultModel).orElse(null));
        if (!c.info().trained()) {
            LOG.warn("model {} has UNTRAINED random weights: its predictions mean nothing. Export real weights with "
                    + "tools/export_models.py (see docs/models.md)", defaultModel);
        }
    }

    public boolean defaultModelLoaded() {
        return models.loadedModels().contains(defaultModel);
    }

    @Override
    public void close() {
        services.engine().close();
        pool.shutdownNow();
        models.close();
    }
}
