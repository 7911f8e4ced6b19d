package dev.tagstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point. The only place that calls {@code System.exit}. */
@Command(
        name = "tagstream",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Tags images streaming through Kafka with ONNX ImageNet classifiers.",
        subcommands = {
            RunCommand.class,
            DemoCommand.class,
            ProduceCommand.class,
            TailCommand.class,
            ModelsCommand.class,
            PreprocessCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line, for tests that run commands in-process. */
    public static CommandLine newCommandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
