package dev.tagstream.cli;

import dev.tagstream.image.ImageException;
import dev.tagstream.image.ImageLimits;
import dev.tagstream.image.PilCompatiblePreprocessor;
import dev.tagstream.image.PreprocessSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Writes each image's preprocessed float32 [3, 224, 224] tensor as {@code DIR/<name>.npy}, for comparing with
 * PyTorch outside Java. A failed image prints its reason code and message; the rest are still processed and the
 * exit code is then 1.
 */
@Command(name = "preprocess", mixinStandardHelpOptions = true,
        description = "Writes preprocessed tensors (the seed's Resize(256), CenterCrop(224), Normalize) as .npy files.")
final class PreprocessCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files (JPEG, PNG, GIF, BMP, WebP).")
    List<Path> images;

    @Option(names = "--npy", required = true, paramLabel = "DIR", description = "Output directory (created if missing).")
    Path outDir;

    @Option(names = "--no-exif", description = "Do not turn images upright by EXIF orientation (exactly the seed).")
    boolean noExif;

    @Option(names = "--fast", description = "Reduced-scale decode for large JPEGs (approximate; see docs/preprocessing.md).")
    boolean fast;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PreprocessSpec tensorSpec = PreprocessSpec.IMAGENET;
        PilCompatiblePreprocessor pre = new PilCompatiblePreprocessor(ImageLimits.DEFAULT, !noExif, fast);
        Files.createDirectories(outDir);
        FloatBuffer tensor = ByteBuffer.allocateDirect(tensorSpec.floatsPerImage() * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        Set<String> used = new HashSet<>();
        int failed = 0;
        for (Path image : images) {
            try {
                pre.preprocess(Files.readAllBytes(image), tensorSpec, tensor, 0);
                Path npy = outDir.resolve(uniqueName(image, used) + ".npy");
                NpyWriter.writeFloat32(npy, tensor, 3, tensorSpec.crop(), tensorSpec.crop());
                out.println(image + " -> " + npy);
            } catch (ImageException e) {
                failed++;
                err.println(image + ": " + e.failure() + ": " + e.getMessage());
            } catch (IOException e) {
                failed++;
                err.println(image + ": cannot read or write: " + e);
            }
        }
        out.flush();
        err.flush();
        return failed == 0 ? 0 : 1;
    }

    private static String uniqueName(Path image, Set<String> used) {
        String name = image.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String candidate = base;
        for (int i = 2; !used.add(candidate); i++) {
            candidate = base + "-" + i;
        }
        return candidate;
    }
}
