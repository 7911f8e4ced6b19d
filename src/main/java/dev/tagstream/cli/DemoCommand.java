package dev.tagstream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "demo", mixinStandardHelpOptions = true, description = "An embedded broker, registry and processor, publishing sample images.")
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return NotYetAvailable.report("demo", "issue 6");
    }
}
