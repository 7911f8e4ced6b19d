package dev.tagstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSynthesizerTest {
    @TempDir
    Path dir;

    private static OnnxMl.ModelProto parse(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return OnnxMl.ModelProto.parseFrom(in);
        }
    }

    @Test
    void sameNameAndSeedGiveTheSameBytes() throws Exception {
        var a = ModelSynthesizer.synthesize("tiny", "tiny", 7, dir.resolve("a.onnx"));
        var b = ModelSynthesizer.synthesize("tiny", "tiny", 7, dir.resolve("b.onnx"));
        assertThat(a.sha256()).isEqualTo(b.sha256()).matches("[0-9a-f]{64}");
        assertThat(Files.readAllBytes(a.file())).isEqualTo(Files.readAllBytes(b.file()));
    }

    @Test
    void differentSeedOrNameGivesDifferentWeights() throws Exception {
        var a = ModelSynthesizer.synthesize("tiny", "tiny", 7, dir.resolve("a.onnx"));
        var b = ModelSynthesizer.synthesize("tiny", "tiny", 8, dir.resolve("b.onnx"));
        var c = ModelSynthesizer.synthesize("tiny_other", "tiny", 7, dir.resolve("c.onnx"));
        assertThat(a.sha256()).isNotEqualTo(b.sha256()).isNotEqualTo(c.sha256());
    }

    @Test
    void resnet18WithTheDefaultSeedHasAStableHash() throws Exception {
        // Pinned in config/models.yaml and in the parity reference; a change here is a change of every synthesized file.
        var r = ModelSynthesizer.synthesize("resnet18_swsl", "resnet18", ModelSynthesizer.DEFAULT_SEED,
                dir.resolve("resnet18_swsl.onnx"));
        assertThat(r.sha256()).isEqualTo("140f4cf3679ce571f4bb2aa9cac9fb2ff8d2aedb47f7d549f4ca950df1641c61");
        assertThat(r.bytes()).isEqualTo(Files.size(r.file()));
    }

    @Test
    void resnet18FileInitializersSumToTorchvisionParameterCount() throws Exception {
        var r = ModelSynthesizer.synthesize("resnet18_swsl", "resnet18", 1, dir.resolve("r18.onnx"));
        OnnxMl.ModelProto m = parse(r.file());
        long params = 0;
        long buffers = 0;
        for (OnnxMl.TensorProto t : m.getGraph().getInitializerList()) {
            long n = t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (x, y) -> x * y);
            assertThat(t.getRawData().size()).as(t.getName()).isEqualTo(4 * n);
            if (t.getName().endsWith("running_mean") || t.getName().endsWith("running_var")) {
                buffers += n;
            } else {
                params += n;
            }
        }
        assertThat(params).isEqualTo(11_689_512L).isEqualTo(r.parameterCount());
        assertThat(buffers).isEqualTo(9_600L);
        assertThat(m.getGraph().getNodeList()).extracting(OnnxMl.NodeProto::getOpType)
                .contains("BatchNormalization", "Conv", "MaxPool", "Add", "GlobalAveragePool", "Gemm");
    }

    @Test
    void declaresInputOutputContractAndUntrainedMetadata() throws Exception {
        var r = ModelSynthesizer.synthesize("tiny", "tiny", 3, dir.resolve("t.onnx"));
        OnnxMl.ModelProto m = parse(r.file());
        OnnxMl.ValueInfoProto in = m.getGraph().getInput(0);
        assertThat(in.getName()).isEqualTo("input");
        var inDims = in.getType().getTensorType().getShape().getDimList();
        assertThat(inDims.get(0).getDimParam()).isEqualTo("N");
        assertThat(inDims.subList(1, 4)).extracting(OnnxMl.TensorShapeProto.Dimension::getDimValue)
                .containsExactly(3L, 224L, 224L);
        OnnxMl.ValueInfoProto out = m.getGraph().getOutput(0);
        assertThat(out.getName()).isEqualTo("logits");
        assertThat(out.getType().getTensorType().getShape().getDim(1).getDimValue()).isEqualTo(1000L);
        Map<String, String> meta = new HashMap<>();
        m.getMetadataPropsList().forEach(p -> meta.put(p.getKey(), p.getValue()));
        assertThat(meta).containsEntry("name", "tiny").containsEntry("architecture", "tiny")
                .containsEntry("weights", "untrained").containsEntry("seed", "3").containsKey("preprocessing");
        assertThat(meta.get("preprocessing")).contains("Resize(256)", "CenterCrop(224)");
    }

    @Test
    void architectureIsInferredFromHubNames() {
        assertThat(ModelSynthesizer.architectureOf("resnext101_32x16d_ssl")).isEqualTo("resnext101_32x16d");
        assertThat(ModelSynthesizer.architectureOf("resnet50_swsl")).isEqualTo("resnet50");
        assertThat(ModelSynthesizer.architectureOf("tiny")).isEqualTo("tiny");
        assertThatThrownBy(() -> ModelSynthesizer.architectureOf("vit_b_16_swsl"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vit_b_16_swsl");
    }
}
