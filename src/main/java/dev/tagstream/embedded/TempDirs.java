package dev.tagstream.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removal of the temporary directories that the demo, the embedded broker and benchmarks create. */
public final class TempDirs {
    private TempDirs() {}

    /** Deletes {@code dir} and everything under it, best effort: a leftover file is not worth failing a shutdown. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort, see above
                }
            });
        } catch (IOException e) {
            // best effort, see above
        }
    }
}
