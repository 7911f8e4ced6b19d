package dev.tagstream.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tagstream.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tagstream preprocess IMAGE... --npy DIR}: .npy files numpy can read, failures reported, rest processed. */
class PreprocessCommandTest {
    @TempDir
    Path tmp;

    @Test
    void shouldWriteNpyTensorsAndExitNonZeroAfterProcessingTheRestWhenOneImageFails() throws Exception {
        Path good = Files.write(tmp.resolve("photo.png"), Fixtures.resource("png_rgb_300x200.png"));
        Path bad = Files.write(tmp.resolve("notes.txt"), "hello".getBytes(StandardCharsets.UTF_8));
        Path later = Files.write(tmp.resolve("scan.jpg"), Fixtures.resource("jpeg_gray_320x240.jpg"));
        Path outDir = tmp.resolve("out");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));

        int code = cli.execute("preprocess", good.toString(), bad.toString(), later.toString(), "--npy",
                outDir.toString(), "--no-exif");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("notes.txt: UNSUPPORTED_FORMAT");
        assertThat(outDir.resolve("scan.npy")).exists();
        byte[] npy = Files.readAllBytes(outDir.resolve("photo.npy"));
        String header = new String(npy, 10, (npy[8] & 0xFF) | (npy[9] & 0xFF) << 8, StandardCharsets.US_ASCII);
        assertThat(npy[6]).isEqualTo((byte) 1);
        assertThat(header).contains("'descr': '<f4'").contains("'fortran_order': False")
                .contains("'shape': (3, 224, 224)");
        assertThat((10 + header.length()) % 64).isZero();

        float[] written = Fixtures.npyFloats(npy);
        FloatBuffer expected = ByteBuffer.allocateDirect(PreprocessSpec.IMAGENET.floatsPerImage() * 4)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        new PilCompatiblePreprocessor(ImageLimits.DEFAULT, false, false)
                .preprocess(Files.readAllBytes(good), PreprocessSpec.IMAGENET, expected, 0);
        float[] want = new float[written.length];
        expected.get(0, want);
        assertThat(written).containsExactly(want);
    }
}
