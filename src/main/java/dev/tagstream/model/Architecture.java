package dev.tagstream.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A torchvision ResNet / ResNeXt architecture, described well enough to write it as an ONNX graph and to count its
 * parameters without materializing any weight.
 *
 * <p>The six hub architectures follow torchvision's {@code torchvision/models/resnet.py} exactly: a 7x7 stem, a 3x3
 * max-pool, four stages of {@code BasicBlock} (resnet18) or {@code Bottleneck} blocks (ResNet v1.5: the stride sits
 * on the 3x3 convolution), global average pooling and a 1000-way fully connected layer. {@code tiny} is a small
 * model with the same input/output contract (BasicBlocks, widths 8 and 16) for fast tests. Immutable.
 */
public final class Architecture {
    /** Residual block kinds, as in torchvision. */
    public enum Block {
        BASIC(1),
        BOTTLENECK(4);

        final int expansion;

        Block(int expansion) {
            this.expansion = expansion;
        }
    }

    public static final int NUM_CLASSES = 1000;
    public static final int INPUT_SIZE = 224;

    private static final Map<String, Architecture> KNOWN;

    static {
        Map<String, Architecture> m = new LinkedHashMap<>();
        int[] stdPlanes = {64, 128, 256, 512};
        m.put("resnet18", new Architecture("resnet18", Block.BASIC, new int[] {2, 2, 2, 2}, 1, 64, 64, stdPlanes));
        m.put("resnet50", new Architecture("resnet50", Block.BOTTLENECK, new int[] {3, 4, 6, 3}, 1, 64, 64, stdPlanes));
        m.put("resnext50_32x4d",
                new Architecture("resnext50_32x4d", Block.BOTTLENECK, new int[] {3, 4, 6, 3}, 32, 4, 64, stdPlanes));
        m.put("resnext101_32x4d",
                new Architecture("resnext101_32x4d", Block.BOTTLENECK, new int[] {3, 4, 23, 3}, 32, 4, 64, stdPlanes));
        m.put("resnext101_32x8d",
                new Architecture("resnext101_32x8d", Block.BOTTLENECK, new int[] {3, 4, 23, 3}, 32, 8, 64, stdPlanes));
        m.put("resnext101_32x16d",
                new Architecture("resnext101_32x16d", Block.BOTTLENECK, new int[] {3, 4, 23, 3}, 32, 16, 64, stdPlanes));
        m.put("tiny", new Architecture("tiny", Block.BASIC, new int[] {1, 1}, 1, 64, 8, new int[] {8, 16}));
        KNOWN = Collections.unmodifiableMap(m);
    }

    private final String name;
    private final Block block;
    private final int[] layers;
    private final int groups;
    private final int widthPerGroup;
    private final int stemWidth;
    private final int[] planes;

    private Architecture(String name, Block block, int[] layers, int groups, int widthPerGroup, int stemWidth,
            int[] planes) {
        this.name = name;
        this.block = block;
        this.layers = layers;
        this.groups = groups;
        this.widthPerGroup = widthPerGroup;
        this.stemWidth = stemWidth;
        this.planes = planes;
    }

    /** The architecture by name ({@code resnet18}, ..., {@code resnext101_32x16d}, {@code tiny}). */
    public static Architecture of(String name) {
        Architecture a = KNOWN.get(name);
        if (a == null) {
            throw new IllegalArgumentException("unknown architecture '" + name + "'; known: " + KNOWN.keySet());
        }
        return a;
    }

    /** Names of every known architecture, the six hub ones first, then {@code tiny}. */
    public static Set<String> names() {
        return KNOWN.keySet();
    }

    public static boolean isKnown(String name) {
        return KNOWN.containsKey(name);
    }

    public String name() { return name; }

    public Block block() { return block; }

    public int groups() { return groups; }

    public int widthPerGroup() { return widthPerGroup; }

    public int[] layers() { return layers.clone(); }

    /** Channels entering the fully connected layer. */
    public int features() { return planes[planes.length - 1] * block.expansion; }

    /** What kind of tensor a {@link TensorSpec} describes; only {@link Kind#isParameter()} ones count as parameters. */
    public enum Kind {
        CONV_WEIGHT, BN_WEIGHT, BN_BIAS, BN_RUNNING_MEAN, BN_RUNNING_VAR, FC_WEIGHT, FC_BIAS;

        /** True for what torch calls parameters; BN running statistics are buffers. */
        public boolean isParameter() { return this != BN_RUNNING_MEAN && this != BN_RUNNING_VAR; }
    }

