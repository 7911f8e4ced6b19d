package dev.tagstream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "run", mixinStandardHelpOptions = true, description = "The processor against an external Kafka and schema registry.")
final class RunCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return NotYetAvailable.report("run", "issue 6");
    }
}
