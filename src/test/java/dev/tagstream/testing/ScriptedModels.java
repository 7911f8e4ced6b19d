package dev.tagstream.testing;

import dev.tagstream.image.ImageException;
import dev.tagstream.image.ImageFailure;
import dev.tagstream.image.ImagePreprocessor;
import dev.tagstream.image.PreprocessSpec;
import dev.tagstream.model.Classifier;
import dev.tagstream.model.InferenceException;
import dev.tagstream.model.ModelInfo;
import dev.tagstream.model.ModelRepository;
import dev.tagstream.model.ModelUnavailableException;
import dev.tagstream.model.UnknownModelException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Deterministic stand-ins for the image and model seams, for testing the topology's own logic: an "image" is the
 * text {@code class:N} (classified as N), {@code poison} (makes any session run containing it throw), {@code nan} (its logits are NaN) or
 * {@code fail:REASON} (refused by the preprocessor). Tests of the real components live in their packages, and
 * {@code RealComponentsTopologyTest} runs the topology on real images and a real synthesized model.
 */
public final class ScriptedModels {
    public static final PreprocessSpec SPEC = new PreprocessSpec(4, 2, new float[] {0, 0, 0}, new float[] {1, 1, 1});
    public static final float POISON = -1f;
    /** An image whose logits come out NaN, as a broken model's would. */
    public static final float NAN_OUTPUT = -2f;

    private ScriptedModels() {}

    public static byte[] image(String script) {
        return script.getBytes(StandardCharsets.UTF_8);
    }

    public static final class Preprocessor implements ImagePreprocessor {
        @Override
        public void preprocess(byte[] encoded, PreprocessSpec spec, FloatBuffer dst, int slot) throws ImageException {
            String s = new String(encoded, StandardCharsets.UTF_8);
            float v;
            if (s.startsWith("fail:")) {
                throw new ImageException(ImageFailure.valueOf(s.substring(5)), "scripted failure " + s);
            } else if (s.equals("poison")) {
                v = POISON;
            } else if (s.equals("nan")) {
                v = NAN_OUTPUT;
            } else if (s.startsWith("class:")) {
                v = Integer.parseInt(s.substring(6));
            } else {
                throw new ImageException(ImageFailure.UNSUPPORTED_FORMAT, "not a scripted image: " + s);
            }
            int base = slot * spec.floatsPerImage();
            for (int i = 0; i < spec.floatsPerImage(); i++) {
                dst.put(base + i, v);
            }
        }
    }

    /** Logits: 10 for the class named by the image's first float, 0 elsewhere. Records every run's size. */
    public static final class ScriptedClassifier implements Classifier {
        public final List<Integer> runSizes = new CopyOnWriteArrayList<>();
        public final java.util.concurrent.atomic.AtomicInteger runsEntered = new java.util.concurrent.atomic.AtomicInteger();
        private final ModelInfo info;
        private volatile java.util.concurrent.CountDownLatch hold;

        public ScriptedClassifier(String name, boolean trained) {
            List<String> labels = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                labels.add("label-" + i);
            }
            this.info = new ModelInfo(name, "scripted", trained, SPEC, labels);
        }

        @Override
        public ModelInfo info() {
            return info;
        }

        @Override
        public int maxBatch() {
            return 64;
        }

        /** Every later run blocks until the returned latch is released (or the thread interrupted): a hung device. */
        public java.util.concurrent.CountDownLatch holdRuns() {
            hold = new java.util.concurrent.CountDownLatch(1);
            return hold;
        }

        @Override
        public void logits(FloatBuffer input, int n, float[] out) throws InferenceException {
            runsEntered.incrementAndGet();
            java.util.concurrent.CountDownLatch h = hold;
            if (h != null) {
                try {
                    h.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InferenceException("interrupted while the device hung");
                }
            }
            runSizes.add(n);
            int fpi = info.input().floatsPerImage();
            for (int i = 0; i < n; i++) {
                if (input.get(i * fpi) == POISON) {
                    throw new InferenceException("scripted poison in a run of " + n);
                }
            }
            for (int i = 0; i < n; i++) {
                float v = input.get(i * fpi);
                int cls = (int) v;
                for (int c = 0; c < info.numClasses(); c++) {
                    out[i * info.numClasses() + c] = v == NAN_OUTPUT ? Float.NaN : c == cls ? 10f : 0f;
                }
            }
        }
    }

    public static final class Repository implements ModelRepository {
        final Map<String, ScriptedClassifier> models;
        private final Map<String, String> aliases;

        public Repository(Map<String, ScriptedClassifier> models, Map<String, String> aliases) {
            this.models = models;
            this.aliases = aliases;
        }

        @Override
        public String resolve(String requested) throws UnknownModelException {
            String name = aliases.getOrDefault(requested, requested);
            if (!models.containsKey(name) && !name.equals("broken")) {
                throw new UnknownModelException("unknown model '" + requested + "'");
            }
            return name;
        }

        @Override
        public Classifier get(String catalogName) throws ModelUnavailableException {
            if (catalogName.equals("broken")) {
                throw new ModelUnavailableException("model 'broken': file models/broken.onnx is missing");
            }
            return models.get(catalogName);
        }

        @Override
        public void close() {}
    }
}
