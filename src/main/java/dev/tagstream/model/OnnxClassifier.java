package dev.tagstream.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A catalog model served by {@link OnnxModelRepository}. Thread-safe; any number of threads may call {@link #logits}
 * at once on the one shared session. Holding this handle is fine across unloads: a call on an unloaded model loads
 * it again (and fails with {@link InferenceException} if that is no longer possible).
 */
public final class OnnxClassifier implements Classifier {
    private final OnnxModelRepository repo;
    private final CatalogEntry entry;
    private final ModelInfo catalogInfo;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Guarded by {@link #lock}: read to run, write to load or unload. */
    private OnnxModelRepository.Loaded loaded;
    private volatile ModelInfo info;

    OnnxClassifier(OnnxModelRepository repo, CatalogEntry entry, ModelInfo info) {
        this.repo = repo;
        this.entry = entry;
        this.catalogInfo = info;
        this.info = info;
    }

    /** Catalog info; {@code trained} is false if either the catalog or the file's metadata says untrained. */
    @Override
    public ModelInfo info() { return info; }

    @Override
    public int maxBatch() { return repo.options().maxBatch(); }

    /** The execution provider the session runs on; empty while unloaded. */
    public Optional<ExecutionProvider> provider() {
        lock.readLock().lock();
        try {
            return Optional.ofNullable(loaded).map(OnnxModelRepository.Loaded::provider);
        } finally {
            lock.readLock().unlock();
        }
    }

    public boolean isLoaded() {
        lock.readLock().lock();
        try {
            return loaded != null;
        } finally {
            lock.readLock().unlock();
        }
    }

    void ensureLoaded() throws ModelUnavailableException {
        boolean fresh = false;
        lock.writeLock().lock();
        try {
            if (loaded == null) {
                loaded = repo.load(entry, catalogInfo.numClasses());
                info = new ModelInfo(catalogInfo.name(), catalogInfo.architecture(),
                        loaded.trainedWeights(), catalogInfo.input(), catalogInfo.labels());
                fresh = true;
            }
        } finally {
            lock.writeLock().unlock();
        }
        if (fresh) {
            repo.loaded(this); // may unload others; never while holding our own lock
        } else {
            repo.touch(this);
        }
    }

    /** Closes the session once no run is in flight; a later call loads it again. */
    void unload() {
        lock.writeLock().lock();
        try {
            if (loaded != null) {
                loaded.close();
                loaded = null;
            }
            // under our lock, so a concurrent reload can only register itself after this
            repo.unloaded(this);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void logits(FloatBuffer input, int n, float[] out) throws InferenceException {
        int per = catalogInfo.input().floatsPerImage();
        int classes = catalogInfo.numClasses();
        String name = catalogInfo.name();
        if (n < 1 || n > maxBatch()) {
            throw new InferenceException("model " + name + ": batch of " + n + " is not in 1.." + maxBatch());
        }
        if (input.capacity() < (long) n * per) {
            throw new InferenceException("model " + name + ": input holds " + input.capacity() + " floats, " + n
                    + " images need " + (long) n * per);
        }
        if (out.length < n * classes) {
            throw new InferenceException("model " + name + ": output array of " + out.length + " floats, " + n
                    + " images need " + n * classes);
        }
        FloatBuffer view = input.duplicate();
        view.position(0).limit(n * per);
        while (true) {
            lock.readLock().lock();
            try {
                OnnxModelRepository.Loaded l = loaded;
                if (l != null) {
                    run(l, view, n, out, classes);
                    break;
                }
            } finally {
                lock.readLock().unlock();
            }
            if (repo.isClosed()) {
                throw new InferenceException("model " + name + ": the model repository is closed");
            }
            try {
                ensureLoaded();
            } catch (ModelUnavailableException e) {
                throw new InferenceException("model " + name + " could not be (re)loaded: " + e.getMessage(), e);
            }
        }
        repo.touch(this);
    }

    private void run(OnnxModelRepository.Loaded l, FloatBuffer view, int n, float[] out, int classes)
            throws InferenceException {
        long[] shape = {n, 3, catalogInfo.input().crop(), catalogInfo.input().crop()};
        try (OnnxTensor x = OnnxTensor.createTensor(repo.env(), view, shape);
                OrtSession.Result r = l.session().run(Map.of(l.inputName(), x))) {
            FloatBuffer y = ((OnnxTensor) r.get(0)).getFloatBuffer();
            if (y.remaining() != n * classes) {
                throw new InferenceException("model " + catalogInfo.name() + ": output has " + y.remaining()
                        + " floats, expected " + n * classes);
            }
            y.get(out, 0, n * classes);
        } catch (OrtException | RuntimeException e) {
            throw new InferenceException("model " + catalogInfo.name() + ": inference failed on " + l.provider()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "OnnxClassifier[" + catalogInfo.name() + "]";
    }
}
