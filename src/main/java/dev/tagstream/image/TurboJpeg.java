package dev.tagstream.image;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libjpeg-turbo's JPEG decode through Debian's {@code libturbojpeg-java}, loaded at run time: the jar is not on
 * Maven Central, so it is never a build dependency. Used at full size for the exact path (it is the decoder PIL
 * links, so its pixels are PIL's, and 2-3x faster than the JDK's libjpeg 6b) and at DCT-domain 1/2, 1/4, 1/8
 * scale for the fast path.
 *
 * <p>Why a JVM-wide singleton: a JNI library can be bound to one class loader only, so the jar's classes must be
 * loaded once per JVM. {@link #INSTANCE} is resolved on first use (class-holder idiom), logs once, and is immutable
 * afterwards. The loader overrides {@code findLibrary} because Debian ships {@code libturbojpeg.so.0} only, and the
 * jar's own {@code TJLoader} asks for {@code libturbojpeg.so}.
 */
final class TurboJpeg {
    private static final Logger LOG = LoggerFactory.getLogger(TurboJpeg.class);
    private static final List<Path> JARS = List.of(Path.of("/usr/share/java/turbojpeg.jar"));
    private static final List<Path> LIBS = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu/libturbojpeg.so.0"),
            Path.of("/usr/lib/aarch64-linux-gnu/libturbojpeg.so.0"),
            Path.of("/usr/lib/x86_64-linux-gnu/libturbojpeg.so"),
            Path.of("/usr/lib/libturbojpeg.so.0"),
            Path.of("/usr/lib64/libturbojpeg.so.0"));
    private static final int PF_RGB = 0; // TJ.PF_RGB

    /** The one instance of this JVM, or empty when the jar or the native library is missing or broken. */
    static final class Holder {
        static final Optional<TurboJpeg> INSTANCE = load();

        private Holder() {}
    }

    private final MethodHandle newDecompressor; // (byte[]) -> TJDecompressor
    private final MethodHandle width;
    private final MethodHandle height;
    private final MethodHandle colorspace;
    private final MethodHandle decompress; // (dec, byte[], x, y, w, pitch, h, pf, flags)
    private final MethodHandle close;

    private TurboJpeg(Class<?> dec) throws ReflectiveOperationException {
        MethodHandles.Lookup l = MethodHandles.publicLookup();
        newDecompressor = l.findConstructor(dec, MethodType.methodType(void.class, byte[].class));
        width = l.findVirtual(dec, "getWidth", MethodType.methodType(int.class));
        height = l.findVirtual(dec, "getHeight", MethodType.methodType(int.class));
        colorspace = l.findVirtual(dec, "getColorspace", MethodType.methodType(int.class));
        decompress = l.findVirtual(dec, "decompress", MethodType.methodType(void.class, byte[].class, int.class,
                int.class, int.class, int.class, int.class, int.class, int.class));
        close = l.findVirtual(dec, "close", MethodType.methodType(void.class));
    }

    private static Optional<TurboJpeg> load() {
        Path jar = JARS.stream().filter(Files::isReadable).findFirst().orElse(null);
        Path lib = LIBS.stream().filter(Files::isReadable).findFirst().orElse(null);
        if (jar == null || lib == null) {
            LOG.info("JPEG decoder: libjpeg-turbo not found (jar {}, native {}); using ImageIO (fast path: subsampling)",
                    jar, lib);
            return Optional.empty();
        }
        try {
            ClassLoader loader = new NativeAwareLoader(jar.toUri().toURL(), lib, TurboJpeg.class.getClassLoader());
            Class<?> dec = Class.forName("org.libjpegturbo.turbojpeg.TJDecompressor", true, loader);
            TurboJpeg tj = new TurboJpeg(dec);
            LOG.info("JPEG decoder: libjpeg-turbo ({} with {}), full size and scaled", jar, lib);
            return Optional.of(tj);
        } catch (Throwable e) { // LinkageError included: a broken native library must not break the service
            LOG.warn("JPEG decoder: libjpeg-turbo failed to load ({}); using ImageIO (fast path: subsampling)",
                    e.toString());
            return Optional.empty();
        }
    }

    /** The jar's classes, with {@code System.loadLibrary("turbojpeg")} resolved to the real file. */
    private static final class NativeAwareLoader extends URLClassLoader {
        private final Path lib;

        NativeAwareLoader(URL jar, Path lib, ClassLoader parent) {
            super(new URL[] {jar}, parent);
            this.lib = lib;
        }

        @Override
        protected String findLibrary(String name) {
            return "turbojpeg".equals(name) ? lib.toString() : super.findLibrary(name);
        }
    }

    /**
     * Decodes {@code jpeg} to packed RGB, reusing {@code buffer} when it is large enough. With {@code minShort} > 0
     * the decode is at the smallest of 1/2, 1/4, 1/8 that keeps the shorter side >= {@code minShort} (DCT-domain
     * scaling: approximate); with 0 at full size, with libjpeg-turbo's defaults (ISLOW IDCT, fancy upsampling),
     * which is what PIL's JPEG decoder runs, so the pixels are PIL's. Returns null for colour spaces left to
     * ImageIO (CMYK, YCCK). Any libjpeg-turbo error, warnings included (a truncated file is only a warning to
     * libjpeg), is {@link ImageFailure#IMAGE_UNDECODABLE}.
     */
    RgbView decode(byte[] jpeg, int minShort, BufferSupplier buffer) throws ImageException {
        Object dec = null;
        try {
            dec = newDecompressor.invoke(jpeg);
            int w = (int) width.invoke(dec);
            int h = (int) height.invoke(dec);
            int cs = (int) colorspace.invoke(dec);
            if (cs != 0 && cs != 1 && cs != 2) { // RGB, YCbCr, gray; CMYK/YCCK keep the ImageIO path
                return null;
            }
            int denom = 1;
            while (minShort > 0 && denom < 8 && ceilDiv(Math.min(w, h), denom * 2) >= minShort) {
                denom *= 2;
            }
            int sw = ceilDiv(w, denom);
            int sh = ceilDiv(h, denom);
            byte[] dst = buffer.get(Math.multiplyExact(Math.multiplyExact(sw, sh), 3));
            decompress.invoke(dec, dst, 0, 0, sw, sw * 3, sh, PF_RGB, 0);
            return RgbView.packedRgb(dst, sw, sh);
        } catch (ImageException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            throw new ImageException(ImageFailure.IMAGE_TOO_LARGE, "JPEG too large to decode: " + e.getMessage(), e);
        } catch (Throwable e) {
            throw new ImageException(ImageFailure.IMAGE_UNDECODABLE, "JPEG undecodable (libjpeg-turbo): "
                    + e.getMessage(), e);
        } finally {
            if (dec != null) {
                try {
                    close.invoke(dec);
                } catch (Throwable ignored) {
                    // closing frees native memory; a failure here leaves nothing for us to do
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) { return (a + b - 1) / b; }

    /** Hands out a byte array of at least n bytes (a per-thread scratch, or a fresh one). */
    interface BufferSupplier {
        byte[] get(int n);
    }
}
