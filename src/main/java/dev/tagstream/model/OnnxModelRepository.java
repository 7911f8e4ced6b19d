package dev.tagstream.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ModelRepository} over ONNX Runtime: one {@link OrtSession} per model per process, shared by every thread.
 *
 * <p>Loading (lazy on first {@link #get}, or at {@link #open} when {@code eager}): the file must exist, its SHA-256
 * must match the catalog pin (when pinned), the session is created with the first execution provider that works,
 * its single input must be float [N,3,224,224] and its single output [N,classes] with a symbolic batch dimension,
 * then it is warmed up at the configured batch sizes. Any failure is a {@link ModelUnavailableException} naming the
 * model and the file.
 *
 * <p>Memory budget: at most {@code maxLoadedModels} sessions are open; loading one more closes the least recently
 * used. A session is never closed under a running inference: each model's session is guarded by a read/write lock,
 * runs hold the read lock and unloading takes the write lock. The {@link Classifier} handed out stays valid after its
 * session is unloaded: its next call loads it again.
 *
 * <p>Execution providers are tried in the configured order. A provider this ONNX Runtime build lacks, or whose
 * registration fails, is logged once (per repository) with the cause and skipped from then on. A provider that
 * registers but cannot create a session (no device, out of memory) is still tried for each model, since the cause may
 * be the model's size, and the next one is used; each distinct provider and cause is logged once. A file ONNX Runtime
 * cannot parse fails at once, whatever the provider.
 */
public final class OnnxModelRepository implements ModelRepository {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxModelRepository.class);

    private final ModelCatalog catalog;
    private final ModelRuntimeOptions options;
    private final OrtEnvironment env;
    private final Map<String, OnnxClassifier> classifiers;
    /** Loaded models, least recently used first; guarded by itself. */
    private final LinkedHashMap<String, OnnxClassifier> lru = new LinkedHashMap<>(16, 0.75f, true);
    private final Set<ExecutionProvider> unavailableProviders = ConcurrentHashMap.newKeySet();
    private final Set<String> unpinnedWarned = ConcurrentHashMap.newKeySet();
    private final Set<String> sessionFailuresLogged = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private OnnxModelRepository(ModelCatalog catalog, ModelRuntimeOptions options) {
        this.catalog = catalog;
        this.options = options;
        this.env = OrtEnvironment.getEnvironment();
        Map<String, OnnxClassifier> m = new LinkedHashMap<>();
        for (CatalogEntry e : catalog.entries()) {
            m.put(e.name(), new OnnxClassifier(this, e, catalog.info(e)));
        }
        this.classifiers = Collections.unmodifiableMap(m);
    }

    /**
     * A repository over {@code catalog}. With {@code options.eager()} it loads, verifies and warms up the allow-listed
     * models now (the default model when there is no allow-list), at most {@code maxLoadedModels} of them.
     *
     * @throws ModelUnavailableException if an eagerly loaded model cannot be loaded (nothing stays open then)
     */
    public static OnnxModelRepository open(ModelCatalog catalog, ModelRuntimeOptions options)
            throws ModelUnavailableException {
        OnnxModelRepository repo = new OnnxModelRepository(catalog, options);
        if (options.eager()) {
            List<String> names = catalog.allowed().isEmpty() ? List.of(catalog.defaultModel())
                    : List.copyOf(catalog.allowed());
            try {
                for (String n : names.subList(0, Math.min(names.size(), options.maxLoadedModels()))) {
                    repo.get(n);
                }
            } catch (ModelUnavailableException | RuntimeException e) {
                repo.close();
                throw e;
            }
        }
        return repo;
    }

    /**
     * For tests (topology, batch): synthesizes a {@code tiny} model (seed 1) for each name into {@code dir} and opens
     * a CPU-only repository over them, the first name being the default. Close it when done.
     */
    public static OnnxModelRepository synthesizedTiny(Path dir, String... names)
            throws IOException, ModelUnavailableException {
        List<String> ns = names.length == 0 ? List.of("tiny") : List.of(names);
        List<CatalogEntry> entries = new ArrayList<>();
        for (String n : ns) {
            var r = ModelSynthesizer.synthesize(n, "tiny", 1, dir.resolve(n + ".onnx"));
            entries.add(CatalogEntry.synthesized(n, "tiny", r.sha256()));
        }
        ModelCatalog catalog = ModelCatalog.of(ns.get(0), entries, Map.of(), Set.of());
        return open(catalog, ModelRuntimeOptions.defaults(dir).withProviders(List.of(ExecutionProvider.CPU))
                .withIntraOpThreads(1).withMaxLoadedModels(Math.max(1, ns.size())));
    }

    public ModelCatalog catalog() { return catalog; }

    public ModelRuntimeOptions options() { return options; }

    @Override
    public String resolve(String requested) throws UnknownModelException {
        return catalog.resolve(requested);
    }

    /** The model's classifier, loaded and verified; the returned handle may be kept (see class doc). */
    @Override
    public OnnxClassifier get(String catalogName) throws ModelUnavailableException {
        OnnxClassifier c = classifiers.get(catalogName);
        if (c == null || !catalog.isAllowed(catalogName)) {
            throw new ModelUnavailableException("model '" + catalogName + "' is not "
                    + (c == null ? "in the catalog" : "allowed") + "; resolve the requested name first");
        }
        c.ensureLoaded();
        return c;
    }

    /** The handle of a catalog model without loading it (for status and tests). */
    OnnxClassifier handle(String catalogName) {
        OnnxClassifier c = classifiers.get(catalogName);
        if (c == null) {
            throw new IllegalArgumentException("model '" + catalogName + "' is not in the catalog");
        }
        return c;
    }

    /** The provider the model's session runs on, empty when it is not loaded. */
    public Optional<ExecutionProvider> provider(String catalogName) {
        OnnxClassifier c = classifiers.get(catalogName);
        return c == null ? Optional.empty() : c.provider();
    }

    /** Names of the models whose sessions are open, least recently used first. */
    public List<String> loadedModels() {
        synchronized (lru) {
            return List.copyOf(lru.keySet());
        }
    }

    /** The file a catalog entry points to. */
    public Path fileOf(CatalogEntry e) {
        return options.modelsDir().resolve(e.file());
    }

    @Override
    public void close() {
        closed = true;
        for (OnnxClassifier c : classifiers.values()) {
            c.unload();
        }
        synchronized (lru) {
            lru.clear();
        }
    }

    boolean isClosed() { return closed; }

    void touch(OnnxClassifier c) {
        synchronized (lru) {
            lru.get(c.info().name());
        }
    }

    /** Records a newly loaded model and closes the least recently used ones beyond the budget. */
    void loaded(OnnxClassifier c) {
        List<OnnxClassifier> evict = new ArrayList<>();
        synchronized (lru) {
            lru.put(c.info().name(), c);
            var it = lru.values().iterator();
            int excess = lru.size() - options.maxLoadedModels();
            while (excess > 0 && it.hasNext()) {
                OnnxClassifier old = it.next();
                if (old != c) {
                    it.remove();
                    evict.add(old);
                    excess--;
                }
            }
        }
        for (OnnxClassifier old : evict) {
            LOG.info("unloading model {} (least recently used; maxLoadedModels={})", old.info().name(),
                    options.maxLoadedModels());
            old.unload(); // waits for runs in flight on it
        }
    }

    void unloaded(OnnxClassifier c) {
        synchronized (lru) {
            lru.remove(c.info().name(), c);
        }
    }

    /** An open session and what it runs on. */
    record Loaded(OrtSession session, OrtSession.SessionOptions sessionOptions, ExecutionProvider provider,
            String inputName, boolean trainedWeights) {
        void close() {
            try {
                session.close();
            } catch (OrtException e) {
                LOG.warn("closing session failed: {}", e.toString());
            } finally {
                sessionOptions.close();
            }
        }
    }

    /** Verifies the file, creates the session on the first working provider, checks shapes, warms up. */
    Loaded load(CatalogEntry e, int numClasses) throws ModelUnavailableException {
        if (closed) {
            throw new ModelUnavailableException("model '" + e.name() + "': the model repository is closed");
        }
        Path file = fileOf(e);
        String what = "model '" + e.name() + "' (file " + file + ")";
        if (!Files.isRegularFile(file)) {
            throw new ModelUnavailableException(what + ": file does not exist" + (e.trained() ? ""
                    : "; synthesize it with: tagstream models synth " + e.name() + " --dir " + options.modelsDir()));
        }
        if (e.pinned()) {
            String actual;
            try {
                actual = FileDigest.sha256(file);
            } catch (IOException ex) {
                throw new ModelUnavailableException(what + ": cannot read: " + ex, ex);
            }
            if (!actual.equals(e.sha256())) {
                throw new ModelUnavailableException(what + ": SHA-256 mismatch, expected " + e.sha256() + " actual "
                        + actual + " (corrupt, truncated or a different model)");
            }
        } else if (unpinnedWarned.add(e.name())) {
            LOG.warn("{}: no sha256 pinned in the catalog, file not verified", what);
        }
        List<String> failures = new ArrayList<>();
        for (ExecutionProvider p : options.providers()) {
            if (unavailableProviders.contains(p)) {
                continue;
            }
            OrtSession.SessionOptions so = null;
            OrtSession session = null;
            try {
                so = baseOptions();
                if (!addProvider(so, p)) {
                    so.close();
                    so = null;
                    continue;
                }
                session = env.createSession(file.toString(), so);
            } catch (OrtException | RuntimeException ex) {
                if (so != null) {
                    so.close();
                }
                String msg = what + ": provider " + p + " could not create a session: " + ex.getMessage();
                failures.add(p + ": " + ex.getMessage());
                if (p == ExecutionProvider.CPU || ex instanceof OrtException oe && isModelError(oe)) {
                    throw new ModelUnavailableException(msg, ex);
                }
                if (sessionFailuresLogged.add(p + ": " + ex.getMessage())) {
                    LOG.warn("{}; trying the next provider (logged once per provider and cause)", msg);
                }
                continue;
            }
            try {
                String input = checkShapes(session, what, numClasses);
                boolean trained = e.trained() && !"untrained".equals(session.getMetadata().getCustomMetadata()
                        .get("weights"));
                Loaded l = new Loaded(session, so, p, input, trained);
                warmUp(l, what, numClasses);
                if (trained) {
                    LOG.info("loaded {} [{}] on {}", what, e.architecture(), p);
                } else {
                    LOG.warn("loaded {} [{}] on {}: UNTRAINED weights, predictions are meaningless", what,
                            e.architecture(), p);
                }
                return l;
            } catch (OrtException | RuntimeException | ModelUnavailableException ex) {
                try {
                    session.close();
                } catch (OrtException ignored) {
                    // already failing
                }
                so.close();
                if (ex instanceof ModelUnavailableException mu) {
                    throw mu;
                }
                throw new ModelUnavailableException(what + ": " + ex.getMessage(), ex);
            }
        }
        throw new ModelUnavailableException(what + ": no execution provider left (configured " + options.providers()
                + ", unavailable " + unavailableProviders + (failures.isEmpty() ? "" : ", failures " + failures) + ")");
    }

    private static boolean isModelError(OrtException e) {
        return e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_PROTOBUF
                || e.getCode() == OrtException.OrtErrorCode.ORT_NO_SUCHFILE
                || e.getCode() == OrtException.OrtErrorCode.ORT_INVALID_GRAPH;
    }

    private OrtSession.SessionOptions baseOptions() throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (options.intraOpThreads() > 0) {
                so.setIntraOpNumThreads(options.intraOpThreads());
            }
            so.setCPUArenaAllocator(options.cpuArena());
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }

    /** Adds the provider; false (logged once) when this build or machine cannot provide it. */
    private boolean addProvider(OrtSession.SessionOptions so, ExecutionProvider p) {
        if (p == ExecutionProvider.CPU) {
            return true; // ONNX Runtime's default provider, always present
        }
        Throwable cause;
        if (!OrtEnvironment.getAvailableProviders().contains(p.ortProvider())) {
            cause = null;
        } else {
            try {
                if (p == ExecutionProvider.CUDA) {
                    try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(options.deviceId())) {
                        cuda.add("cudnn_conv_algo_search", options.cudnnConvAlgoSearch());
                        cuda.add("arena_extend_strategy", "kSameAsRequested");
                        if (options.gpuMemLimitBytes() > 0) {
                            cuda.add("gpu_mem_limit", Long.toString(options.gpuMemLimitBytes()));
                        }
                        so.addCUDA(cuda);
                    }
                } else {
                    so.addTensorrt(options.deviceId());
                }
                return true;
            } catch (OrtException | RuntimeException | LinkageError e) {
                cause = e;
            }
        }
        if (unavailableProviders.add(p)) {
            String reason = cause == null ? "not in this ONNX Runtime build (available: "
                    + OrtEnvironment.getAvailableProviders() + ")" : cause.toString();
            LOG.warn("execution provider {} unavailable, using the next one in {}: {}", p, options.providers(), reason);
        }
        return false;
    }

    private static String checkShapes(OrtSession s, String what, int numClasses)
            throws OrtException, ModelUnavailableException {
        Map<String, NodeInfo> in = s.getInputInfo();
        Map<String, NodeInfo> out = s.getOutputInfo();
        if (in.size() != 1 || out.size() != 1) {
            throw new ModelUnavailableException(what + ": expected one input and one output, found inputs "
                    + in.keySet() + " outputs " + out.keySet());
        }
        Map.Entry<String, NodeInfo> i = in.entrySet().iterator().next();
        Map.Entry<String, NodeInfo> o = out.entrySet().iterator().next();
        long[] inShape = {-1, 3, Architecture.INPUT_SIZE, Architecture.INPUT_SIZE};
        long[] outShape = {-1, numClasses};
        if (!(i.getValue().getInfo() instanceof TensorInfo ti) || ti.type != OnnxJavaType.FLOAT
                || !Arrays.equals(ti.getShape(), inShape)) {
            throw new ModelUnavailableException(what + ": wrong input shape, input '" + i.getKey() + "' is "
                    + i.getValue().getInfo() + ", expected float [N,3,224,224] with a symbolic batch dimension");
        }
        if (!(o.getValue().getInfo() instanceof TensorInfo to) || to.type != OnnxJavaType.FLOAT
                || !Arrays.equals(to.getShape(), outShape)) {
            throw new ModelUnavailableException(what + ": wrong output shape, output '" + o.getKey() + "' is "
                    + o.getValue().getInfo() + ", expected float [N," + numClasses + "]");
        }
        return i.getKey();
    }

    private void warmUp(Loaded l, String what, int numClasses) throws OrtException {
        int max = options.warmupBatchSizes().stream().mapToInt(Integer::intValue).max().orElse(0);
        if (max == 0) {
            return;
        }
        int per = 3 * Architecture.INPUT_SIZE * Architecture.INPUT_SIZE;
        FloatBuffer zeros = ByteBuffer.allocateDirect(max * per * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int b : options.warmupBatchSizes()) {
            long t0 = System.nanoTime();
            FloatBuffer view = zeros.duplicate().position(0).limit(b * per);
            try (OnnxTensor x = OnnxTensor.createTensor(env, view, new long[] {b, 3, Architecture.INPUT_SIZE,
                    Architecture.INPUT_SIZE}); OrtSession.Result r = l.session().run(Map.of(l.inputName(), x))) {
                long[] shape = ((TensorInfo) r.get(0).getInfo()).getShape();
                if (shape[0] != b || shape[1] != numClasses) {
                    throw new IllegalStateException("warm-up at batch " + b + " returned shape " + Arrays.toString(shape));
                }
            }
            LOG.debug("{}: warm-up batch {} took {} ms", what, b, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    OrtEnvironment env() { return env; }
}
