package dev.tagstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
    /** torchvision 0.14 figures: sum(p.numel() for p in model.parameters()); the two 101_32x{4,16}d via ResNet(...). */
    @ParameterizedTest(name = "{0} has {1} parameters")
    @CsvSource({
        "resnet18, 11689512",
        "resnet50, 25557032",
        "resnext50_32x4d, 25028904",
        "resnext101_32x4d, 44177704",
        "resnext101_32x8d, 88791336",
        "resnext101_32x16d, 194026792",
    })
    void parameterCountEqualsTorchvisionWithoutMaterializingWeights(String arch, long expected) {
        assertThat(Architecture.of(arch).parameterCount()).isEqualTo(expected);
    }

    @Test
    void batchNormRunningStatisticsAreBuffersNotParameters() {
        Architecture a = Architecture.of("resnet18");
        long all = a.tensors().stream().mapToLong(Architecture.TensorSpec::elements).sum();
        long buffers = a.tensors().stream().filter(t -> !t.kind().isParameter())
                .mapToLong(Architecture.TensorSpec::elements).sum();
        assertThat(all - buffers).isEqualTo(a.parameterCount());
        // 20 BatchNorms in resnet18 (17 in blocks and stem + 3 downsample), 2 buffers each of their width
        assertThat(buffers).isEqualTo(2 * (64 + 4 * 64 + 4 * 128 + 128 + 4 * 256 + 256 + 4 * 512 + 512));
    }

    @Test
    void resnextPutsGroupsAndStrideOnTheThreeByThreeConvolution() {
        Architecture a = Architecture.of("resnext50_32x4d");
        Architecture.Op conv2 = a.ops().stream().filter(o -> o.name().equals("layer2.0.conv2")).findFirst().orElseThrow();
        assertThat(conv2.attributes().get("group")).isEqualTo(32L);
        assertThat((long[]) conv2.attributes().get("strides")).containsExactly(2, 2);
        Architecture.Op conv1 = a.ops().stream().filter(o -> o.name().equals("layer2.0.conv1")).findFirst().orElseThrow();
        assertThat((long[]) conv1.attributes().get("strides")).containsExactly(1, 1);
        // width = int(planes * 4 / 64) * 32 = 256 for layer2 (planes 128): weight [256, 256/32, 3, 3]
        Architecture.TensorSpec w = a.tensors().stream().filter(t -> t.name().equals("layer2.0.conv2.weight"))
                .findFirst().orElseThrow();
        assertThat(w.shape()).containsExactly(256, 8, 3, 3);
    }

    @Test
    void tensorNamesAreTorchvisionStateDictKeys() {
        assertThat(Architecture.of("resnet50").tensors()).extracting(Architecture.TensorSpec::name)
                .startsWith("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                        "layer1.0.conv1.weight")
                .contains("layer1.0.downsample.0.weight", "layer1.0.downsample.1.running_var", "layer4.2.bn3.bias")
                .endsWith("fc.weight", "fc.bias");
    }

    @Test
    void tinyKeepsTheInputAndOutputContractWithFewParameters() {
        Architecture tiny = Architecture.of("tiny");
        assertThat(tiny.parameterCount()).isLessThan(50_000);
        assertThat(tiny.features()).isEqualTo(16);
        assertThat(tiny.ops().get(0).inputs()).startsWith("input");
        assertThat(tiny.ops().get(tiny.ops().size() - 1).output()).isEqualTo("logits");
    }

    @Test
    void unknownArchitectureIsRejectedWithTheKnownNames() {
        assertThatThrownBy(() -> Architecture.of("vgg16"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vgg16")
                .hasMessageContaining("resnext101_32x16d");
    }
}
