package dev.tagstream.image;

/**
 * Pillow's {@code ImagingResample} for {@code Image.BILINEAR} on 8-bit RGB (Pillow 9.4, {@code
 * src/libImaging/Resample.c}), restricted to the output window that a centre crop keeps.
 *
 * <p>Contract: the bytes written equal those of {@code img.resize((outW, outH), BILINEAR).crop(window)} for the
 * same RGB input, bit for bit. What makes that hold:
 * <ul>
 *   <li>Coefficients per output pixel exactly as {@code precompute_coeffs}: {@code scale = in/out}, the triangle
 *       filter widened by {@code max(scale, 1)} (the antialias), bounds rounded with {@code (int)(v + 0.5)}, weights
 *       normalised in double, then fixed point with {@link #PRECISION_BITS} = 22 and round-half-away.</li>
 *   <li>Horizontal pass first into a uint8 intermediate (clip8), then the vertical pass, each sum starting at the
 *       rounding constant {@code 1 << 21}, as {@code ImagingResampleInner} does.</li>
 *   <li>Every output pixel depends only on its own coefficients, so computing just the crop window (and only the
 *       source rows its vertical taps read) gives the same bytes as resizing everything and cropping after.</li>
 * </ul>
 * A pass whose size does not change is an identity here (one weight of exactly 1.0), so always running both
 * passes equals Pillow skipping one. Thread-safe: all state is in the caller's {@link Scratch}.
 */
final class PilBilinearResampler {
    static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private PilBilinearResampler() {}

    /** Per-thread reusable buffers; grown on demand, never shrunk past what the caller decides to keep. */
    static final class Scratch {
        int[] boundsX = new int[0];
        int[] coeffsX = new int[0];
        int[] boundsY = new int[0];
        int[] coeffsY = new int[0];
        byte[] temp = new byte[0];
        double[] weights = new double[0];
        int[] acc = new int[0];

        /** Bytes retained; the owner drops the scratch when this grows past its budget. */
        long retainedBytes() {
            return 4L * (boundsX.length + coeffsX.length + boundsY.length + coeffsY.length + acc.length) + temp.length
                    + 8L * weights.length;
        }
    }

    /**
     * Resizes {@code src} to {@code outW x outH} and writes the window {@code [cropX, cropX + cropW) x [cropY,
     * cropY + cropH)} of the result as packed HWC RGB into {@code dst} (length >= cropW * cropH * 3).
     */
    static void resizeCrop(RgbView src, int outW, int outH, int cropX, int cropY, int cropW, int cropH, byte[] dst,
            Scratch s) {
        int ksizeX = ksize(src.width, outW);
        int ksizeY = ksize(src.height, outH);
        if (s.boundsX.length < 2 * cropW) {
            s.boundsX = new int[2 * cropW];
        }
        if (s.coeffsX.length < cropW * ksizeX) {
            s.coeffsX = new int[cropW * ksizeX];
        }
        if (s.boundsY.length < 2 * cropH) {
            s.boundsY = new int[2 * cropH];
        }
        if (s.coeffsY.length < cropH * ksizeY) {
            s.coeffsY = new int[cropH * ksizeY];
        }
        int maxK = Math.max(ksizeX, ksizeY);
        if (s.weights.length < maxK) {
            s.weights = new double[maxK];
        }
        coefficients(src.width, outW, cropX, cropW, ksizeX, s.boundsX, s.coeffsX, s.weights);
        coefficients(src.height, outH, cropY, cropH, ksizeY, s.boundsY, s.coeffsY, s.weights);

        // Source rows the vertical taps of the window read: Pillow's ybox_first .. ybox_last for our rows.
        int rowFirst = s.boundsY[0];
        int rowLast = s.boundsY[2 * (cropH - 1)] + s.boundsY[2 * (cropH - 1) + 1];
        int rows = rowLast - rowFirst;
        int tempLen = rows * cropW * 3;
        if (s.temp.length < tempLen) {
            s.temp = new byte[tempLen];
        }
        horizontal(src, rowFirst, rows, cropW, ksizeX, s.boundsX, s.coeffsX, s.temp);
        if (s.acc.length < cropW * 3) {
            s.acc = new int[cropW * 3];
        }
        vertical(s.temp, cropW, cropH, rowFirst, ksizeY, s.boundsY, s.coeffsY, dst, s.acc);
    }

