package dev.tagstream.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "preprocess", mixinStandardHelpOptions = true, description = "Writes preprocessed tensors as .npy files.")
final class PreprocessCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return NotYetAvailable.report("preprocess", "issue 3");
    }
}
