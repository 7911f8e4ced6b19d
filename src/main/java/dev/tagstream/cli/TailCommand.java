package dev.tagstream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "tail", mixinStandardHelpOptions = true, description = "Prints predictions and dead letters.")
final class TailCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return NotYetAvailable.report("tail", "issue 6");
    }
}
