package dev.tagstream.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java-synthesized resnet18, run by ONNX Runtime, gives torchvision's logits for the same weights. The reference
 * (seed, SHA-256 of the file torch read, expected logits) was written by {@code tools/torch_parity.py}.
 */
class OnnxParityTest {
    static final double RELATIVE_TOLERANCE = 1e-3;

    @TempDir
    Path dir;

    /** The recipe in tools/torch_parity.py: x[i] = float32(((i * 7919) % 2003) / 1001.5 - 1.0). */
    static FloatBuffer recipeInput(int batch) {
        int n = batch * 3 * 224 * 224;
        FloatBuffer b = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (long i = 0; i < n; i++) {
            b.put((int) i, (float) (((i * 7919) % 2003) / 1001.5 - 1.0));
        }
        return b;
    }

    static float[] readNpyFloat32(InputStream in) throws Exception {
        byte[] all = in.readAllBytes();
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(all[0] & 0xff).isEqualTo(0x93);
        assertThat(new String(all, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
        int headerLen = b.getShort(8) & 0xffff;
        String header = new String(all, 10, headerLen, StandardCharsets.US_ASCII);
        assertThat(header).contains("'descr': '<f4'").contains("'fortran_order': False");
        int start = 10 + headerLen;
        float[] out = new float[(all.length - start) / 4];
        b.position(start);
        b.asFloatBuffer().get(out);
        return out;
    }

    @Test
    void synthesizedResnet18MatchesTorchvisionLogits() throws Exception {
        JsonNode ref;
        float[] expected;
        try (InputStream j = getClass().getResourceAsStream("/model/resnet18_parity.json");
                InputStream npy = getClass().getResourceAsStream("/model/resnet18_parity_logits.npy")) {
            ref = new ObjectMapper().readTree(j);
            expected = readNpyFloat32(npy);
        }
        int batch = ref.get("batch").asInt();
        assertThat(expected).hasSize(batch * 1000);
        var synth = ModelSynthesizer.synthesize(ref.get("name").asText(), ref.get("architecture").asText(),
                ref.get("seed").asLong(), dir.resolve("parity.onnx"));
        assertThat(synth.sha256()).as("same weights as the file torch read").isEqualTo(ref.get("sha256").asText());

        float[] actual = new float[batch * 1000];
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(synth.file().toString(), opts);
                OnnxTensor x = OnnxTensor.createTensor(env, recipeInput(batch), new long[] {batch, 3, 224, 224});
                OrtSession.Result r = session.run(Map.of("input", x))) {
            ((OnnxTensor) r.get(0)).getFloatBuffer().get(actual);
        }
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double maxAbs = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            maxAbs = Math.max(maxAbs, d);
            assertThat(d).as("logit %d: ort %f torch %f", i, actual[i], expected[i])
                    .isLessThanOrEqualTo(RELATIVE_TOLERANCE * Math.max(Math.abs(expected[i]), 1.0));
        }
        System.out.printf("resnet18 parity: max |ort - torch| = %.3g (max |logit| %.3g)%n", maxAbs, scale);
        assertThat(maxAbs / scale).isLessThan(RELATIVE_TOLERANCE);
    }
}
