package dev.tagstream.image;

import java.util.Arrays;

/**
 * The torchvision transform a model expects: {@code Resize(resize)} of the shorter side (PIL bilinear with
 * antialias), {@code CenterCrop(crop)}, {@code ToTensor()}, {@code Normalize(mean, std)}. Immutable.
 */
public final class PreprocessSpec {
    /** The seed's transform, shared by all twelve hub models. */
    public static final PreprocessSpec IMAGENET =
            new PreprocessSpec(256, 224, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    private final int resize;
    private final int crop;
    private final float[] mean;
    private final float[] std;

    public PreprocessSpec(int resize, int crop, float[] mean, float[] std) {
        if (resize <= 0 || crop <= 0 || crop > resize) {
            throw new IllegalArgumentException("need 0 < crop <= resize, got resize=" + resize + " crop=" + crop);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (RGB)");
        }
        for (float s : std) {
            if (!(s > 0f)) {
                throw new IllegalArgumentException("std values must be > 0, got " + Arrays.toString(std));
            }
        }
        this.resize = resize;
        this.crop = crop;
        this.mean = mean.clone();
        this.std = std.clone();
    }

    public int resize() { return resize; }

    public int crop() { return crop; }

    public float mean(int channel) { return mean[channel]; }

    public float std(int channel) { return std[channel]; }

    /** Floats one image occupies in a CHW batch tensor: 3 * crop * crop. */
    public int floatsPerImage() { return 3 * crop * crop; }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreprocessSpec p && p.resize == resize && p.crop == crop
                && Arrays.equals(p.mean, mean) && Arrays.equals(p.std, std);
    }

    @Override
    public int hashCode() { return 31 * (31 * resize + crop) + Arrays.hashCode(mean) + 7 * Arrays.hashCode(std); }

    @Override
    public String toString() {
        return "Resize(" + resize + ") CenterCrop(" + crop + ") Normalize(mean=" + Arrays.toString(mean)
                + ", std=" + Arrays.toString(std) + ")";
    }
}
