package dev.tagstream.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;

/**
 * Encoded bytes to RGB pixels through ImageIO readers used directly, so the header (width, height) is read and
 * checked against {@link ImageLimits} before any pixel buffer exists.
 *
 * <p>Readers: TwelveMonkeys for JPEG (CMYK/YCCK, broken ICC profiles) and WebP; the JDK's own for PNG, GIF (first
 * frame) and BMP. The reader providers are picked once, by class name, when the decoder is built; a reader
 * instance is created per image and always disposed (they hold native libjpeg state).
 *
 * <p>Failure contract: empty/unsupported input is the caller's check; here a header or pixel error, a zero size,
 * or a decoder warning about missing/corrupt data is {@link ImageFailure#IMAGE_UNDECODABLE} (ImageIO's JPEG
 * reader returns a half-grey image with only a warning for a truncated file, where PIL raises); a size over the
 * limit, or a decoder running out of memory, is {@link ImageFailure#IMAGE_TOO_LARGE}. Nothing else escapes.
 * Thread-safe and immutable.
 */
final class ImageDecoder {
    private static final Map<ImageFormat, List<String>> PREFERRED = Map.of(
            ImageFormat.JPEG, List.of("com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi",
                    "com.sun.imageio.plugins.jpeg.JPEGImageReaderSpi"),
            ImageFormat.PNG, List.of("com.sun.imageio.plugins.png.PNGImageReaderSpi"),
            ImageFormat.GIF, List.of("com.sun.imageio.plugins.gif.GIFImageReaderSpi"),
            ImageFormat.BMP, List.of("com.sun.imageio.plugins.bmp.BMPImageReaderSpi"),
            ImageFormat.WEBP, List.of("com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi"));

    private final Map<ImageFormat, ImageReaderSpi> providers;

    ImageDecoder() {
        Map<ImageFormat, ImageReaderSpi> found = new EnumMap<>(ImageFormat.class);
        IIORegistry registry = IIORegistry.getDefaultInstance();
        List<ImageReaderSpi> all = new ArrayList<>();
        registry.getServiceProviders(ImageReaderSpi.class, true).forEachRemaining(all::add);
        for (Map.Entry<ImageFormat, List<String>> e : PREFERRED.entrySet()) {
            for (String name : e.getValue()) {
                all.stream().filter(s -> s.getClass().getName().equals(name)).findFirst()
                        .ifPresent(s -> found.putIfAbsent(e.getKey(), s));
            }
        }
        this.providers = Map.copyOf(found);
    }

    /**
     * Decodes the first image of {@code bytes}. {@code subsample} > 1 asks the reader for every n-th pixel in both
     * directions (the fallback fast path; 1 = full image).
     */
    RgbView decode(byte[] bytes, ImageFormat format, ImageLimits limits, int subsample) throws ImageException {
        ImageReaderSpi spi = providers.get(format);
        if (spi == null) {
            throw new ImageException(ImageFailure.UNSUPPORTED_FORMAT, "no decoder for " + format + " on the classpath");
        }
        ImageReader reader = null;
        try (ImageInputStream in = new ByteArrayImageInputStream(bytes)) {
            reader = spi.createReaderInstance();
            reader.setInput(in, true, true);
            int w = reader.getWidth(0);
            int h = reader.getHeight(0);
            checkSize(format, w, h, limits);
            ImageHeaders.Gif gif = format == ImageFormat.GIF ? ImageHeaders.gif(bytes) : null;
            if (gif != null) { // PIL's image is the logical screen (grown to hold the frame), not just the frame
                checkSize(format, Math.max(gif.screenWidth(), gif.left() + w),
                        Math.max(gif.screenHeight(), gif.top() + h), limits);
            }
            List<String> warnings = new ArrayList<>(0);
            reader.addIIOReadWarningListener(new Collector(warnings));
            ImageReadParam param = reader.getDefaultReadParam();
            if (subsample > 1) {
                param.setSourceSubsampling(subsample, subsample, 0, 0);
            }
            RgbView rgb;
            ImageHeaders.Jpeg jpeg = format == ImageFormat.JPEG ? ImageHeaders.jpeg(bytes) : null;
            if (jpeg != null && jpeg.components() == 4) {
                // Raw CMYK (TwelveMonkeys converts YCCK to CMYK, no colour management) and PIL's naive formula,
                // instead of the reader's ICC-managed RGB that PIL never computes.
                Raster raster = reader.readRaster(0, param);
                failOnDataWarnings(format, warnings);
                rgb = RgbConverter.cmykToRgb(raster, jpeg.adobe());
            } else {
                if (format == ImageFormat.JPEG) {
                    keepEmbeddedProfileValues(reader, param);
                }
                BufferedImage img = reader.read(0, param);
                failOnDataWarnings(format, warnings);
                rgb = RgbConverter.toRgb(img);
                if (gif != null) {
                    rgb = RgbConverter.gifCanvas(rgb, img.getColorModel(), gif);
                }
            }
            if (rgb.width <= 0 || rgb.height <= 0) {
                throw new ImageException(ImageFailure.IMAGE_UNDECODABLE, format + " decoded to no pixels");
            }
            return rgb;
        } catch (ImageException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            throw new ImageException(ImageFailure.IMAGE_TOO_LARGE,
                    format + " needs more memory to decode than this process has: " + e.getMessage(), e);
        } catch (IOException | RuntimeException | LinkageError e) {
            if (causedByOutOfMemory(e)) { // the JDK PNG reader wraps its OutOfMemoryError in an IIOException
                throw new ImageException(ImageFailure.IMAGE_TOO_LARGE,
                        format + " needs more memory to decode than this process has: " + describe(e), e);
            }
            throw new ImageException(ImageFailure.IMAGE_UNDECODABLE,
                    format + " undecodable: " + describe(e), e);
        } finally {
            if (reader != null) {
                reader.dispose();
            }
        }
    }

