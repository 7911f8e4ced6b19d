package dev.tagstream.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One test per failure the topology must turn into a dead letter; each checks the code and the message. */
class BadInputTest {
    private static final PreprocessSpec SPEC = PreprocessSpec.IMAGENET;
    private final PilCompatiblePreprocessor pre = PilCompatiblePreprocessor.withDefaults();
    private final FloatBuffer dst = ByteBuffer.allocateDirect(SPEC.floatsPerImage() * 4)
            .order(ByteOrder.nativeOrder()).asFloatBuffer();

    private ImageException failureOf(PilCompatiblePreprocessor p, byte[] bytes) {
        Throwable t = catchThrowable(() -> p.preprocess(bytes, SPEC, dst, 0));
        assertThat(t).isInstanceOf(ImageException.class);
        return (ImageException) t;
    }

    @Test
    void shouldRefuseZeroBytesAsEmpty() {
        ImageException e = failureOf(pre, new byte[0]);
        assertThat(e.failure()).isEqualTo(ImageFailure.IMAGE_EMPTY);
        assertThat(e.getMessage()).contains("empty");
    }

    @Test
    void shouldRefuseRandomBytesAsUnsupported() {
        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        noise[0] = 0x13; // make sure no magic matches by chance
        ImageException e = failureOf(pre, noise);
        assertThat(e.failure()).isEqualTo(ImageFailure.UNSUPPORTED_FORMAT);
        assertThat(e.getMessage()).contains("not a JPEG, PNG, GIF, BMP or WebP").contains("13");
    }

    @Test
    void shouldRefuseTextAsUnsupported() {
        ImageException e = failureOf(pre, "BMW is not a bitmap, {\"json\": true}".getBytes(StandardCharsets.UTF_8));
        assertThat(e.failure()).isEqualTo(ImageFailure.UNSUPPORTED_FORMAT);
        assertThat(e.getMessage()).contains("not a JPEG");
    }

    @Test
    void shouldRefuseTiffEvenThoughImageIoCouldReadIt() {
        byte[] tiff = {'I', 'I', 42, 0, 8, 0, 0, 0, 0, 0, 0, 0};
        assertThat(failureOf(pre, tiff).failure()).isEqualTo(ImageFailure.UNSUPPORTED_FORMAT);
    }

    @Test
    void shouldRefuseATruncatedJpegInsteadOfReturningAHalfGreyImage() {
        PilCompatiblePreprocessor imageIo =
                new PilCompatiblePreprocessor(ImageLimits.DEFAULT, true, false, java.util.Optional.empty());
        byte[] jpeg = Fixtures.resource("jpeg_baseline_300x200.jpg");
        ImageException e = failureOf(imageIo, Arrays.copyOf(jpeg, jpeg.length * 6 / 10));
        assertThat(e.failure()).isEqualTo(ImageFailure.IMAGE_UNDECODABLE);
        assertThat(e.getMessage()).contains("JPEG").containsIgnoringCase("truncated");
    }

    @Test
    void shouldRefuseATruncatedJpegWithLibjpegTurboToo() throws Exception {
        byte[] small = Fixtures.resource("jpeg_baseline_300x200.jpg");
        byte[] large = SyntheticPhotos.jpeg(1200, 900, 3, 0.9f); // exact and fast (scaled) libjpeg-turbo decode
        for (boolean fast : new boolean[] {false, true}) {
            PilCompatiblePreprocessor p = new PilCompatiblePreprocessor(ImageLimits.DEFAULT, true, fast);
            for (byte[] jpeg : new byte[][] {small, large}) {
                ImageException e = failureOf(p, Arrays.copyOf(jpeg, jpeg.length / 2));
                assertThat(e.failure()).as("fast=%s via %s", fast, p.jpegDecoder())
                        .isEqualTo(ImageFailure.IMAGE_UNDECODABLE);
                assertThat(e.getMessage()).contains("JPEG");
            }
        }
    }

    @Test
    void shouldRefuseACorruptPng() {
        byte[] png = Fixtures.resource("png_rgb_300x200.png").clone();
        for (int i = png.length / 2; i < png.length / 2 + 64; i++) {
            png[i] ^= 0x5A; // scramble the middle of the zlib stream
        }
        ImageException e = failureOf(pre, png);
        assertThat(e.failure()).isEqualTo(ImageFailure.IMAGE_UNDECODABLE);
        assertThat(e.getMessage()).contains("PNG undecodable");
    }

    @Test
    void shouldRefuseATruncatedPng() {
        byte[] png = Fixtures.resource("png_rgb_300x200.png");
        ImageException e = failureOf(pre, Arrays.copyOf(png, png.length / 3));
        assertThat(e.failure()).isEqualTo(ImageFailure.IMAGE_UNDECODABLE);
        assertThat(e.getMessage()).contains("PNG");
    }

