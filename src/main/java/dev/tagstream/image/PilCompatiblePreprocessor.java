package dev.tagstream.image;

import java.nio.FloatBuffer;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The seed's torchvision transform, bit-faithful to PIL 9.4 + torchvision 0.14 on the same RGB pixels:
 * decode, {@code convert("RGB")}, {@code Resize(256)} (PIL bilinear with antialias, long side
 * {@code int(256 * long / short)}), {@code CenterCrop(224)} (offsets {@code int(round((n - 224) / 2.0))}, Python's
 * round-half-even), {@code ToTensor()}, {@code Normalize(mean, std)}; written as CHW floats into the caller's slot.
 *
 * <p>Two settings deviate from the seed on purpose, both documented in {@code docs/preprocessing.md}:
 * <ul>
 *   <li>{@code exifTranspose} (default on): phone photos are turned upright first, like PIL's
 *       {@code ImageOps.exif_transpose}. The seed does not do this (it feeds the stored, often sideways, pixels);
 *       a tagging service's users expect what their gallery shows. Off = exactly the seed.</li>
 *   <li>{@code fastJpeg} (default off): JPEGs whose shorter side is at least twice the resize target are decoded
 *       at 1/2, 1/4 or 1/8 scale by libjpeg-turbo (or, without it, ImageIO subsampling), then resized exactly.
 *       Faster on camera-size photos, not bit-identical; the measured deviation is in the docs.</li>
 * </ul>
 *
 * <p>Pixels that are exact: PNG, BMP, GIF and lossless WebP match PIL byte for byte in the uint8 crop. JPEG goes
 * through libjpeg-turbo (PIL's own decoder, loaded at run time from Debian's {@code libturbojpeg-java}) when it is
 * installed, else through ImageIO (TwelveMonkeys over the JDK's libjpeg 6b); both matched PIL exactly on the
 * fixtures, but a different decoder is only guaranteed close. CMYK/YCCK JPEGs always use ImageIO. Lossy WebP
 * (TwelveMonkeys' VP8 vs libwebp) is NOT close: see the docs.
 *
 * <p>Thread-safe: immutable configuration plus per-thread scratch buffers (resampler coefficients and
 * intermediate rows, the 224x224x3 crop, one float row). Scratch is dropped after a call that grew it past
 * {@value #SCRATCH_BUDGET_BYTES} bytes, so a thread never pins the memory of one huge image. libjpeg-turbo decodes
 * into a per-thread buffer up to half that budget; larger frames, and every ImageIO decode, are a fresh allocation
 * per call (a 4032x3024 RGB frame is 36 MB), not pooled.
 */
public final class PilCompatiblePreprocessor implements ImagePreprocessor {
    static final long SCRATCH_BUDGET_BYTES = 8L << 20;

    private final ImageLimits limits;
    private final boolean exifTranspose;
    private final boolean fastJpeg;
    private final ImageDecoder decoder = new ImageDecoder();
    private final Optional<TurboJpeg> turbo;
    private final ConcurrentMap<PreprocessSpec, TensorWriter> writers = new ConcurrentHashMap<>();
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /**
     * @param limits checked before decoding: encoded bytes, then header pixels
     * @param exifTranspose turn images upright by their EXIF orientation first (not in the seed; see class doc)
     * @param fastJpeg reduced-scale JPEG decode for large JPEGs (not bit-exact; see class doc)
     */
    public PilCompatiblePreprocessor(ImageLimits limits, boolean exifTranspose, boolean fastJpeg) {
        this(limits, exifTranspose, fastJpeg, TurboJpeg.Holder.INSTANCE);
    }

    /** With an explicit libjpeg-turbo (or none): tests force the ImageIO decoder with {@code Optional.empty()}. */
    PilCompatiblePreprocessor(ImageLimits limits, boolean exifTranspose, boolean fastJpeg, Optional<TurboJpeg> turbo) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.exifTranspose = exifTranspose;
        this.fastJpeg = fastJpeg;
        this.turbo = Objects.requireNonNull(turbo, "turbo");
    }

    /** Default limits, EXIF transpose on, exact JPEG decode. */
    public static PilCompatiblePreprocessor withDefaults() {
        return new PilCompatiblePreprocessor(ImageLimits.DEFAULT, true, false);
    }

    public ImageLimits limits() { return limits; }

    public boolean exifTranspose() { return exifTranspose; }

    public boolean fastJpeg() { return fastJpeg; }

    /** Which decoder the fast JPEG path uses: "off", "libjpeg-turbo" or "imageio-subsampling". */
    public String fastJpegDecoder() {
        return !fastJpeg ? "off" : turbo.isPresent() ? "libjpeg-turbo" : "imageio-subsampling";
    }

    /** Which decoder decodes JPEGs at full size: "libjpeg-turbo" (PIL's own decoder) or "imageio". */
    public String jpegDecoder() {
        return turbo.isPresent() ? "libjpeg-turbo" : "imageio";
    }

    @Override
    public void preprocess(byte[] encoded, PreprocessSpec spec, FloatBuffer dst, int slot) throws ImageException {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(dst, "dst");
        long base = (long) slot * spec.floatsPerImage();
        if (slot < 0 || base + spec.floatsPerImage() > dst.capacity()) {
            throw new IndexOutOfBoundsException("slot " + slot + " does not fit a buffer of " + dst.capacity()
                    + " floats at " + spec.floatsPerImage() + " floats per image");
        }
        Scratch s = scratch.get();
        try {
            byte[] crop = s.crop(spec.crop());
            cropInto(encoded, spec, crop, s);
            writer(spec).write(crop, dst, (int) base, s.row(spec.crop()));
        } finally {
            if (s.retainedBytes() > SCRATCH_BUDGET_BYTES) {
                scratch.remove();
            }
        }
    }

    /**
     * The uint8 crop (packed HWC RGB, {@code crop * crop * 3} bytes) that {@code ToTensor} would see: for parity
     * tests, the CLI and benchmarks. Allocates the result.
     */
    public byte[] crop(byte[] encoded, PreprocessSpec spec) throws ImageException {
        byte[] out = new byte[spec.crop() * spec.crop() * 3];
        Scratch s = scratch.get();
        try {
            cropInto(encoded, spec, out, s);
        } finally {
            if (s.retainedBytes() > SCRATCH_BUDGET_BYTES) {
                scratch.remove();
            }
        }
        return out;
    }

    /** Decode (and orient) only: for the benchmark's "decode" column. Returns width * height. */
    long decodeOnly(byte[] encoded, PreprocessSpec spec) throws ImageException {
        RgbView v = decode(encoded, spec, scratch.get());
        return (long) v.width * v.height;
    }

    private void cropInto(byte[] encoded, PreprocessSpec spec, byte[] dst, Scratch s) throws ImageException {
        try {
            RgbView img = decode(encoded, spec, s);
            int w = img.width;
            int h = img.height;
            // torchvision 0.14 _compute_resized_output_size: int(size * long / short), float division, truncated
            int shortSide = Math.min(w, h);
            int longSide = Math.max(w, h);
            int newLong = (int) ((double) ((long) spec.resize() * longSide) / shortSide);
            int newW = w <= h ? spec.resize() : newLong;
            int newH = w <= h ? newLong : spec.resize();
            // torchvision center_crop: int(round((n - crop) / 2.0)), Python rounds half to even (Math.rint)
            int top = (int) Math.rint((newH - spec.crop()) / 2.0);
            int left = (int) Math.rint((newW - spec.crop()) / 2.0);
            PilBilinearResampler.resizeCrop(img, newW, newH, left, top, spec.crop(), spec.crop(), dst, s.resampler);
        } catch (ImageException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            throw new ImageException(ImageFailure.IMAGE_TOO_LARGE, "image too large to resize: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ImageException(ImageFailure.IMAGE_UNDECODABLE, "image could not be preprocessed: " + e, e);
        }
    }

    private RgbView decode(byte[] encoded, PreprocessSpec spec, Scratch s) throws ImageException {
        if (encoded == null || encoded.length == 0) {
            throw new ImageException(ImageFailure.IMAGE_EMPTY, "image is empty (0 bytes)");
        }
        if (encoded.length > limits.maxBytes()) {
            throw new ImageException(ImageFailure.IMAGE_TOO_LARGE, "image has " + encoded.length
                    + " bytes, more than the limit of " + limits.maxBytes());
        }
        ImageFormat format = ImageFormat.sniff(encoded);
        if (format == null) {
            throw new ImageException(ImageFailure.UNSUPPORTED_FORMAT,
                    "not a JPEG, PNG, GIF, BMP or WebP image (starts with " + hexHead(encoded) + ")");
        }
        int orientation = exifTranspose ? ImageHeaders.orientation(format, encoded) : 1;
        RgbView rgb = null;
        if (format == ImageFormat.JPEG) {
            ImageHeaders.Jpeg hdr = ImageHeaders.jpeg(encoded);
            if (hdr.width() >= 0 && hdr.components() != 4) {
                ImageDecoder.checkSize(format, hdr.width(), hdr.height(), limits);
                boolean reduce = fastJpeg && Math.min(hdr.width(), hdr.height()) >= 2 * spec.resize();
                if (turbo.isPresent()) {
                    rgb = turbo.get().decode(encoded, reduce ? spec.resize() : 0, s::turboBuffer);
                } else if (reduce) {
                    rgb = decoder.decode(encoded, format, limits, Math.min(hdr.width(), hdr.height()) / spec.resize());
                }
            }
        }
        if (rgb == null) {
            rgb = decoder.decode(encoded, format, limits, 1);
        }
        return rgb.oriented(orientation);
    }

    private TensorWriter writer(PreprocessSpec spec) {
        return writers.computeIfAbsent(spec, TensorWriter::new);
    }

    private static String hexHead(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            sb.append(String.format("%02x", b[i] & 0xFF));
        }
        return sb.append(b.length > 8 ? "..." : "").toString();
    }

    /** Per-thread reusable buffers. */
    private static final class Scratch {
        final PilBilinearResampler.Scratch resampler = new PilBilinearResampler.Scratch();
        byte[] crop = new byte[0];
        float[] row = new float[0];
        byte[] turbo = new byte[0];

        byte[] crop(int size) {
            if (crop.length != size * size * 3) {
                crop = new byte[size * size * 3];
            }
            return crop;
        }

        float[] row(int size) {
            if (row.length < size) {
                row = new float[size];
            }
            return row;
        }

        /** Decode target for libjpeg-turbo: reused up to the scratch budget, fresh (and dropped) above it. */
        byte[] turboBuffer(int n) {
            if (n > SCRATCH_BUDGET_BYTES / 2) {
                return new byte[n];
            }
            if (turbo.length < n) {
                turbo = new byte[n];
            }
            return turbo;
        }

        long retainedBytes() { return resampler.retainedBytes() + crop.length + 4L * row.length + turbo.length; }
    }
}