    /**
     * PIL ignores an embedded ICC profile: {@code convert("RGB")} keeps the decoded values. ImageIO's JPEG readers
     * (JDK and TwelveMonkeys alike) default to converting a non-sRGB profile to sRGB (measured: max diff 73 on a
     * linear-RGB-tagged JPEG). Asking for the image type labelled with the embedded profile gets the unconverted
     * values, which {@link RgbConverter} then takes as they are.
     */
    private static void keepEmbeddedProfileValues(ImageReader reader, ImageReadParam param) throws IOException {
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        while (types.hasNext()) {
            ImageTypeSpecifier t = types.next();
            ColorSpace cs = t.getColorModel().getColorSpace();
            if (cs instanceof ICC_ColorSpace && !cs.isCS_sRGB() && cs.getType() == ColorSpace.TYPE_RGB
                    && t.getNumBands() == 3) {
                param.setDestinationType(t);
                return;
            }
        }
    }

    /** Width and height from the header only, for limit checks on other decode paths. */
    static void checkSize(ImageFormat format, long w, long h, ImageLimits limits) throws ImageException {
        if (w <= 0 || h <= 0) {
            throw new ImageException(ImageFailure.IMAGE_UNDECODABLE,
                    format + " header declares an empty image: " + w + "x" + h);
        }
        if (w * h > limits.maxPixels()) {
            throw new ImageException(ImageFailure.IMAGE_TOO_LARGE, format + " header declares " + w + "x" + h + " = "
                    + (w * h) + " pixels, more than the limit of " + limits.maxPixels());
        }
    }

    private static void failOnDataWarnings(ImageFormat format, List<String> warnings) throws ImageException {
        for (String w : warnings) {
            String s = w.toLowerCase(Locale.ROOT);
            // libjpeg's JWRN_JPEG_EOF ("Premature end of JPEG file"), JWRN_HIT_MARKER / JWRN_EXTRANEOUS_DATA
            // ("Corrupt JPEG data: ..."), JWRN_HUFF_BAD_CODE, TwelveMonkeys' "Truncated File - Missing EOI marker".
            // Other warnings (unknown chunks, odd metadata) do not mean missing pixels and are ignored.
            if (s.contains("premature") || s.contains("corrupt") || s.contains("truncat") || s.contains("huffman")) {
                throw new ImageException(ImageFailure.IMAGE_UNDECODABLE, format + " is truncated or corrupt: " + w);
            }
        }
    }

    private static boolean causedByOutOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause()) {
            if (sb.length() > 0) {
                sb.append(" <- ");
            }
            sb.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                sb.append(": ").append(t.getMessage());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString();
    }

    private record Collector(List<String> warnings) implements IIOReadWarningListener {
        @Override
        public void warningOccurred(ImageReader source, String warning) {
            warnings.add(warning == null ? "" : warning);
        }
    }

}
