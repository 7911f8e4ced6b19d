package dev.tagstream.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tagstream.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code tagstream models} subcommands, run in-process. */
class ModelsCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cl = Main.newCommandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void synthResolvesAliasesWritesThePinnedFileAndSaysItIsUntrained() throws Exception {
        Run r = run("models", "synth", "resnet18", "--dir", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("resnet18_swsl: wrote").contains("11,689,512 parameters")
                .contains("sha256: 140f4cf3679ce571f4bb2aa9cac9fb2ff8d2aedb47f7d549f4ca950df1641c61")
                .contains("UNTRAINED").doesNotContain("NOTE");
        assertThat(dir.resolve("resnet18_swsl.onnx")).exists();
    }

    @Test
    void synthOfANonCatalogArchitectureAndABadName() {
        Run ok = run("models", "synth", "tiny", "--dir", dir.toString(), "--seed", "3");
        assertThat(ok.code()).isZero();
        assertThat(dir.resolve("tiny.onnx")).exists();
        Run bad = run("models", "synth", "vgg16", "--dir", dir.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("vgg16");
    }

    @Test
    void listShowsEachEntryAndTellsHowToSynthesizeAMissingDefault() throws Exception {
        Run before = run("models", "list", "--dir", dir.toString());
        assertThat(before.code()).isZero();
        assertThat(before.out()).contains("resnext101_32x16d_ssl").contains("UNTRAINED").contains("missing")
                .contains("tagstream models synth resnet50_swsl --dir " + dir);
        assertThat(before.out().lines().filter(l -> l.matches("^(resnet|resnext).*"))).hasSize(12);

        run("models", "synth", "resnet18_swsl", "--dir", dir.toString());
        Files.write(dir.resolve("resnet18_ssl.onnx"), new byte[] {1, 2, 3});
        Run after = run("models", "list", "--dir", dir.toString());
        assertThat(after.out().lines().filter(l -> l.startsWith("resnet18_swsl ")).findFirst().orElseThrow())
                .contains("present").contains("verified");
        assertThat(after.out().lines().filter(l -> l.startsWith("resnet18_ssl ")).findFirst().orElseThrow())
                .contains("MISMATCH");
    }
}
