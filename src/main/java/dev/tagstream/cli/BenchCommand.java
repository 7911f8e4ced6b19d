package dev.tagstream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.")
final class BenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return NotYetAvailable.report("bench", "issue 8");
    }
}
