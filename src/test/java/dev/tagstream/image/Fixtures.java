package dev.tagstream.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads the PIL/torchvision fixtures written by tools/make_parity_fixtures.py. */
final class Fixtures {
    private Fixtures() {}

    /** One manifest row: expected crop {@code name}.crop.gz of source {@code file}. */
    record Case(String name, String file, String kind, boolean upright) {
        @Override
        public String toString() { return name; }
    }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (String line : new String(resource("manifest.tsv"), StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            out.add(new Case(f[0], f[1], f[2], f[3].equals("exif")));
        }
        return out;
    }

    static byte[] resource(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/parity/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture /parity/" + name
                        + " (run /usr/bin/python3 tools/make_parity_fixtures.py)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] gunzip(byte[] gz) {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The expected uint8 HWC crop: gunzip, then undo the script's per-channel delta coding. */
    static byte[] expectedCrop(Case c) {
        byte[] d = gunzip(resource(c.name() + ".crop.gz"));
        for (int i = 3; i < d.length; i++) {
            d[i] = (byte) (d[i] + d[i - 3]);
        }
        return d;
    }

    /** A float32 little-endian C-order .npy payload (header skipped). */
    static float[] npyFloats(byte[] npy) {
        ByteBuffer b = ByteBuffer.wrap(npy).order(ByteOrder.LITTLE_ENDIAN);
        int major = npy[6];
        int headerLen = major == 1 ? (b.getShort(8) & 0xFFFF) : b.getInt(8);
        int start = (major == 1 ? 10 : 12) + headerLen;
        String header = new String(npy, major == 1 ? 10 : 12, headerLen, StandardCharsets.US_ASCII);
        if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
            throw new IllegalStateException("expected little-endian float32 C order, got " + header);
        }
        float[] out = new float[(npy.length - start) / 4];
        b.position(start);
        b.asFloatBuffer().get(out);
        return out;
    }

    /** Statistics of |a - b| over two uint8 arrays. */
    record Diff(int n, int identical, int max, double mean) {
        double identicalFraction() { return identical / (double) n; }

        @Override
        public String toString() {
            return String.format("%.3f%% identical, max |diff| %d, mean |diff| %.4f", 100.0 * identicalFraction(),
                    max, mean);
        }
    }

    static Diff diff(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(a.length + " != " + b.length);
        }
        int same = 0;
        int max = 0;
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            int d = Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
            same += d == 0 ? 1 : 0;
            max = Math.max(max, d);
            sum += d;
        }
        return new Diff(a.length, same, max, sum / (double) a.length);
    }
}