    @Test
    void shouldRefuseADecompressionBombFromTheHeaderWithoutAllocatingItsPixels() {
        byte[] bomb = BadImages.pngWithHeader(60000, 60000);
        assertThat(bomb.length).isLessThan(200);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        failureOf(pre, bomb); // first call loads and initialises the reader classes; measure the second
        long before = mx.getCurrentThreadAllocatedBytes();
        ImageException e = failureOf(pre, bomb);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;

        assertThat(e.failure()).isEqualTo(ImageFailure.IMAGE_TOO_LARGE);
        assertThat(e.getMessage()).contains("60000x60000").contains("limit");
        assertThat(allocated).as("bytes allocated while refusing").isLessThan(4L << 20);
    }

    @Test
    void shouldRefuseTheBombInAChildJvmWithA256MbHeapEvenWithoutAPixelLimit() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                BombProbe.class.getName()).redirectErrorStream(true).start();
        boolean finished = p.waitFor(120, TimeUnit.SECONDS); // a hang guard, not a timing assertion
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!finished) {
            p.destroyForcibly();
        }
        assertThat(finished).as("child finished; output:\n%s", out).isTrue();
        assertThat(p.exitValue()).as("child exit; output:\n%s", out).isZero();
        String[] lines = out.lines().filter(l -> l.startsWith("IMAGE_")).toArray(String[]::new);
        assertThat(lines).as(out).hasSize(3);
        assertThat(lines[0]).startsWith("IMAGE_TOO_LARGE").contains("60000x60000");
        // No pixel limit: the decoder itself must fail (OOM or array-size overflow), and still nothing escapes.
        assertThat(lines[1]).matches("IMAGE_(TOO_LARGE|UNDECODABLE) .*");
        // 20000x20000 fits an int but not a 256 MB heap: the decoder's OutOfMemoryError becomes IMAGE_TOO_LARGE.
        assertThat(lines[2]).startsWith("IMAGE_TOO_LARGE").contains("memory");
    }

    @Test
    void shouldRefuseZeroDimensionsAsUndecodable() {
        ImageException e = failureOf(pre, BadImages.pngWithHeader(0, 100));
        assertThat(e.failure()).isEqualTo(ImageFailure.IMAGE_UNDECODABLE);
        assertThat(e.getMessage()).containsIgnoringCase("width");
    }

    @Test
    void shouldRefuseMoreBytesThanTheLimitBeforeLookingAtThem() {
        PilCompatiblePreprocessor small = new PilCompatiblePreprocessor(new ImageLimits(1000, 1_000_000), true, false);
        byte[] png = Fixtures.resource("png_rgb_300x200.png");
        ImageException e = failureOf(small, png);
        assertThat(e.failure()).isEqualTo(ImageFailure.IMAGE_TOO_LARGE);
        assertThat(e.getMessage()).contains(png.length + " bytes").contains("limit of 1000");
    }

    @Test
    void shouldRefuseMorePixelsThanTheLimitForEveryFormat() {
        PilCompatiblePreprocessor tiny = new PilCompatiblePreprocessor(new ImageLimits(1 << 20, 10_000), true, true);
        for (String f : new String[] {"jpeg_baseline_300x200.jpg", "png_rgb_300x200.png", "gif_300x200.gif",
            "bmp_240x180.bmp", "webp_lossless_300x200.webp"}) {
            ImageException e = failureOf(tiny, Fixtures.resource(f));
            assertThat(e.failure()).as(f).isEqualTo(ImageFailure.IMAGE_TOO_LARGE);
            assertThat(e.getMessage()).as(f).contains(f.substring(f.lastIndexOf('_') + 1, f.lastIndexOf('.')));
        }
    }

    @Test
    void shouldThrowNothingButImageExceptionForMangledImages() {
        Random rnd = new Random(7);
        String[] files = {"jpeg_baseline_300x200.jpg", "jpeg_progressive_257x400.jpg", "png_palette_300x200.png",
            "gif_300x200.gif", "bmp_palette_300x200.bmp", "webp_lossy_300x200.webp", "jpeg_cmyk_300x200.jpg"};
        int refused = 0;
        for (int i = 0; i < 140; i++) {
            byte[] b = Fixtures.resource(files[i % files.length]).clone();
            int mode = i % 3;
            if (mode == 0) {
                b = Arrays.copyOf(b, 8 + rnd.nextInt(b.length - 8));
            } else {
                for (int k = 0; k < 1 + rnd.nextInt(20); k++) {
                    b[(mode == 1 ? 2 : 20) + rnd.nextInt(mode == 1 ? 200 : b.length - 20)] = (byte) rnd.nextInt();
                }
            }
            byte[] input = b;
            Throwable t = catchThrowable(() -> pre.preprocess(input, SPEC, dst, 0));
            if (t != null) {
                assertThat(t).as("input %d (%s)", i, files[i % files.length]).isInstanceOf(ImageException.class);
                refused++;
            }
        }
        assertThat(refused).as("mangled inputs refused").isGreaterThan(20);
    }

    @Test
    void shouldRejectASlotOutsideTheBufferAsAProgrammingError() {
        assertThatThrownBy(() -> pre.preprocess(Fixtures.resource("png_rgb_300x200.png"), SPEC, dst, 1))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
