package dev.tagstream.cli;

import dev.tagstream.bench.BenchOptions;
import dev.tagstream.bench.ModelMode;
import dev.tagstream.bench.PipelineBench;
import dev.tagstream.bench.PreprocessMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bench model|preprocess|pipeline}: wiring only; the measurements live in {@code dev.tagstream.bench}. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: each mode prints Markdown tables and writes results.json and PNG plots to --out. "
                + "Figures are ratios against baselines measured in the same run; nothing is asserted.",
        subcommands = {BenchCommand.Model.class, BenchCommand.Preprocess.class, BenchCommand.PipelineMode.class})
final class BenchCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 2;
    }

    /** Options of every mode. */
    static final class Common {
        @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-out",
                description = "Where results.json and the plots go (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--seconds", paramLabel = "S", description = "Timed seconds per point.")
        Double seconds;

        @Option(names = "--warmup", paramLabel = "S", description = "Untimed seconds before each point.")
        Double warmup;

        @Mixin
        ConfigOptions config;

        BenchOptions options(double defaultSeconds, double defaultWarmup) {
            Path file = config.config != null ? config.config
                    : (Files.isRegularFile(ConfigOptions.DEFAULT_FILE) ? ConfigOptions.DEFAULT_FILE : null);
            return new BenchOptions(this.out, seconds != null ? seconds : defaultSeconds,
                    warmup != null ? warmup : defaultWarmup, file, List.copyOf(config.sets), System.out, System.err);
        }
    }

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "Bare ONNX Runtime session throughput and latency per batch size (the pipeline's ceiling).")
    static final class Model implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--models", split = ",", defaultValue = "resnet50_swsl,resnet18_swsl",
                description = "Catalog models; missing files are synthesized UNTRAINED (default: ${DEFAULT-VALUE}).")
        List<String> models;

        @Option(names = "--batches", split = ",", defaultValue = "1,2,4,8,16,32",
                description = "Batch sizes (default: ${DEFAULT-VALUE}).")
        int[] batches;

        @Override
        public Integer call() throws Exception {
            ModelMode.run(common.options(3, 1), models, batches);
            return 0;
        }
    }

    @Command(name = "preprocess", mixinStandardHelpOptions = true,
            description = "Decode + preprocess time per image, exact and fast paths, and PIL + torchvision when "
                    + "/usr/bin/python3 has them, on synthetic 640x480 and 4032x3024 photo-like JPEGs.")
    static final class Preprocess implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--iterations", defaultValue = "20", description = "Timed runs per measurement.")
        int iterations;

        @Option(names = "--pil-script", defaultValue = "tools/pil_preprocess_timing.py",
                description = "PIL timing script (default: ${DEFAULT-VALUE}).")
        Path pilScript;

        @Option(names = "--images", paramLabel = "DIR",
                description = "Time each file of this folder instead of the synthetic 640x480 and 4032x3024 photos.")
        Path images;

        @Override
        public Integer call() throws Exception {
            PreprocessMode.run(common.options(0, 0), iterations, pilScript, images);
            return 0;
        }
    }

    @Command(name = "pipeline", mixinStandardHelpOptions = true,
            description = "End to end through an embedded real broker (4 input partitions): throughput at full "
                    + "speed over batch.max-size x batch.max-delay-ms, the one-at-a-time baseline, latency at fixed "
                    + "offered loads, against the bare session measured in the same run.")
    static final class PipelineMode implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--model", defaultValue = "resnet50_swsl", description = "Model (default: ${DEFAULT-VALUE}).")
        String model;

        @Option(names = "--max-sizes", split = ",", defaultValue = "1,8,16,32",
                description = "batch.max-size values (default: ${DEFAULT-VALUE}).")
        int[] maxSizes;

        @Option(names = "--max-delays", split = ",", defaultValue = "20,100",
                description = "batch.max-delay-ms values (default: ${DEFAULT-VALUE}).")
        long[] maxDelays;

        @Option(names = "--latency-max-size", defaultValue = "16",
                description = "batch.max-size of the fixed-rate runs (default: ${DEFAULT-VALUE}).")
        int latencyMaxSize;

        @Option(names = "--loads", split = ",", defaultValue = "0.25,0.5,0.75",
                description = "Offered loads as fractions of the measured maximum (default: ${DEFAULT-VALUE}).")
        double[] loads;

        @Option(names = "--stream-threads", defaultValue = "2", description = "num.stream.threads (default: 2).")
        int streamThreads;

        @Override
        public Integer call() throws Exception {
            if (Arrays.stream(loads).noneMatch(f -> f == 0.5)) {
                System.err.println("bench: note: without 0.5 in --loads the half-load latency target is not reported");
            }
            PipelineBench.run(common.options(12, 4), new PipelineBench.Sweep(model, maxSizes, maxDelays,
                    latencyMaxSize, loads, streamThreads));
            return 0;
        }
    }
}
