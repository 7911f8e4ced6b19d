package dev.tagstream.cli;

import dev.tagstream.model.CatalogEntry;
import dev.tagstream.model.ModelCatalog;
import dev.tagstream.model.ModelSynthesizer;
import dev.tagstream.model.UnknownModelException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "models", mixinStandardHelpOptions = true, description = "Lists, synthesizes and checks models.",
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Synth.class, ClassifyCommand.class})
final class ModelsCommand implements Runnable {
    static final String DEFAULT_CATALOG = "config/models.yaml";
    static final String DEFAULT_DIR = "models";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Catalog entries: architecture, trained or not, whether the file is present and verified.")
    static final class ListModels implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--catalog", defaultValue = DEFAULT_CATALOG, description = "Catalog YAML (default: ${DEFAULT-VALUE}).")
        Path catalog;

        @Option(names = "--dir", defaultValue = DEFAULT_DIR, description = "Models directory (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--no-verify", description = "Do not hash the files (faster for large models).")
        boolean noVerify;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            ModelCatalog c = ModelCatalog.load(catalog);
            out.printf("%-24s %-19s %-9s %-8s %s%n", "MODEL", "ARCHITECTURE", "WEIGHTS", "FILE", "SHA-256");
            for (CatalogEntry e : c.entries()) {
                Path f = dir.resolve(e.file());
                boolean present = Files.isRegularFile(f);
                String sha;
                if (!present) {
                    sha = "-";
                } else if (!e.pinned()) {
                    sha = "not pinned";
                } else if (noVerify) {
                    sha = "not checked";
                } else {
                    sha = dev.tagstream.model.FileDigest.sha256(f).equals(e.sha256()) ? "verified" : "MISMATCH";
                }
                String mark = (e.name().equals(c.defaultModel()) ? " (default)" : "")
                        + (c.isAllowed(e.name()) ? "" : " (not allowed)");
                out.printf("%-24s %-19s %-9s %-8s %s%s%n", e.name(), e.architecture(),
                        e.trained() ? "trained" : "UNTRAINED", present ? "present" : "missing", sha, mark);
            }
            if (!c.aliases().isEmpty()) {
                out.println("aliases: " + c.aliases());
            }
            CatalogEntry def = c.entry(c.defaultModel()).orElseThrow();
            if (!Files.isRegularFile(dir.resolve(def.file()))) {
                out.println("The default model " + def.name() + " has no file in " + dir + ". "
                        + (def.trained() ? "Export it with: /usr/bin/python3 tools/export_models.py " + def.name()
                                + " --out " + dir
                                : "Synthesize it (untrained weights) with: tagstream models synth " + def.name()
                                        + " --dir " + dir));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = "Writes synthesized models: the exact architecture with seeded random, UNTRAINED weights.")
    static final class Synth implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "0..*", paramLabel = "NAME",
                description = "Catalog names or aliases (e.g. resnet50_swsl, resnet18), or an architecture such as tiny.")
        List<String> names = new ArrayList<>();

        @Option(names = "--all", description = "Every model in the catalog.")
        boolean all;

        @Option(names = "--dir", defaultValue = DEFAULT_DIR, description = "Output directory (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--seed", defaultValue = "" + ModelSynthesizer.DEFAULT_SEED,
                description = "Weight seed (default: ${DEFAULT-VALUE}, the one the catalog pins).")
        long seed;

        @Option(names = "--catalog", defaultValue = DEFAULT_CATALOG,
                description = "Catalog for names, files and pinned hashes (default: ${DEFAULT-VALUE}; optional).")
        Path catalog;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            ModelCatalog c = Files.isRegularFile(catalog) ? ModelCatalog.load(catalog) : null;
            List<String> todo = new ArrayList<>(names);
            if (all) {
                if (c == null) {
                    err.println("--all needs a catalog; " + catalog + " does not exist");
                    return 2;
                }
                c.entries().forEach(e -> todo.add(e.name()));
            }
            if (todo.isEmpty()) {
                err.println("name at least one model, or --all");
                return 2;
            }
            int failures = 0;
            for (String requested : todo) {
                CatalogEntry e = null;
                if (c != null) {
                    try {
                        e = c.entry(c.resolve(requested)).orElse(null);
                    } catch (UnknownModelException notInCatalog) {
                        e = null;
                    }
                }
                String name = e == null ? requested : e.name();
                String arch;
                try {
                    arch = e == null ? ModelSynthesizer.architectureOf(requested) : e.architecture();
                } catch (IllegalArgumentException ex) {
                    err.println(ex.getMessage());
                    failures++;
                    continue;
                }
                Path file = dir.resolve(e == null ? name + ".onnx" : e.file());
                ModelSynthesizer.Result r = ModelSynthesizer.synthesize(name, arch, seed, file);
                out.printf("%s: wrote %s (%s, %,d parameters, %,d bytes, seed %d)%n", name, file, arch,
                        r.parameterCount(), r.bytes(), seed);
                out.printf("  sha256: %s%n", r.sha256());
                out.printf("  WARNING: UNTRAINED WEIGHTS (seeded random). Predictions from %s are meaningless.%n", name);
                if (e != null && e.pinned() && !e.sha256().equals(r.sha256())) {
                    out.printf("  NOTE: the catalog pins %s for %s; this file will fail verification%s.%n", e.sha256(),
                            name, seed != ModelSynthesizer.DEFAULT_SEED ? " (non-default seed)" : "");
                } else if (e != null && e.trained()) {
                    out.printf("  NOTE: the catalog marks %s as trained; this synthesized file is not.%n", name);
                }
            }
            out.flush();
            err.flush();
            return failures == 0 ? 0 : 1;
        }
    }
}
