package dev.tagstream.image;

/**
 * The encoded formats we accept, recognised by their magic bytes only. Anything else (text, TIFF, random bytes)
 * is {@link ImageFailure#UNSUPPORTED_FORMAT}, even if some ImageIO plugin on the classpath could read it: the
 * allow-list keeps the attack surface to the decoders we test.
 */
enum ImageFormat {
    JPEG, PNG, GIF, BMP, WEBP;

    /** The format {@code b} starts with, or null. Never throws. */
    static ImageFormat sniff(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return JPEG;
        }
        if (startsWith(b, 0, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})) {
            return PNG;
        }
        if (startsWith(b, 0, "GIF87a".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                || startsWith(b, 0, "GIF89a".getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
            return GIF;
        }
        if (b.length >= 18 && b[0] == 'B' && b[1] == 'M') {
            // "BM" alone is too weak (text can start with it): also require a known DIB header size.
            int dib = (b[14] & 0xFF) | (b[15] & 0xFF) << 8 | (b[16] & 0xFF) << 16 | (b[17] & 0xFF) << 24;
            if (dib == 12 || dib == 40 || dib == 52 || dib == 56 || dib == 64 || dib == 108 || dib == 124) {
                return BMP;
            }
        }
        if (b.length >= 12 && startsWith(b, 0, new byte[] {'R', 'I', 'F', 'F'})
                && startsWith(b, 8, new byte[] {'W', 'E', 'B', 'P'})) {
            return WEBP;
        }
        return null;
    }

    private static boolean startsWith(byte[] b, int at, byte[] magic) {
        if (b.length < at + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (b[at + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