    /** Pillow's ksize: {@code (int) ceil(support) * 2 + 1}, support = 1.0 * max(in/out, 1). */
    static int ksize(int inSize, int outSize) {
        double scale = (double) (float) inSize / outSize;
        double support = Math.max(scale, 1.0);
        return (int) Math.ceil(support) * 2 + 1;
    }

    /**
     * {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for output pixels {@code from .. from+count-1}:
     * {@code bounds[2i] = xmin, bounds[2i+1] = taps}, {@code kk[i * ksize + t]} fixed-point weights.
     */
    static void coefficients(int inSize, int outSize, int from, int count, int ksize, int[] bounds, int[] kk,
            double[] w) {
        // box = (0, 0, in, out) in float in Pillow; in1 - in0 is computed in float, exact for sizes < 2^24.
        double scale = (double) ((float) inSize - 0f) / outSize;
        double filterscale = scale < 1.0 ? 1.0 : scale;
        double support = 1.0 * filterscale; // BILINEAR support is 1.0
        double ss = 1.0 / filterscale;
        for (int i = 0; i < count; i++) {
            int xx = from + i;
            double center = 0.0 + (xx + 0.5) * scale;
            double ww = 0.0;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            for (int x = 0; x < xmax; x++) {
                double v = triangle((x + xmin - center + 0.5) * ss);
                w[x] = v;
                ww += v;
            }
            int base = i * ksize;
            for (int x = 0; x < xmax; x++) {
                double k = ww != 0.0 ? w[x] / ww : w[x];
                kk[base + x] = k < 0 ? (int) (-0.5 + k * (1 << PRECISION_BITS)) : (int) (0.5 + k * (1 << PRECISION_BITS));
            }
            for (int x = xmax; x < ksize; x++) {
                kk[base + x] = 0;
            }
            bounds[2 * i] = xmin;
            bounds[2 * i + 1] = xmax;
        }
    }

    private static double triangle(double x) {
        if (x < 0.0) {
            x = -x;
        }
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    /** Pillow's clip8: the integer part of the fixed-point sum, clamped to 0..255. */
    private static int clip8(int v) {
        int r = v >> PRECISION_BITS;
        return r < 0 ? 0 : r > 255 ? 255 : r;
    }

    private static void horizontal(RgbView src, int rowFirst, int rows, int outW, int ksize, int[] bounds,
            int[] kk, byte[] temp) {
        byte[] d = src.data;
        int sx = src.xStride;
        int ro = src.rOffset;
        int go = src.gOffset;
        int bo = src.bOffset;
        int t = 0;
        for (int r = 0; r < rows; r++) {
            int rowBase = src.origin + (rowFirst + r) * src.yStride;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = bounds[2 * xx];
                int taps = bounds[2 * xx + 1];
                int kb = xx * ksize;
                int s0 = HALF;
                int s1 = HALF;
                int s2 = HALF;
                int p = rowBase + xmin * sx;
                for (int x = 0; x < taps; x++, p += sx) {
                    int k = kk[kb + x];
                    s0 += (d[p + ro] & 0xFF) * k;
                    s1 += (d[p + go] & 0xFF) * k;
                    s2 += (d[p + bo] & 0xFF) * k;
                }
                temp[t] = (byte) clip8(s0);
                temp[t + 1] = (byte) clip8(s1);
                temp[t + 2] = (byte) clip8(s2);
                t += 3;
            }
        }
    }

    /**
     * Vertical pass, tap-major: each source row is added into a per-row int accumulator with the same weight, a
     * contiguous loop the JIT vectorises. The integer sums and their order do not matter (exact integer math), so
     * the result equals Pillow's pixel-major loop.
     */
    private static void vertical(byte[] temp, int w, int outH, int rowFirst, int ksize, int[] bounds, int[] kk,
            byte[] dst, int[] acc) {
        int stride = w * 3;
        for (int yy = 0; yy < outH; yy++) {
            int ymin = bounds[2 * yy] - rowFirst;
            int taps = bounds[2 * yy + 1];
            int kb = yy * ksize;
            java.util.Arrays.fill(acc, 0, stride, HALF);
            for (int y = 0; y < taps; y++) {
                int k = kk[kb + y];
                int base = (ymin + y) * stride;
                for (int xx = 0; xx < stride; xx++) {
                    acc[xx] += (temp[base + xx] & 0xFF) * k;
                }
            }
            int o = yy * stride;
            for (int xx = 0; xx < stride; xx++) {
                dst[o + xx] = (byte) clip8(acc[xx]);
            }
        }
    }
}
