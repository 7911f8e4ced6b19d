package dev.tagstream.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Seeded photo-like test images made at run time (so no large image is ever committed): smooth colour gradients,
 * a few hard-edged discs, a fine stripe patch and mild noise, encoded as baseline 4:2:0 JPEG. For benchmarks and
 * the fast-path tests.
 */
public final class SyntheticPhotos {
    private SyntheticPhotos() {}

    public static byte[] jpeg(int w, int h, long seed, float quality) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        Random rnd = new Random(seed);
        double[][] discs = new double[6][];
        for (int i = 0; i < discs.length; i++) {
            discs[i] = new double[] {rnd.nextDouble() * w, rnd.nextDouble() * h,
                (0.05 + 0.2 * rnd.nextDouble()) * Math.min(w, h), 255 * rnd.nextDouble(), 255 * rnd.nextDouble(),
                255 * rnd.nextDouble()};
        }
        double[] rowR = new double[w];
        double[] rowB = new double[w];
        for (int x = 0; x < w; x++) {
            rowR[x] = Math.sin(x / (double) w * 3.1 + seed);
            rowB[x] = 40 * Math.cos(x / 17.0);
        }
        for (int y = 0; y < h; y++) {
            double cy = Math.cos(y / (double) h * 2.3);
            double sb = 100 + 80 * Math.sin(y / (double) h * 5.3);
            for (int x = 0; x < w; x++) {
                double r = 128 + 100 * rowR[x] * cy;
                double g = 128 + 90 * Math.cos((x + y) / (double) (w + h) * 4.7 + seed * 0.5);
                double b = sb + rowB[x];
                for (double[] d : discs) {
                    double dx = x - d[0];
                    double dy = y - d[1];
                    if (dx * dx + dy * dy < d[2] * d[2]) {
                        r = 0.6 * d[3] + 0.4 * r;
                        g = 0.6 * d[4] + 0.4 * g;
                        b = 0.6 * d[5] + 0.4 * b;
                    }
                }
                if (x < w / 4 && y < h / 4 && ((x / 3 + y / 5) & 1) == 0) {
                    r = g = b = 250;
                }
                int o = (y * w + x) * 3;
                px[o] = clamp(b + rnd.nextGaussian() * 2);
                px[o + 1] = clamp(g + rnd.nextGaussian() * 2);
                px[o + 2] = clamp(r + rnd.nextGaussian() * 2);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            writer.write(null, new IIOImage(img, null, null), p);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static byte clamp(double v) {
        long r = Math.round(v);
        return (byte) (r < 0 ? 0 : r > 255 ? 255 : r);
    }
}
