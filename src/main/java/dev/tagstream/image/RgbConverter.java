package dev.tagstream.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Decoded ImageIO pixels to 8-bit RGB exactly as Pillow 9.4's {@code Image.convert("RGB")} would produce them from
 * the same file. Contracts, each checked against PIL by the parity fixtures:
 * <ul>
 *   <li>Alpha is dropped, never composited (PIL's RGBA/LA -> RGB just discards A).</li>
 *   <li>Gray is replicated R = G = B from the raw samples. Never {@code BufferedImage.getRGB} on gray: Java's
 *       CS_GRAY is linear and getRGB would gamma-convert it.</li>
 *   <li>16-bit RGB(A) and gray+alpha keep the high byte (PIL's "RGB;16B"/"LA;16B" unpackers); 16-bit gray without
 *       alpha opens in PIL as mode "I", whose RGB conversion clips the value to 0..255 (so 256..65535 -> 255).
 *       16-bit gray+alpha opens as RGBA from rawmode "LA;16B": the high byte.</li>
 *   <li>Palette and 1/2/4-bit gray (ImageIO gives both an IndexColorModel) map through the palette.</li>
 *   <li>Packed-pixel RGB (BMP 16/32 bit, WebP) scales n-bit fields by truncating {@code v * 255 / max}, as PIL's
 *       BGR;15/BGR;16 unpackers do; 8-bit fields are copied.</li>
 * </ul>
 * 8-bit interleaved byte rasters (the common JPEG/PNG/BMP case) are returned as a view of the decoder's array,
 * with no copy. Stateless.
 */
final class RgbConverter {
    private RgbConverter() {}

    static RgbView toRgb(BufferedImage img) throws ImageException {
        Raster raster = img.getRaster();
        ColorModel cm = img.getColorModel();
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        int type = raster.getDataBuffer().getDataType();

        if (cm instanceof ComponentColorModel && type == DataBuffer.TYPE_BYTE
                && raster.getSampleModel() instanceof ComponentSampleModel sm
                && raster.getDataBuffer().getNumBanks() == 1 && allBits(cm, 8)) {
            int[] offs = sm.getBandOffsets();
            int[] banks = sm.getBankIndices();
            boolean oneBank = true;
            for (int bank : banks) {
                oneBank &= bank == 0;
            }
            if (oneBank) {
                byte[] data = ((DataBufferByte) raster.getDataBuffer()).getData();
                int origin = raster.getDataBuffer().getOffset()
                        - raster.getSampleModelTranslateX() * sm.getPixelStride()
                        - raster.getSampleModelTranslateY() * sm.getScanlineStride();
                int space = cm.getColorSpace().getType();
                if (space == ColorSpace.TYPE_RGB && bands >= 3) {
                    return new RgbView(data, w, h, origin, sm.getPixelStride(), sm.getScanlineStride(), offs[0],
                            offs[1], offs[2]);
                }
                if (space == ColorSpace.TYPE_GRAY && bands <= 2) {
                    return new RgbView(data, w, h, origin, sm.getPixelStride(), sm.getScanlineStride(), offs[0],
                            offs[0], offs[0]);
                }
            }
        }

        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        int[] row = new int[w * bands];
        if (cm instanceof IndexColorModel icm) {
            int n = icm.getMapSize();
            byte[] r = new byte[n];
            byte[] g = new byte[n];
            byte[] b = new byte[n];
            icm.getReds(r);
            icm.getGreens(g);
            icm.getBlues(b);
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                    int i = row[x];
                    if (i < 0 || i >= n) {
                        throw new ImageException(ImageFailure.IMAGE_UNDECODABLE,
                                "palette index " + i + " outside a palette of " + n + " colours");
                    }
                    out[o] = r[i];
                    out[o + 1] = g[i];
                    out[o + 2] = b[i];
                }
            }
            return RgbView.packedRgb(out, w, h);
        }
        if (cm instanceof ComponentColorModel && (type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT)) {
            int space = cm.getColorSpace().getType();
            boolean sixteen = type == DataBuffer.TYPE_USHORT;
            boolean gray = space == ColorSpace.TYPE_GRAY;
            if ((gray && bands <= 2) || (space == ColorSpace.TYPE_RGB && bands >= 3)) {
                for (int y = 0; y < h; y++) {
                    raster.getPixels(0, y, w, 1, row);
                    for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                        int p = x * bands;
                        if (gray) {
                            int v = row[p];
                            // PIL: 16-bit gray alone is mode I (clip); 16-bit gray+alpha opens as RGBA from
                            // rawmode LA;16B (high byte)
                            byte g = (byte) (!sixteen ? v : bands == 1 ? Math.min(v, 255) : v >>> 8);
                            out[o] = g;
                            out[o + 1] = g;
                            out[o + 2] = g;
                        } else {
                            int shift = sixteen ? 8 : 0;
                            out[o] = (byte) (row[p] >>> shift);
                            out[o + 1] = (byte) (row[p + 1] >>> shift);
                            out[o + 2] = (byte) (row[p + 2] >>> shift);
                        }
                    }
                }
                return RgbView.packedRgb(out, w, h);
            }
        }
        if (cm instanceof DirectColorModel dcm && dcm.getColorSpace().isCS_sRGB()) {
            int[] masks = {dcm.getRedMask(), dcm.getGreenMask(), dcm.getBlueMask()};
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, row);
                for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                    for (int c = 0; c < 3; c++) {
                        int v = row[x * bands + c];
                        int bits = Integer.bitCount(masks[c]);
                        out[o + c] = (byte) (bits == 8 ? v : bits > 8 ? v >>> (bits - 8) : v * 255 / ((1 << bits) - 1));
                    }
                }
            }
            return RgbView.packedRgb(out, w, h);
        }
        // Anything else (unusual colour spaces): Java's own conversion to sRGB. Not PIL-exact, but decodable.
        int[] argb = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                out[o] = (byte) (argb[x] >>> 16);
                out[o + 1] = (byte) (argb[x] >>> 8);
                out[o + 2] = (byte) argb[x];
            }
        }
        return RgbView.packedRgb(out, w, h);
    }

    /**
     * A 4-band 8-bit CMYK raster (as stored in the JPEG, after the decoder's YCCK -> CMYK if any) to RGB like PIL:
     * PIL opens Adobe CMYK JPEGs with rawmode "CMYK;I" (inverted), then {@code cmyk2rgb} computes
     * {@code R = MULDIV255(255 - C, 255 - K)}. With inversion that is MULDIV255(stored C, stored K).
     */
    static RgbView cmykToRgb(Raster raster, boolean inverted) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        int[] row = new int[w * 4];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0, o = y * w * 3; x < w; x++, o += 3) {
                int p = 4 * x;
                int k = inverted ? row[p + 3] : 255 - row[p + 3];
                for (int c = 0; c < 3; c++) {
                    int v = inverted ? row[p + c] : 255 - row[p + c];
                    out[o + c] = (byte) muldiv255(v, k);
                }
            }
        }
        return RgbView.packedRgb(out, w, h);
    }

    /**
     * Pillow 9.4 shows a GIF's first frame on the logical screen: a canvas of the screen size (grown if the frame
     * reaches past it) filled with palette entry {@code transparent} if the frame has one, else entry 0, with the
     * frame at its (left, top). ImageIO returns only the frame. Returns {@code frame} itself when it covers the
     * screen exactly.
     */
    static RgbView gifCanvas(RgbView frame, ColorModel cm, ImageHeaders.Gif gif) {
        int w = Math.max(gif.screenWidth(), gif.left() + frame.width);
        int h = Math.max(gif.screenHeight(), gif.top() + frame.height);
        if (w == frame.width && h == frame.height && gif.left() == 0 && gif.top() == 0) {
            return frame;
        }
        int fill = gif.transparent() >= 0 ? gif.transparent() : 0;
        byte r = 0;
        byte g = 0;
        byte b = 0;
        if (cm instanceof IndexColorModel icm && fill < icm.getMapSize()) {
            r = (byte) icm.getRed(fill);
            g = (byte) icm.getGreen(fill);
            b = (byte) icm.getBlue(fill);
        }
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        for (int i = 0; i < out.length; i += 3) {
            out[i] = r;
            out[i + 1] = g;
            out[i + 2] = b;
        }
        for (int y = 0; y < frame.height; y++) {
            for (int x = 0; x < frame.width; x++) {
                int o = ((gif.top() + y) * w + gif.left() + x) * 3;
                out[o] = (byte) frame.sample(x, y, 0);
                out[o + 1] = (byte) frame.sample(x, y, 1);
                out[o + 2] = (byte) frame.sample(x, y, 2);
            }
        }
        return RgbView.packedRgb(out, w, h);
    }

    /** Pillow's MULDIV255: a * b / 255 rounded, with its exact integer trick. */
    static int muldiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static boolean allBits(ColorModel cm, int bits) {
        for (int s : cm.getComponentSize()) {
            if (s != bits) {
                return false;
            }
        }
        return true;
    }
}
