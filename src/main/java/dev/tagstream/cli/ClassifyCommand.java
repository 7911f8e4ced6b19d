package dev.tagstream.cli;

import dev.tagstream.config.Settings;
import dev.tagstream.image.ImageException;
import dev.tagstream.image.ImageLimits;
import dev.tagstream.image.PilCompatiblePreprocessor;
import dev.tagstream.model.Classifier;
import dev.tagstream.model.ModelUnavailableException;
import dev.tagstream.model.OnnxModelRepository;
import dev.tagstream.model.ScoredLabel;
import dev.tagstream.model.TopK;
import dev.tagstream.model.UnknownModelException;
import dev.tagstream.ops.Pipeline;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Preprocess + infer + top-k for files, without Kafka: to check a model in one line before wiring a cluster. */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = "Classifies image files with one model and prints the top classes of each.")
final class ClassifyCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--model", description = "Model or alias (default: tagstream.model.default).")
    String model;

    @Option(names = "--dir", description = "Models directory (default: tagstream.models.dir).")
    Path dir;

    @Option(names = "--top", defaultValue = "5", description = "Classes per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image files.")
    List<Path> images = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> extra = new ArrayList<>(List.of("tagstream.models.eager=false"));
        if (dir != null) {
            extra.add("tagstream.models.dir=" + dir);
        }
        if (model != null) {
            extra.add("tagstream.model.default=" + model); // the catalog need not hold the configured default
        }
        Settings settings = config.load(System.getenv(), extra);
        PilCompatiblePreprocessor preprocessor = new PilCompatiblePreprocessor(
                new ImageLimits(settings.imageMaxBytes(), settings.imageMaxPixels()), settings.exifTranspose(),
                settings.fastJpeg());
        int failed = 0;
        try (OnnxModelRepository models = OnnxModelRepository.open(Pipeline.catalog(settings),
                Pipeline.runtimeOptions(settings))) {
            String name;
            Classifier classifier;
            try {
                name = models.resolve(model != null ? model : settings.defaultModel());
                classifier = models.get(name);
            } catch (UnknownModelException | ModelUnavailableException e) {
                System.err.println("classify: " + e.getMessage());
                return 1;
            }
            var info = classifier.info();
            if (!info.trained()) {
                System.err.println("classify: " + name + " has UNTRAINED random weights; its labels mean nothing");
            }
            int fpi = info.input().floatsPerImage();
            FloatBuffer tensor = ByteBuffer.allocateDirect(fpi * Float.BYTES).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            float[] logits = new float[info.numClasses()];
            for (Path image : images) {
                try {
                    preprocessor.preprocess(Files.readAllBytes(image), info.input(), tensor, 0);
                    classifier.logits(tensor, 1, logits);
                    StringBuilder line = new StringBuilder(image.toString()).append(':');
                    for (ScoredLabel s : TopK.of(logits, 0, info.labels(), Math.min(top, info.numClasses()))) {
                        line.append(String.format(Locale.ROOT, "  %s %.4f", s.label(), s.probability()));
                    }
                    System.out.println(line);
                } catch (ImageException e) {
                    System.out.println(image + ": " + e.failure() + ": " + e.getMessage());
                    failed++;
                } catch (dev.tagstream.model.InferenceException e) {
                    System.out.println(image + ": INFERENCE_FAILED: " + e.getMessage());
                    failed++;
                }
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
