package dev.tagstream.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The uint8 crop and the normalized tensor against PIL 9.4 + torchvision 0.14 on the committed fixtures
 * (tools/make_parity_fixtures.py). Lossless formats must be identical. JPEG may go through a different decoder than
 * PIL's (the ImageIO fallback), so it gets the bounds, with both decoders: >= 99% identical values, none
 * more than 2 levels apart, tensor within 0.02 (measured: identical). Lossy WebP does not meet them: see its test.
 */
class PilParityTest {
    private static final PreprocessSpec SPEC = PreprocessSpec.IMAGENET;
    private static final PilCompatiblePreprocessor RAW = new PilCompatiblePreprocessor(ImageLimits.DEFAULT, false, false);
    private static final PilCompatiblePreprocessor UPRIGHT =
            new PilCompatiblePreprocessor(ImageLimits.DEFAULT, true, false);
    /** JPEG through ImageIO even where libjpeg-turbo is installed: the fallback decoder must hold the bounds too. */
    private static final PilCompatiblePreprocessor RAW_IMAGEIO =
            new PilCompatiblePreprocessor(ImageLimits.DEFAULT, false, false, java.util.Optional.empty());
    private static final PilCompatiblePreprocessor UPRIGHT_IMAGEIO =
            new PilCompatiblePreprocessor(ImageLimits.DEFAULT, true, false, java.util.Optional.empty());

    static Stream<Fixtures.Case> exactCases() {
        return Fixtures.cases().stream().filter(c -> c.kind().equals("exact"));
    }

    static Stream<Fixtures.Case> jpegCases() {
        return Fixtures.cases().stream().filter(c -> c.kind().equals("jpeg"));
    }

    static Stream<Fixtures.Case> lossyWebpCases() {
        return Fixtures.cases().stream().filter(c -> c.kind().equals("webp"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exactCases")
    void shouldProduceTheSameUint8CropAsPilForLosslessFormats(Fixtures.Case c) throws Exception {
        byte[] actual = (c.upright() ? UPRIGHT : RAW).crop(Fixtures.resource(c.file()), SPEC);
        Fixtures.Diff d = Fixtures.diff(actual, Fixtures.expectedCrop(c));
        System.out.println("parity " + c.name() + ": " + d);
        assertThat(d.max()).as("%s: %s", c.name(), d).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jpegCases")
    void shouldStayWithinTwoLevelsOfPilForJpegWithTheDefaultDecoder(Fixtures.Case c) throws Exception {
        PilCompatiblePreprocessor p = c.upright() ? UPRIGHT : RAW;
        byte[] actual = p.crop(Fixtures.resource(c.file()), SPEC);
        Fixtures.Diff d = Fixtures.diff(actual, Fixtures.expectedCrop(c));
        System.out.println("parity " + c.name() + " (" + p.jpegDecoder() + "): " + d);
        assertThat(d.identicalFraction()).as("%s: %s", c.name(), d).isGreaterThanOrEqualTo(0.99);
        assertThat(d.max()).as("%s: %s", c.name(), d).isLessThanOrEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jpegCases")
    void shouldStayWithinTwoLevelsOfPilForJpegWithTheImageIoDecoder(Fixtures.Case c) throws Exception {
        byte[] actual = (c.upright() ? UPRIGHT_IMAGEIO : RAW_IMAGEIO).crop(Fixtures.resource(c.file()), SPEC);
        Fixtures.Diff d = Fixtures.diff(actual, Fixtures.expectedCrop(c));
        System.out.println("parity " + c.name() + " (imageio): " + d);
        assertThat(d.identicalFraction()).as("%s: %s", c.name(), d).isGreaterThanOrEqualTo(0.99);
        assertThat(d.max()).as("%s: %s", c.name(), d).isLessThanOrEqualTo(2);
    }

    /**
     * KNOWN DEVIATION, not hidden: TwelveMonkeys' pure-Java VP8 decoder does not reproduce libwebp's output
     * (measured on the fixture: ~16% of crop values identical, mean |diff| ~2.6, max 28; libwebp's "fancy" chroma
     * upsampling and its YUV->RGB fixed point differ). The JPEG bounds do not hold for lossy WebP; this
     * test pins the measured level so a regression is still caught. See docs/preprocessing.md.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("lossyWebpCases")
    void shouldStayCloseToPilForLossyWebpWithinTheMeasuredDecoderDifference(Fixtures.Case c) throws Exception {
        byte[] actual = RAW.crop(Fixtures.resource(c.file()), SPEC);
        Fixtures.Diff d = Fixtures.diff(actual, Fixtures.expectedCrop(c));
        System.out.println("parity " + c.name() + " (TwelveMonkeys VP8 vs libwebp): " + d);
        assertThat(d.mean()).as("%s: %s", c.name(), d).isLessThanOrEqualTo(3.0);
        assertThat(d.max()).as("%s: %s", c.name(), d).isLessThanOrEqualTo(40);
    }

    @Test
    void shouldWriteTorchvisionsNormalizedTensorIntoTheSlot() throws Exception {
        float[] expected = Fixtures.npyFloats(Fixtures.gunzip(Fixtures.resource("png_rgb_300x200.tensor.npy.gz")));
        FloatBuffer batch = ByteBuffer.allocateDirect(3 * SPEC.floatsPerImage() * 4)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        RAW.preprocess(Fixtures.resource("png_rgb_300x200.png"), SPEC, batch, 1);

        assertThat(batch.position()).isZero();
        assertThat(batch.limit()).isEqualTo(batch.capacity());
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(batch.get(SPEC.floatsPerImage() + i) - expected[i]));
        }
        System.out.println("tensor png_rgb_300x200: max |diff| vs torchvision " + max);
        assertThat(max).isEqualTo(0.0); // same crop, same float32 operations
        assertThat(batch.get(0)).isZero(); // slot 0 untouched
        assertThat(batch.get(2 * SPEC.floatsPerImage())).isZero(); // slot 2 untouched
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jpegCases")
    void shouldKeepTheTensorWithinTwoHundredthsOfTorchvisionForJpeg(Fixtures.Case c) throws Exception {
        byte[] expectedCrop = Fixtures.expectedCrop(c);
        FloatBuffer out = ByteBuffer.allocateDirect(SPEC.floatsPerImage() * 4).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        (c.upright() ? UPRIGHT : RAW).preprocess(Fixtures.resource(c.file()), SPEC, out, 0);
        double max = 0;
        int n = SPEC.crop();
        for (int ch = 0; ch < 3; ch++) {
            for (int i = 0; i < n * n; i++) {
                // torchvision in float32: ToTensor divides by 255, Normalize subtracts mean and divides by std
                float want = ((expectedCrop[i * 3 + ch] & 0xFF) / 255f - SPEC.mean(ch)) / SPEC.std(ch);
                max = Math.max(max, Math.abs(out.get(ch * n * n + i) - want));
            }
        }
        System.out.println("tensor " + c.name() + ": max |diff| vs torchvision " + max);
        assertThat(max).isLessThanOrEqualTo(0.02);
    }
}
