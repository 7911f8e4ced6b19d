package dev.tagstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code tools/export_models.py --random-init} with Debian's python (torch 1.13) and serves its output through
 * {@link OnnxModelRepository}: the printed catalog entry parses, the file passes the shape and SHA-256 checks, and ORT
 * gives torch's logits. Skipped (assumption) only where that python with torch is absent.
 */
class ExportScriptTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path dir;

    private static boolean torchAvailable() throws Exception {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch, torchvision, onnx")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void exportedRandomInitModelLoadsAndClassifiesLikeTorch() throws Exception {
        assumeTrue(torchAvailable(), "/usr/bin/python3 with torch, torchvision and onnx is not available");
        Process p = new ProcessBuilder(PYTHON.toString(), "tools/export_models.py", "--random-init", "resnet18_swsl",
                "--out", dir.toString(), "--reference-out", dir.toString())
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        String stdout;
        try (InputStream in = p.getInputStream()) {
            stdout = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("stderr.txt"))).isZero();
        assertThat(Files.readString(dir.resolve("stderr.txt"))).contains("UNTRAINED");

        // the printed entry is a valid catalog entry, pinned to the written file
        ModelCatalog catalog = ModelCatalog.parse("default: resnet18_swsl\nmodels:\n" + stdout, "export_models.py output");
        CatalogEntry e = catalog.entry("resnet18_swsl").orElseThrow();
        assertThat(e.trained()).isFalse();
        assertThat(e.sha256()).isEqualTo(FileDigest.sha256(dir.resolve("resnet18_swsl.onnx")));

        float[] expected;
        try (InputStream in = Files.newInputStream(dir.resolve("resnet18_swsl_torch_logits.npy"))) {
            expected = OnnxParityTest.readNpyFloat32(in);
        }
        ModelRuntimeOptions opts = ModelRuntimeOptions.defaults(dir).withProviders(List.of(ExecutionProvider.CPU))
                .withIntraOpThreads(1);
        try (OnnxModelRepository repo = OnnxModelRepository.open(catalog, opts)) {
            Classifier c = repo.get(repo.resolve("resnet18_swsl"));
            assertThat(c.info().trained()).isFalse();
            float[] out = new float[2000];
            c.logits(OnnxParityTest.recipeInput(2), 2, out);
            double scale = 0;
            double maxDiff = 0;
            for (int i = 0; i < out.length; i++) {
                scale = Math.max(scale, Math.abs(expected[i]));
                maxDiff = Math.max(maxDiff, Math.abs(out[i] - expected[i]));
            }
            assertThat(maxDiff).isLessThanOrEqualTo(1e-3 * Math.max(1.0, scale));
            List<ScoredLabel> top = TopK.of(out, 0, c.info().labels(), 5);
            int torchTop = 0;
            for (int i = 1; i < 1000; i++) {
                if (expected[i] > expected[torchTop]) {
                    torchTop = i;
                }
            }
            assertThat(top.get(0).index()).isEqualTo(torchTop);
        }

        // and a user can check it in one line: tagstream models classify
        Path catalogFile = dir.resolve("catalog.yaml");
        Files.writeString(catalogFile, "default: resnet18_swsl\nmodels:\n" + stdout);
        java.io.StringWriter printed = new java.io.StringWriter();
        picocli.CommandLine cli = dev.tagstream.cli.Main.newCommandLine();
        cli.setOut(new java.io.PrintWriter(printed));
        java.io.PrintStream stdoutBefore = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = cli.execute("models", "classify", "--model", "resnet18_swsl", "--dir", dir.toString(),
                    "--set", "tagstream.models.catalog=" + catalogFile, "--set", "tagstream.models.providers=cpu",
                    "src/main/resources/samples/sunset.jpg");
        } finally {
            System.setOut(stdoutBefore);
        }
        String line = captured.toString(StandardCharsets.UTF_8);
        assertThat(code).as(line).isZero();
        assertThat(line).startsWith("src/main/resources/samples/sunset.jpg:").containsPattern("(\\s+\\S.*? \\d\\.\\d{4}){5}");
    }
}
