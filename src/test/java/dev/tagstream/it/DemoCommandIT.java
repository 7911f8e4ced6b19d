package dev.tagstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tagstream.cli.Main;
import dev.tagstream.model.ModelSynthesizer;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tagstream demo --images DIR} end to end through the embedded broker and registry. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DemoCommandIT {
    @TempDir
    Path tmp;

    @Test
    void shouldAccountForEveryFileOfAMixedFolderAndSayNoneWasLost() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        for (String name : new String[] {"sunset.jpg", "shapes.png", "palette.gif"}) {
            try (InputStream in = getClass().getResourceAsStream("/samples/" + name)) {
                Files.copy(in, images.resolve(name));
            }
        }
        byte[] jpeg = Files.readAllBytes(images.resolve("sunset.jpg"));
        Files.write(images.resolve("cut.jpg"), Arrays.copyOf(jpeg, jpeg.length / 4));
        Files.writeString(images.resolve("notes.txt"), "not an image");
        Path models = Files.createDirectories(tmp.resolve("models"));
        ModelSynthesizer.synthesize("resnet18_swsl", "resnet18", ModelSynthesizer.DEFAULT_SEED,
                models.resolve("resnet18_swsl.onnx"));

        StringWriter out = new StringWriter();
        CommandLine cli = Main.newCommandLine();
        cli.setOut(new PrintWriter(out));
        int code = cli.execute("demo", "--images", images.toString(), "--model", "resnet18",
                "--set", "tagstream.models.dir=" + models, "--set", "tagstream.batch.max-delay-ms=20");

        String text = out.toString();
        assertThat(code).as(text).isZero();
        assertThat(text).contains("5 in, 3 predicted, 2 dead-lettered, 0 lost");
        assertThat(text).contains("cut.jpg  dead-lettered: IMAGE_UNDECODABLE");
        assertThat(text).contains("notes.txt  dead-lettered: UNSUPPORTED_FORMAT");
        assertThat(text).containsPattern("sunset\\.jpg  .+ 0\\.\\d{3}.*\\[resnet18_swsl, UNTRAINED weights\\]");
    }
}
