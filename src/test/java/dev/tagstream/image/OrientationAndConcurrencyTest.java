package dev.tagstream.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** EXIF orientation views against PIL's transpose definitions, header parsing, and shared-buffer concurrency. */
class OrientationAndConcurrencyTest {
    private static final int W = 5;
    private static final int H = 3;

    /** A 5x3 image whose red channel encodes x and green encodes y, so every pixel's source is readable. */
    private static RgbView coordinates() {
        byte[] d = new byte[W * H * 3];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                d[(y * W + x) * 3] = (byte) x;
                d[(y * W + x) * 3 + 1] = (byte) y;
            }
        }
        return RgbView.packedRgb(d, W, H);
    }

    /**
     * Source (x, y) of output (u, v) per PIL's ImageOps.exif_transpose methods, written out independently; checked
     * once against PIL 9.4 itself on this 5x3 coordinate image (all 8 match). The fixtures check 5 and 6 end to end.
     */
    private static int[] pilSource(int o, int u, int v) {
        return switch (o) {
            case 2 -> new int[] {W - 1 - u, v}; // FLIP_LEFT_RIGHT
            case 3 -> new int[] {W - 1 - u, H - 1 - v}; // ROTATE_180
            case 4 -> new int[] {u, H - 1 - v}; // FLIP_TOP_BOTTOM
            case 5 -> new int[] {v, u}; // TRANSPOSE
            case 6 -> new int[] {v, H - 1 - u}; // ROTATE_270 (90 clockwise): output top-left is input bottom-left
            case 7 -> new int[] {W - 1 - v, H - 1 - u}; // TRANSVERSE
            case 8 -> new int[] {W - 1 - v, u}; // ROTATE_90 (counter-clockwise): output top-left is input top-right
            default -> new int[] {u, v};
        };
    }

    @ParameterizedTest(name = "orientation {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void shouldViewEveryExifOrientationLikePilTransposes(int o) {
        RgbView view = coordinates().oriented(o);
        boolean swapped = o >= 5;
        assertThat(view.width).isEqualTo(swapped ? H : W);
        assertThat(view.height).isEqualTo(swapped ? W : H);
        for (int v = 0; v < view.height; v++) {
            for (int u = 0; u < view.width; u++) {
                int[] src = pilSource(o, u, v);
                assertThat(new int[] {view.sample(u, v, 0), view.sample(u, v, 1)}).as("o=%d (%d,%d)", o, u, v)
                        .containsExactly(src[0], src[1]);
            }
        }
    }

    @Test
    void shouldReadTheOrientationFromJpegPngAndNothingFromGarbage() {
        assertThat(ImageHeaders.orientation(ImageFormat.JPEG, Fixtures.resource("jpeg_exif6_400x300.jpg"))).isEqualTo(6);
        assertThat(ImageHeaders.orientation(ImageFormat.PNG, Fixtures.resource("png_exif5_300x260.png"))).isEqualTo(5);
        assertThat(ImageHeaders.orientation(ImageFormat.JPEG, Fixtures.resource("jpeg_baseline_300x200.jpg")))
                .isEqualTo(1);
        byte[] cut = FastJpegPathTest.withExifOrientation(Fixtures.resource("jpeg_baseline_300x200.jpg"), 8);
        assertThat(ImageHeaders.orientation(ImageFormat.JPEG, cut)).isEqualTo(8);
        for (int len = 0; len < 40; len++) { // every truncation of the EXIF segment: 1 or 8, never an exception
            assertThat(ImageHeaders.orientation(ImageFormat.JPEG, java.util.Arrays.copyOf(cut, len))).isIn(1, 8);
        }
        ImageHeaders.Jpeg h = ImageHeaders.jpeg(Fixtures.resource("jpeg_cmyk_300x200.jpg"));
        assertThat(h.width()).isEqualTo(300);
        assertThat(h.height()).isEqualTo(200);
        assertThat(h.components()).isEqualTo(4);
        assertThat(h.adobe()).isTrue();
    }

    @Test
    void shouldFillDifferentSlotsOfOneBufferFromManyThreadsLikeOneThreadDoes() throws Exception {
        String[] files = {"png_rgb_300x200.png", "jpeg_progressive_257x400.jpg", "gif_300x200.gif",
            "bmp_240x180.bmp", "png_rgba_257x331.png", "jpeg_gray_320x240.jpg", "webp_lossless_300x200.webp",
            "png_palette_300x200.png"};
        PreprocessSpec spec = PreprocessSpec.IMAGENET;
        PilCompatiblePreprocessor pre = PilCompatiblePreprocessor.withDefaults();
        int slots = 32;
        FloatBuffer sequential = ByteBuffer.allocateDirect(slots * spec.floatsPerImage() * 4)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        FloatBuffer parallel = ByteBuffer.allocateDirect(slots * spec.floatsPerImage() * 4)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int s = 0; s < slots; s++) {
            pre.preprocess(Fixtures.resource(files[s % files.length]), spec, sequential, s);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int s = slots - 1; s >= 0; s--) {
                int slot = s;
                done.add(pool.submit(() -> {
                    pre.preprocess(Fixtures.resource(files[slot % files.length]), spec, parallel, slot);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(parallel.position()).isZero();
        assertThat(parallel.compareTo(sequential)).isZero();
        assertThat(parallel.equals(sequential)).isTrue();
    }
}
