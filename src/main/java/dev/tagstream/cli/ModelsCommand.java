package dev.tagstream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "models", mixinStandardHelpOptions = true, description = "Lists, synthesizes and checks models.")
final class ModelsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return NotYetAvailable.report("models", "issue 4");
    }
}