    /**
     * One initializer, named as in torchvision's {@code state_dict()} (e.g. {@code layer1.0.conv2.weight}).
     *
     * @param residualEnd true for the last BatchNorm of a residual branch (scaled down at random init)
     */
    public record TensorSpec(String name, Kind kind, long[] shape, boolean residualEnd) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        /** Fan-in of a conv or fc weight: every dimension but the first. */
        public long fanIn() { return elements() / shape[0]; }
    }

    /** One operator of the graph; {@code inputs} name either initializers or outputs of earlier ops. */
    public record Op(String type, String name, List<String> inputs, String output, Map<String, Object> attributes) {}

    /** Every tensor in torchvision's state_dict order (minus {@code num_batches_tracked}). */
    public List<TensorSpec> tensors() {
        return build().tensors;
    }

    /** The graph as an ordered list of operators from {@code input} to {@code logits}. */
    public List<Op> ops() {
        return build().ops;
    }

    /** Parameters as torch counts them: conv weights, BN weight and bias, fc weight and bias. */
    public long parameterCount() {
        long n = 0;
        for (TensorSpec t : tensors()) {
            if (t.kind().isParameter()) {
                n += t.elements();
            }
        }
        return n;
    }

    private record Plan(List<TensorSpec> tensors, List<Op> ops) {}

    private Plan build() {
        Builder b = new Builder();
        String x = b.conv("input", "conv1", 3, stemWidth, 7, 2, 3, 1);
        x = b.bn(x, "bn1", stemWidth, false);
        x = b.relu(x, "relu");
        x = b.op("MaxPool", "maxpool", List.of(x),
                attrs("kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2}, "pads", new long[] {1, 1, 1, 1}));
        int inplanes = stemWidth;
        for (int stage = 0; stage < layers.length; stage++) {
            int p = planes[stage];
            int stride = stage == 0 ? 1 : 2;
            for (int i = 0; i < layers[stage]; i++) {
                String prefix = "layer" + (stage + 1) + "." + i;
                int s = i == 0 ? stride : 1;
                x = block == Block.BASIC ? b.basic(x, prefix, inplanes, p, s) : b.bottleneck(x, prefix, inplanes, p, s);
                inplanes = p * block.expansion;
            }
        }
        x = b.op("GlobalAveragePool", "avgpool", List.of(x), Map.of());
        x = b.op("Flatten", "flatten", List.of(x), attrs("axis", 1L));
        b.tensor("fc.weight", Kind.FC_WEIGHT, false, NUM_CLASSES, inplanes);
        b.tensor("fc.bias", Kind.FC_BIAS, false, NUM_CLASSES);
        b.ops.add(new Op("Gemm", "fc", List.of(x, "fc.weight", "fc.bias"), "logits", attrs("transB", 1L)));
        return new Plan(List.copyOf(b.tensors), List.copyOf(b.ops));
    }

    private static Map<String, Object> attrs(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    private final class Builder {
        final List<TensorSpec> tensors = new ArrayList<>();
        final List<Op> ops = new ArrayList<>();

        void tensor(String name, Kind kind, boolean residualEnd, long... shape) {
            tensors.add(new TensorSpec(name, kind, shape, residualEnd));
        }

        String op(String type, String name, List<String> inputs, Map<String, Object> attributes) {
            ops.add(new Op(type, name, inputs, name, attributes));
            return name;
        }

        String conv(String x, String name, int in, int out, int k, int stride, int pad, int g) {
            String w = name + ".weight";
            tensor(w, Kind.CONV_WEIGHT, false, out, in / g, k, k);
            return op("Conv", name, List.of(x, w), attrs("kernel_shape", new long[] {k, k},
                    "strides", new long[] {stride, stride}, "pads", new long[] {pad, pad, pad, pad},
                    "dilations", new long[] {1, 1}, "group", (long) g));
        }

        String bn(String x, String name, int c, boolean residualEnd) {
            tensor(name + ".weight", Kind.BN_WEIGHT, residualEnd, c);
            tensor(name + ".bias", Kind.BN_BIAS, residualEnd, c);
            tensor(name + ".running_mean", Kind.BN_RUNNING_MEAN, residualEnd, c);
            tensor(name + ".running_var", Kind.BN_RUNNING_VAR, residualEnd, c);
            return op("BatchNormalization", name,
                    List.of(x, name + ".weight", name + ".bias", name + ".running_mean", name + ".running_var"),
                    attrs("epsilon", 1e-5f));
        }

        String relu(String x, String name) {
            return op("Relu", name, List.of(x), Map.of());
        }

        String downsample(String x, String prefix, int in, int out, int stride) {
            if (stride == 1 && in == out) {
                return x;
            }
            String d = conv(x, prefix + ".downsample.0", in, out, 1, stride, 0, 1);
            return bn(d, prefix + ".downsample.1", out, false);
        }

        String basic(String x, String prefix, int in, int planes, int stride) {
            String y = conv(x, prefix + ".conv1", in, planes, 3, stride, 1, 1);
            y = relu(bn(y, prefix + ".bn1", planes, false), prefix + ".relu1");
            y = conv(y, prefix + ".conv2", planes, planes, 3, 1, 1, 1);
            y = bn(y, prefix + ".bn2", planes, true);
            String identity = downsample(x, prefix, in, planes, stride);
            String sum = op("Add", prefix + ".add", List.of(y, identity), Map.of());
            return relu(sum, prefix + ".relu2");
        }

        String bottleneck(String x, String prefix, int in, int planes, int stride) {
            int width = (int) (planes * (widthPerGroup / 64.0)) * groups;
            int out = planes * Block.BOTTLENECK.expansion;
            String y = conv(x, prefix + ".conv1", in, width, 1, 1, 0, 1);
            y = relu(bn(y, prefix + ".bn1", width, false), prefix + ".relu1");
            y = conv(y, prefix + ".conv2", width, width, 3, stride, 1, groups);
            y = relu(bn(y, prefix + ".bn2", width, false), prefix + ".relu2");
            y = conv(y, prefix + ".conv3", width, out, 1, 1, 0, 1);
            y = bn(y, prefix + ".bn3", out, true);
            String identity = downsample(x, prefix, in, out, stride);
            String sum = op("Add", prefix + ".add", List.of(y, identity), Map.of());
            return relu(sum, prefix + ".relu3");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
