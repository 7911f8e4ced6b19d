package dev.tagstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class OnnxModelRepositoryTest {
    static final int PER = 3 * 224 * 224;

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(OnnxModelRepository.class);

    @BeforeEach
    void captureLogs() {
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        logger.detachAppender(logs);
    }

    private CatalogEntry synth(String name) throws Exception {
        var r = ModelSynthesizer.synthesize(name, "tiny", 5, dir.resolve(name + ".onnx"));
        return CatalogEntry.synthesized(name, "tiny", r.sha256());
    }

    private ModelRuntimeOptions cpu() {
        return ModelRuntimeOptions.defaults(dir).withProviders(List.of(ExecutionProvider.CPU)).withIntraOpThreads(1);
    }

    static FloatBuffer images(int n, int seed) {
        FloatBuffer b = ByteBuffer.allocateDirect(n * PER * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n * PER; i++) {
            b.put(i, (float) Math.sin(0.001 * i + seed));
        }
        return b;
    }

    static boolean allFinite(float[] a) {
        for (float v : a) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private List<String> messages() {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void cudaThenCpuFallsBackToCpuLogsOnceAndClassifies() throws Exception {
        ModelCatalog catalog = ModelCatalog.of("a", List.of(synth("a"), synth("b")), Map.of(), Set.of());
        ModelRuntimeOptions opts = ModelRuntimeOptions.defaults(dir).withIntraOpThreads(1); // cuda,cpu
        assertThat(opts.providers()).containsExactly(ExecutionProvider.CUDA, ExecutionProvider.CPU);
        try (OnnxModelRepository repo = OnnxModelRepository.open(catalog, opts)) {
            OnnxClassifier a = repo.get("a");
            repo.get("b");
            assertThat(a.provider()).contains(ExecutionProvider.CPU);
            assertThat(repo.provider("b")).contains(ExecutionProvider.CPU);
            float[] out = new float[2 * 1000];
            a.logits(images(2, 0), 2, out);
            assertThat(allFinite(out)).isTrue();
            List<String> cudaLines = messages().stream().filter(m -> m.contains("execution provider cuda unavailable"))
                    .toList();
            assertThat(cudaLines).as("logged once for two models").hasSize(1);
            assertThat(cudaLines.get(0)).contains("cpu");
        }
    }

    @Test
    void everyMissingProviderIsLoggedOnceWithItsCause() throws Exception {
        ModelCatalog catalog = ModelCatalog.of("a", List.of(synth("a"), synth("b")), Map.of(), Set.of());
        ModelRuntimeOptions opts = cpu().withProviders(ExecutionProvider.parseList("tensorrt,cuda,cpu"));
        try (OnnxModelRepository repo = OnnxModelRepository.open(catalog, opts)) {
            repo.get("a");
            repo.get("b");
            assertThat(repo.provider("a")).contains(ExecutionProvider.CPU);
        }
        assertThat(messages().stream().filter(m -> m.contains("unavailable"))).hasSize(2)
                .anyMatch(m -> m.startsWith("execution provider tensorrt unavailable") && m.contains("not in this ONNX Runtime build"))
                .anyMatch(m -> m.startsWith("execution provider cuda unavailable"));
    }

    @Test
    void withOnlyUnavailableProvidersLoadingFailsWithTheReason() throws Exception {
        ModelCatalog catalog = ModelCatalog.of("a", List.of(synth("a")), Map.of(), Set.of());
        try (OnnxModelRepository repo = OnnxModelRepository.open(catalog, cpu().withProviders(List.of(ExecutionProvider.CUDA)))) {
            assertThatThrownBy(() -> repo.get("a")).isInstanceOf(ModelUnavailableException.class)
                    .hasMessageContaining("'a'").hasMessageContaining("no execution provider left")
                    .hasMessageContaining("unavailable [cuda]");
        }
    }

    @Test
    void batchedResultsEqualOneByOneAndAreDeterministic() throws Exception {
        try (OnnxModelRepository repo = OnnxModelRepository.synthesizedTiny(dir)) {
            Classifier c = repo.get(repo.resolve("tiny"));
            assertThat(c.info().trained()).isFalse();
            assertThat(c.info().numClasses()).isEqualTo(1000);
            assertThat(c.info().labels().get(0)).isEqualTo("tench");
            FloatBuffer batch = images(3, 1);
            float[] all = new float[3 * 1000];
            c.logits(batch, 3, all);
            for (int i = 0; i < 3; i++) {
                FloatBuffer one = ByteBuffer.allocateDirect(PER * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                one.put(batch.duplicate().position(i * PER).limit((i + 1) * PER));
                float[] single = new float[1000];
                c.logits(one, 1, single);
                for (int k = 0; k < 1000; k++) {
                    assertThat(single[k]).isCloseTo(all[i * 1000 + k], org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
            assertThat(batch.position()).as("caller's buffer untouched").isZero();
            float[] again = new float[3 * 1000];
            c.logits(batch, 3, again);
            assertThat(again).containsExactly(all);
            assertThat(all[0]).isNotEqualTo(all[1000]);
        }
    }

    @Test
    void shaMismatchNamesModelFileExpectedAndActual() throws Exception {
        CatalogEntry good = synth("m");
        String wrong = "0".repeat(64);
        CatalogEntry bad = new CatalogEntry("m", good.file(), wrong, "tiny", good.input(), "imagenet1k", false);
        try (OnnxModelRepository repo = OnnxModelRepository.open(ModelCatalog.of("m", List.of(bad), Map.of(), Set.of()), cpu())) {
            assertThatThrownBy(() -> repo.get("m"))
                    .isInstanceOf(ModelUnavailableException.class)
                    .hasMessageContaining("'m'")
                    .hasMessageContaining(dir.resolve("m.onnx").toString())
                    .hasMessageContaining("expected " + wrong)
                    .hasMessageContaining("actual " + good.sha256());
        }
    }

    @Test
    void missingFileNamesModelFileAndTheSynthCommand() throws Exception {
        CatalogEntry e = CatalogEntry.synthesized("resnet18_swsl", "resnet18", null);
        try (OnnxModelRepository repo = OnnxModelRepository.open(ModelCatalog.of("resnet18_swsl", List.of(e), Map.of(), Set.of()), cpu())) {
            assertThatThrownBy(() -> repo.get("resnet18_swsl"))
                    .isInstanceOf(ModelUnavailableException.class)
                    .hasMessageContaining("resnet18_swsl.onnx")
                    .hasMessageContaining("does not exist")
                    .hasMessageContaining("tagstream models synth resnet18_swsl");
        }
    }

    @Test
    void truncatedUnpinnedFileIsUnavailableNamingModelAndFile() throws Exception {
        CatalogEntry e = synth("t");
        Path f = dir.resolve("t.onnx");
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        CatalogEntry unpinned = CatalogEntry.synthesized("t", "tiny", null);
        try (OnnxModelRepository repo = OnnxModelRepository.open(ModelCatalog.of("t", List.of(unpinned), Map.of(), Set.of()), cpu())) {
            assertThatThrownBy(() -> repo.get("t"))
                    .isInstanceOf(ModelUnavailableException.class)
                    .hasMessageContaining("'t'")
                    .hasMessageContaining(f.toString());
        }
        assertThat(e.pinned()).isTrue();
    }

    /** input [N,3,224,224] -> GlobalAveragePool -> Flatten -> [N,3]: a valid model with the wrong output. */
    private static void writeWrongOutputModel(Path file) throws Exception {
        var dimN = OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N");
        java.util.function.Function<long[], OnnxMl.TypeProto> type = dims -> {
            var shape = OnnxMl.TensorShapeProto.newBuilder().addDim(dimN);
            for (long d : dims) {
                shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
            return OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                    .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).setShape(shape)).build();
        };
        var graph = OnnxMl.GraphProto.newBuilder().setName("wrong")
                .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("input").setType(type.apply(new long[] {3, 224, 224})))
                .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("logits").setType(type.apply(new long[] {3})))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("GlobalAveragePool").addInput("input").addOutput("p"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Flatten").addInput("p").addOutput("logits")
                        .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis").setI(1)
                                .setType(OnnxMl.AttributeProto.AttributeType.INT)));
        var model = OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13)).build();
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
    }

    @Test
    void wrongOutputShapeIsUnavailableNamingModelAndFile() throws Exception {
        writeWrongOutputModel(dir.resolve("w.onnx"));
        CatalogEntry e = CatalogEntry.synthesized("w", "tiny", null);
        try (OnnxModelRepository repo = OnnxModelRepository.open(ModelCatalog.of("w", List.of(e), Map.of(), Set.of()), cpu())) {
            assertThatThrownBy(() -> repo.get("w"))
                    .isInstanceOf(ModelUnavailableException.class)
                    .hasMessageContaining("'w'")
                    .hasMessageContaining("w.onnx")
                    .hasMessageContaining("wrong output shape");
        }
    }

    @Test
    void leastRecentlyUsedModelIsUnloadedBeyondTheBudgetAndReloadsOnUse() throws Exception {
        ModelCatalog catalog = ModelCatalog.of("a", List.of(synth("a"), synth("b")), Map.of(), Set.of());
        try (OnnxModelRepository repo = OnnxModelRepository.open(catalog, cpu().withMaxLoadedModels(1))) {
            OnnxClassifier a = repo.get("a");
            OnnxClassifier b = repo.get("b");
            assertThat(repo.loadedModels()).containsExactly("b");
            assertThat(a.isLoaded()).isFalse();
            float[] out = new float[1000];
            a.logits(images(1, 2), 1, out); // the kept handle reloads
            assertThat(repo.loadedModels()).containsExactly("a");
            assertThat(b.isLoaded()).isFalse();
            assertThat(allFinite(out)).isTrue();
        }
    }

    @Test
    void concurrentRunsSurviveEvictionChurnWithIdenticalResults() throws Exception {
        ModelCatalog catalog = ModelCatalog.of("a", List.of(synth("a"), synth("b")), Map.of(), Set.of());
        try (OnnxModelRepository repo = OnnxModelRepository.open(catalog, cpu().withMaxLoadedModels(1).withWarmup(List.of()))) {
            FloatBuffer in = images(2, 3);
            float[] refA = new float[2000];
            float[] refB = new float[2000];
            repo.get("a").logits(in, 2, refA);
            repo.get("b").logits(in, 2, refB);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Boolean>> fs = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    String name = t % 2 == 0 ? "a" : "b";
                    float[] ref = t % 2 == 0 ? refA : refB;
                    fs.add(pool.submit(() -> {
                        float[] out = new float[2000];
                        for (int i = 0; i < 6; i++) {
                            repo.get(name).logits(in, 2, out);
                            if (!java.util.Arrays.equals(out, ref)) {
                                return false;
                            }
                        }
                        return true;
                    }));
                }
                for (Future<Boolean> f : fs) {
                    assertThat(f.get()).isTrue();
                }
            } finally {
                pool.shutdownNow();
            }
            // two threads may each evict the other's model: the budget is an upper bound
            assertThat(repo.loadedModels()).hasSizeLessThanOrEqualTo(1);
            long open = java.util.stream.Stream.of("a", "b").filter(n -> repo.handle(n).isLoaded()).count();
            assertThat(open).isEqualTo(repo.loadedModels().size());
        }
    }

    @Test
    void closedRepositoryRefusesToRun() throws Exception {
        OnnxModelRepository repo = OnnxModelRepository.synthesizedTiny(dir);
        Classifier c = repo.get("tiny");
        repo.close();
        assertThat(repo.loadedModels()).isEmpty();
        assertThatThrownBy(() -> c.logits(images(1, 0), 1, new float[1000]))
                .isInstanceOf(InferenceException.class).hasMessageContaining("closed");
    }

    @Test
    void batchOverMaxIsRejected() throws Exception {
        try (OnnxModelRepository repo = OnnxModelRepository.synthesizedTiny(dir)) {
            Classifier c = repo.get("tiny");
            assertThat(c.maxBatch()).isEqualTo(32);
            assertThatThrownBy(() -> c.logits(images(1, 0), 33, new float[33_000]))
                    .isInstanceOf(InferenceException.class).hasMessageContaining("33");
        }
    }

    @Test
    void eagerLoadsTheDefaultModelAtOpenAndFailsFastWhenItIsMissing() throws Exception {
        ModelCatalog catalog = ModelCatalog.of("a", List.of(synth("a"), synth("b")), Map.of(), Set.of());
        try (OnnxModelRepository repo = OnnxModelRepository.open(catalog, cpu().withEager(true).withWarmup(List.of(1, 2)))) {
            assertThat(repo.loadedModels()).containsExactly("a");
        }
        Files.delete(dir.resolve("a.onnx"));
        assertThatThrownBy(() -> OnnxModelRepository.open(catalog, cpu().withEager(true)))
                .isInstanceOf(ModelUnavailableException.class).hasMessageContaining("a.onnx");
    }

    @Test
    void resolvesAliasesAndRejectsModelsOutsideTheAllowList() throws Exception {
        ModelCatalog catalog = ModelCatalog.of("a", List.of(synth("a"), synth("b")), Map.of("alpha", "a"), Set.of("a"));
        try (OnnxModelRepository repo = OnnxModelRepository.open(catalog, cpu())) {
            assertThat(repo.resolve(" alpha ")).isEqualTo("a");
            assertThatThrownBy(() -> repo.resolve("b")).isInstanceOf(UnknownModelException.class)
                    .hasMessageContaining("not allowed");
            assertThatThrownBy(() -> repo.resolve("zeta")).isInstanceOf(UnknownModelException.class)
                    .hasMessageContaining("zeta");
            assertThatThrownBy(() -> repo.get("b")).isInstanceOf(ModelUnavailableException.class);
        }
    }

    @Test
    void providerListsAreParsedInOrderAndUnknownOnesRejected() {
        assertThat(ExecutionProvider.parseList("tensorrt, CUDA,cpu"))
                .containsExactly(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA, ExecutionProvider.CPU);
        assertThatThrownBy(() -> ExecutionProvider.parseList("cuda,rocm"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'rocm'").hasMessageContaining("[tensorrt, cuda, cpu]");
        assertThatThrownBy(() -> ExecutionProvider.parseList("cpu,cpu")).isInstanceOf(IllegalArgumentException.class);
    }
}
