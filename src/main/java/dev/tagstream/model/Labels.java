package dev.tagstream.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Class-name lists a catalog entry can refer to. */
public final class Labels {
    /** The catalog's reference for the ImageNet-1k class names. */
    public static final String IMAGENET1K = "imagenet1k";
    static final Set<String> KNOWN = Set.of(IMAGENET1K);

    private static final class Imagenet {
        // Loaded once, immutable: torchvision's _IMAGENET_CATEGORIES in index order.
        static final List<String> NAMES = read("imagenet1k_labels.txt", 1000);
    }

    private Labels() {}

    /** The 1000 ImageNet class names in index order (torchvision's {@code _IMAGENET_CATEGORIES}). */
    public static List<String> imagenet1k() {
        return Imagenet.NAMES;
    }

    /** The labels a catalog {@code labels} reference names. */
    public static List<String> resolve(String reference) {
        if (IMAGENET1K.equals(reference)) {
            return imagenet1k();
        }
        throw new IllegalArgumentException("unknown labels reference '" + reference + "'; known: " + KNOWN);
    }

    private static List<String> read(String resource, int expected) {
        try (InputStream in = Labels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("label resource " + resource + " missing from the classpath");
            }
            List<String> out = new ArrayList<>(expected);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isEmpty()) {
                    out.add(line);
                }
            }
            if (out.size() != expected) {
                throw new IllegalStateException(resource + " has " + out.size() + " labels, expected " + expected);
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }
}
