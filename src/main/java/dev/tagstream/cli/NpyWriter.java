package dev.tagstream.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a float32 array as a NumPy .npy file: format v1.0, little-endian '<f4', C order. */
final class NpyWriter {
    private NpyWriter() {}

    /** Writes {@code data} (from position 0 to its capacity) with the given shape to {@code file}. */
    static void writeFloat32(Path file, FloatBuffer data, int... shape) throws IOException {
        StringBuilder dims = new StringBuilder();
        long count = 1;
        for (int d : shape) {
            dims.append(d).append(", ");
            count *= d;
        }
        if (count != data.capacity()) {
            throw new IllegalArgumentException("shape holds " + count + " values, buffer " + data.capacity());
        }
        String shapeText = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + dims.substring(0, dims.length() - 2) + ")";
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";
        // magic (6) + version (2) + header length (2) + header, padded with spaces and ending in \n, to 64 bytes
        int unpadded = 10 + dict.length() + 1;
        int headerLen = dict.length() + 1 + (64 - unpadded % 64) % 64;
        StringBuilder header = new StringBuilder(dict);
        while (header.length() < headerLen - 1) {
            header.append(' ');
        }
        header.append('\n');
        ByteBuffer body = ByteBuffer.allocate(data.capacity() * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.capacity(); i++) {
            body.putFloat(data.get(i));
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) headerLen, (byte) (headerLen >> 8)});
            out.write(header.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(body.array());
        }
    }
}
