package dev.tagstream.bench;

import dev.tagstream.config.Settings;
import dev.tagstream.model.CatalogEntry;
import dev.tagstream.model.ModelCatalog;
import dev.tagstream.model.ModelSynthesizer;
import dev.tagstream.model.UnknownModelException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Finds a catalog model's file in {@code tagstream.models.dir}, or synthesizes it (random, UNTRAINED weights, as the
 * demo does) into the user cache directory when it is missing.
 */
final class ModelFiles {
    /** The directory holding the file, the catalog entry, and whether the file's weights are trained. */
    record Located(Path dir, Path file, CatalogEntry entry, boolean trained) {}

    private ModelFiles() {}

    static Located ensure(Settings settings, String requested, PrintStream err) throws IOException {
        ModelCatalog catalog = ModelCatalog.load(settings.modelsCatalog());
        String name;
        try {
            name = catalog.resolve(requested);
        } catch (UnknownModelException e) {
            throw new IllegalArgumentException("model '" + requested + "' is not in " + settings.modelsCatalog());
        }
        CatalogEntry entry = catalog.entry(name).orElseThrow();
        Path configured = settings.modelsDir().resolve(entry.file());
        if (Files.isRegularFile(configured)) {
            return new Located(settings.modelsDir(), configured, entry, entry.trained());
        }
        Path cache = cacheDir();
        Path file = cache.resolve(entry.file());
        if (!Files.isRegularFile(file)) {
            err.println("bench: " + configured + " is missing; synthesizing " + name + " (" + entry.architecture()
                    + ") with RANDOM, UNTRAINED weights into " + cache);
            Files.createDirectories(cache);
            Path tmp = Files.createTempFile(cache, name, ".part");
            ModelSynthesizer.synthesize(name, entry.architecture(), ModelSynthesizer.DEFAULT_SEED, tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        }
        return new Located(cache, file, entry, false);
    }

    /** Same place as the demo's cache of synthesized models, outside the working tree. */
    static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("tagstream").resolve("models");
    }
}
