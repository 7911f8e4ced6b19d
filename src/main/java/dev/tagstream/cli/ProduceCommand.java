package dev.tagstream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "produce", mixinStandardHelpOptions = true, description = "Publishes image files as ImageEvents.")
final class ProduceCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return NotYetAvailable.report("produce", "issue 6");
    }
}
