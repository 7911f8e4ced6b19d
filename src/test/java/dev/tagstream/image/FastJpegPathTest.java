package dev.tagstream.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reduced-scale JPEG decode against the exact path on a large synthetic photo. The fast path is a documented
 * approximation; these bounds are the measured level plus headroom (see docs/preprocessing.md), so a broken
 * scale, orientation or colour order fails loudly.
 */
class FastJpegPathTest {
    private static final PreprocessSpec SPEC = PreprocessSpec.IMAGENET;
    private static byte[] large;
    private static byte[] exact;

    @BeforeAll
    static void makeImage() throws Exception {
        large = SyntheticPhotos.jpeg(2016, 1512, 11, 0.9f);
        exact = new PilCompatiblePreprocessor(ImageLimits.DEFAULT, false, false).crop(large, SPEC);
    }

    @Test
    void shouldUseLibjpegTurboWhenDebiansJarIsInstalled() {
        assumeThat(Files.isReadable(Path.of("/usr/share/java/turbojpeg.jar"))).isTrue();
        assertThat(new PilCompatiblePreprocessor(ImageLimits.DEFAULT, true, true).fastJpegDecoder())
                .isEqualTo("libjpeg-turbo");
    }

    @Test
    void shouldStayCloseToTheExactPathWithLibjpegTurboScaling() throws Exception {
        PilCompatiblePreprocessor fast = new PilCompatiblePreprocessor(ImageLimits.DEFAULT, false, true);
        assumeThat(fast.fastJpegDecoder()).isEqualTo("libjpeg-turbo");
        Fixtures.Diff d = Fixtures.diff(fast.crop(large, SPEC), exact);
        System.out.println("fast path (libjpeg-turbo 1/4 scale) vs exact, 2016x1512: " + d);
        assertThat(d.mean()).isLessThan(1.0); // measured 0.38
        assertThat(d.max()).isLessThan(20); // measured 10
    }

    @Test
    void shouldStayCloseToTheExactPathWithTheImageIoSubsamplingFallback() throws Exception {
        PilCompatiblePreprocessor fallback =
                new PilCompatiblePreprocessor(ImageLimits.DEFAULT, false, true, Optional.empty());
        assertThat(fallback.fastJpegDecoder()).isEqualTo("imageio-subsampling");
        Fixtures.Diff d = Fixtures.diff(fallback.crop(large, SPEC), exact);
        System.out.println("fast path (ImageIO subsampling 5x) vs exact, 2016x1512: " + d);
        assertThat(d.mean()).isLessThan(3.0); // measured 1.08; nearest-neighbour subsampling aliases fine stripes
    }

    @Test
    void shouldTurnTheFastPathUprightByExifLikeTheExactPath() throws Exception {
        byte[] rotated = withExifOrientation(large, 6);
        byte[] exactUpright = new PilCompatiblePreprocessor(ImageLimits.DEFAULT, true, false).crop(rotated, SPEC);
        PilCompatiblePreprocessor fast = new PilCompatiblePreprocessor(ImageLimits.DEFAULT, true, true);
        Fixtures.Diff d = Fixtures.diff(fast.crop(rotated, SPEC), exactUpright);
        Fixtures.Diff sideways = Fixtures.diff(exactUpright, exact);
        System.out.println("fast path upright vs exact upright: " + d + "; upright vs sideways: " + sideways);
        assertThat(d.mean()).isLessThan(3.0);
        assertThat(sideways.mean()).as("orientation 6 must change the picture").isGreaterThan(10.0);
    }

    /** The JPEG with an APP1 Exif segment (big-endian TIFF, IFD0 with only Orientation) right after SOI. */
    static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        byte[] tiff = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0,
            0, 0, 0, 0, 0, 0};
        int len = 2 + 6 + tiff.length;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0xFF);
        out.write(0xD8);
        out.write(0xFF);
        out.write(0xE1);
        out.write(len >> 8);
        out.write(len & 0xFF);
        out.writeBytes(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        out.writeBytes(tiff);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    @Test
    void shouldLeaveSmallJpegsOnTheExactPath() throws Exception {
        byte[] small = Fixtures.resource("jpeg_reduced_640x480.jpg");
        PilCompatiblePreprocessor fast = new PilCompatiblePreprocessor(ImageLimits.DEFAULT, false, true);
        PilCompatiblePreprocessor slow = new PilCompatiblePreprocessor(ImageLimits.DEFAULT, false, false);
        assertThat(fast.crop(small, SPEC)).isEqualTo(slow.crop(small, SPEC));
    }
}
