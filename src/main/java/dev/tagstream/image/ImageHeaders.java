package dev.tagstream.image;

import java.nio.charset.StandardCharsets;

/**
 * Small, allocation-free readers of what we need from encoded headers before decoding: the EXIF orientation
 * (JPEG APP1, PNG eXIf, WebP EXIF, the places Pillow's {@code getexif()} looks), and for JPEG the frame size and
 * colour layout. Every method tolerates any bytes: malformed or missing data means "not present", never an
 * exception (the decoder is the one that judges whether an image is corrupt).
 */
final class ImageHeaders {
    private ImageHeaders() {}

    /** What a JPEG's markers before the first scan say. {@code width < 0} when no SOF was found. */
    record Jpeg(int width, int height, int components, boolean adobe, int adobeTransform, int orientation) {}

    /** Reads the markers up to the first SOS. Never throws. */
    static Jpeg jpeg(byte[] b) {
        int width = -1;
        int height = -1;
        int components = 0;
        boolean adobe = false;
        int transform = -1;
        int orientation = 1;
        boolean exifSeen = false;
        int pos = 2;
        while (pos + 4 <= b.length) {
            if ((b[pos] & 0xFF) != 0xFF) {
                break; // not at a marker: leave the verdict to the decoder
            }
            int marker = b[pos + 1] & 0xFF;
            if (marker == 0xFF) {
                pos++; // fill byte
                continue;
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                pos += 2;
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) {
                break;
            }
            int len = u16be(b, pos + 2);
            int data = pos + 4;
            int end = pos + 2 + len;
            if (len < 2 || end > b.length) {
                break;
            }
            if (marker == 0xE1 && !exifSeen && len >= 8 && startsWith(b, data, "Exif\0\0")) {
                exifSeen = true; // Pillow keeps the first Exif APP1 only
                orientation = tiffOrientation(b, data + 6, end);
            } else if (marker == 0xEE && len >= 14 && startsWith(b, data, "Adobe")) {
                adobe = true;
                transform = b[data + 11] & 0xFF;
            } else if (isSof(marker) && len >= 8) {
                height = u16be(b, data + 1);
                width = u16be(b, data + 3);
                components = b[data + 5] & 0xFF;
            }
            pos = end;
        }
        return new Jpeg(width, height, components, adobe, transform, orientation);
    }

    /**
     * A GIF's logical screen and its first image descriptor. {@code transparent} is the first frame's transparent
     * palette index from a preceding Graphic Control Extension, or -1.
     */
    record Gif(int screenWidth, int screenHeight, int left, int top, int width, int height, int transparent) {}

    /** The logical screen and first frame of a GIF, or null when the bytes end before the first frame. */
    static Gif gif(byte[] b) {
        if (b.length < 13) {
            return null;
        }
        int sw = u16le(b, 6);
        int sh = u16le(b, 8);
        int flags = b[10] & 0xFF;
        int pos = 13 + ((flags & 0x80) != 0 ? 3 << ((flags & 7) + 1) : 0);
        int transparent = -1;
        while (pos < b.length) {
            int tag = b[pos] & 0xFF;
            if (tag == 0x2C) {
                if (pos + 9 > b.length) {
                    return null;
                }
                return new Gif(sw, sh, u16le(b, pos + 1), u16le(b, pos + 3), u16le(b, pos + 5), u16le(b, pos + 7),
                        transparent);
            }
            if (tag != 0x21 || pos + 2 >= b.length) {
                return null;
            }
            int label = b[pos + 1] & 0xFF;
            if (label == 0xF9 && pos + 7 < b.length && (b[pos + 2] & 0xFF) == 4) {
                transparent = (b[pos + 3] & 1) != 0 ? b[pos + 6] & 0xFF : -1;
            }
            int p = pos + 2; // data sub-blocks, ended by a zero-length block
            while (p < b.length && (b[p] & 0xFF) != 0) {
                p += (b[p] & 0xFF) + 1;
            }
            pos = p + 1;
        }
        return null;
    }

    /** EXIF orientation 1..8 of any supported format; 1 when absent or unreadable. Never throws. */
    static int orientation(ImageFormat format, byte[] b) {
        try {
            return switch (format) {
                case JPEG -> jpeg(b).orientation();
                case PNG -> pngOrientation(b);
                case WEBP -> webpOrientation(b);
                default -> 1;
            };
        } catch (RuntimeException e) {
            return 1; // bounds are checked below; this is a second net, never a reason to fail an image
        }
    }

    private static int pngOrientation(byte[] b) {
        int pos = 8;
        while (pos + 12 <= b.length) {
            long len = u32be(b, pos);
            if (len > b.length - pos - 12) {
                return 1;
            }
            int data = pos + 8;
            int end = data + (int) len;
            if (startsWith(b, pos + 4, "eXIf")) {
                int start = startsWith(b, data, "Exif\0\0") ? data + 6 : data;
                return tiffOrientation(b, start, end);
            }
            if (startsWith(b, pos + 4, "IEND")) {
                return 1;
            }
            pos = end + 4; // skip CRC
        }
        return 1;
    }

    private static int webpOrientation(byte[] b) {
        int pos = 12;
        while (pos + 8 <= b.length) {
            long len = u32le(b, pos + 4);
            if (len > b.length - pos - 8) {
                return 1;
            }
            int data = pos + 8;
            int end = data + (int) len;
            if (startsWith(b, pos, "EXIF")) {
                int start = startsWith(b, data, "Exif\0\0") ? data + 6 : data;
                return tiffOrientation(b, start, end);
            }
            pos = end + (int) (len & 1);
        }
        return 1;
    }

    /** Tag 0x0112 of IFD0 of the TIFF structure in b[start, end). 1 when absent or out of range. */
    static int tiffOrientation(byte[] b, int start, int end) {
        if (end > b.length || end - start < 8) {
            return 1;
        }
        boolean little;
        if (b[start] == 'I' && b[start + 1] == 'I') {
            little = true;
        } else if (b[start] == 'M' && b[start + 1] == 'M') {
            little = false;
        } else {
            return 1;
        }
        long ifd = u32(b, start + 4, little);
        if (ifd < 8 || ifd > end - start - 2) {
            return 1;
        }
        int p = start + (int) ifd;
        int count = u16(b, p, little);
        p += 2;
        for (int i = 0; i < count && p + 12 <= end; i++, p += 12) {
            if (u16(b, p, little) == 0x0112) {
                int type = u16(b, p + 2, little);
                int value = type == 3 ? u16(b, p + 8, little) : type == 4 ? (int) u32(b, p + 8, little) : 1;
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    private static boolean isSof(int m) {
        return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
    }

    private static boolean startsWith(byte[] b, int at, String ascii) {
        byte[] s = ascii.getBytes(StandardCharsets.ISO_8859_1);
        if (at < 0 || at + s.length > b.length) {
            return false;
        }
        for (int i = 0; i < s.length; i++) {
            if (b[at + i] != s[i]) {
                return false;
            }
        }
        return true;
    }

    private static int u16le(byte[] b, int p) { return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8; }

    private static int u16be(byte[] b, int p) { return (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF); }

    private static long u32be(byte[] b, int p) { return (long) u16be(b, p) << 16 | u16be(b, p + 2); }

    private static long u32le(byte[] b, int p) {
        return (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24;
    }

    private static int u16(byte[] b, int p, boolean little) {
        return little ? (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 : u16be(b, p);
    }

    private static long u32(byte[] b, int p, boolean little) { return little ? u32le(b, p) : u32be(b, p); }
}
