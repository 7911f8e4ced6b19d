package dev.tagstream.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * What every mode is given: where to write, the timed and warm-up seconds per point, the settings file and
 * {@code --set} overrides, and where to print (tables to {@code out}, progress and notes to {@code err}).
 */
public record BenchOptions(Path outDir, double seconds, double warmupSeconds, Path configFile, List<String> sets,
        PrintStream out, PrintStream err) {
    public BenchOptions withOut(Path dir) {
        return new BenchOptions(dir, seconds, warmupSeconds, configFile, sets, out, err);
    }
}
