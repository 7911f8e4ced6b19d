package dev.tagstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tagstream.image.PreprocessSpec;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelCatalogTest {
    static final Path CATALOG = Path.of("config/models.yaml");

    private static String entry(String name, String body) {
        return "  " + name + ":\n" + body.indent(4);
    }

    private static final String GOOD = "file: a.onnx\narchitecture: resnet18\nlabels: imagenet1k\ntrained: false\n";

    private static String yaml(String models) {
        return "default: a\nmodels:\n" + models;
    }

    @Test
    void projectCatalogHasTheTwelveHubModelsAllUntrainedAndPinned() throws Exception {
        ModelCatalog c = ModelCatalog.load(CATALOG);
        assertThat(c.entries()).hasSize(12).allSatisfy(e -> {
            assertThat(e.trained()).isFalse();
            assertThat(e.pinned()).isTrue();
            assertThat(e.file()).isEqualTo(e.name() + ".onnx");
            assertThat(e.input()).isEqualTo(PreprocessSpec.IMAGENET);
            assertThat(e.labels()).isEqualTo("imagenet1k");
            assertThat(e.name()).startsWith(e.architecture()).matches(".*_(ssl|swsl)");
        });
        assertThat(c.entries()).extracting(CatalogEntry::architecture).containsOnly("resnet18", "resnet50",
                "resnext50_32x4d", "resnext101_32x4d", "resnext101_32x8d", "resnext101_32x16d");
        assertThat(c.defaultModel()).isEqualTo("resnet50_swsl");
        assertThat(c.allowed()).isEmpty();
        assertThat(c.resolve("resnet50")).isEqualTo("resnet50_swsl");
        assertThat(c.resolve("resnext101_32x16d")).isEqualTo("resnext101_32x16d_swsl");
        assertThat(c.resolve("resnet18_ssl")).isEqualTo("resnet18_ssl");
        assertThat(c.aliases()).hasSize(6);
        assertThatThrownBy(() -> c.aliases().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void pinnedHashMatchesTheSynthesizedFileWithTheDefaultSeed() throws Exception {
        ModelCatalog c = ModelCatalog.load(CATALOG);
        // resnet18 (BasicBlock), resnet50 (Bottleneck) and resnext50 (grouped) cover every code path of the writer;
        // the 101-layer pins were computed the same way (ModelSynthesizer.write to a null stream) but take seconds
        for (String name : List.of("resnet18_swsl", "resnet18_ssl", "resnet50_swsl", "resnext50_32x4d_swsl")) {
            CatalogEntry e = c.entry(name).orElseThrow();
            String sha = ModelSynthesizer.write(name, Architecture.of(e.architecture()), ModelSynthesizer.DEFAULT_SEED,
                    OutputStream.nullOutputStream());
            assertThat(sha).as(name).isEqualTo(e.sha256());
        }
    }

    @Test
    void infoCarriesTheThousandImagenetLabelsInIndexOrder() throws Exception {
        ModelCatalog c = ModelCatalog.load(CATALOG);
        ModelInfo info = c.info(c.entry("resnet50_swsl").orElseThrow());
        assertThat(info.numClasses()).isEqualTo(1000);
        assertThat(info.labels().get(0)).isEqualTo("tench");
        assertThat(info.labels().get(207)).isEqualTo("golden retriever");
        assertThat(info.labels().get(999)).isEqualTo("toilet tissue");
        assertThat(info.trained()).isFalse();
    }

    @Test
    void unknownArchitectureNamesEntryAndKey() {
        assertThatThrownBy(() -> ModelCatalog.parse(yaml(entry("a", GOOD.replace("resnet18", "resnet19"))), "m.yaml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("m.yaml").hasMessageContaining("models.a.architecture")
                .hasMessageContaining("unknown architecture 'resnet19'");
    }

    @Test
    void missingFileKeyNamesEntryAndKey() {
        assertThatThrownBy(() -> ModelCatalog.parse(yaml(entry("a", GOOD.replace("file: a.onnx\n", ""))), "m.yaml"))
                .hasMessageContaining("models.a.file").hasMessageContaining("missing file key");
    }

    @Test
    void badShaFormatNamesEntryAndKey() {
        assertThatThrownBy(() -> ModelCatalog.parse(yaml(entry("a", GOOD + "sha256: ABC123\n")), "m.yaml"))
                .hasMessageContaining("models.a.sha256").hasMessageContaining("bad sha format");
        assertThat(ModelCatalog.parse(yaml(entry("a", GOOD + "sha256: null\n")), "m.yaml")
                .entry("a").orElseThrow().pinned()).isFalse();
    }

    @Test
    void aliasToNothingNamesTheAlias() {
        String y = yaml(entry("a", GOOD)) + "aliases:\n  r18: resnet18_swsl\n";
        assertThatThrownBy(() -> ModelCatalog.parse(y, "m.yaml"))
                .hasMessageContaining("aliases.r18").hasMessageContaining("alias to nothing");
    }

    @Test
    void duplicateModelKeyOrAliasShadowingAModelIsRejected() {
        String dup = yaml(entry("a", GOOD) + entry("a", GOOD.replace("a.onnx", "b.onnx")));
        assertThatThrownBy(() -> ModelCatalog.parse(dup, "m.yaml"))
                .hasMessageContaining("m.yaml").hasMessageContaining("Duplicate").hasMessageContaining("'a'");
        String shadow = yaml(entry("a", GOOD)) + "aliases:\n  a: a\n";
        assertThatThrownBy(() -> ModelCatalog.parse(shadow, "m.yaml"))
                .hasMessageContaining("aliases.a").hasMessageContaining("duplicate");
        String sameFile = yaml(entry("a", GOOD) + entry("b", GOOD));
        assertThatThrownBy(() -> ModelCatalog.parse(sameFile, "m.yaml"))
                .hasMessageContaining("models.b.file").hasMessageContaining("model 'a'");
    }

    @Test
    void unknownKeysAndMissingDefaultAreReported() {
        assertThatThrownBy(() -> ModelCatalog.parse(yaml(entry("a", GOOD + "sha: x\n")), "m.yaml"))
                .hasMessageContaining("models.a.sha: unknown key");
        assertThatThrownBy(() -> ModelCatalog.parse("models:\n" + entry("a", GOOD), "m.yaml"))
                .hasMessageContaining("default: missing");
        assertThatThrownBy(() -> ModelCatalog.parse(yaml(entry("a", GOOD)) + "allow: [b]\n", "m.yaml"))
                .hasMessageContaining("allow: 'b'");
    }

    @Test
    void inputSpecIsReadAndValidated() {
        ModelCatalog c = ModelCatalog.parse(yaml(entry("a", GOOD + "input: {resize: 232, crop: 224, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]}\n")), "m.yaml");
        PreprocessSpec s = c.entry("a").orElseThrow().input();
        assertThat(s.resize()).isEqualTo(232);
        assertThat(s.mean(1)).isEqualTo(0.5f);
        assertThatThrownBy(() -> ModelCatalog.parse(yaml(entry("a", GOOD + "input: {std: [0, 1, 1]}\n")), "m.yaml"))
                .hasMessageContaining("models.a.input");
    }

    @Test
    void allowListRestrictsResolution() throws Exception {
        ModelCatalog c = ModelCatalog.of("a", List.of(CatalogEntry.synthesized("a", "tiny", null),
                CatalogEntry.synthesized("b", "tiny", null)), Map.of("bee", "b"), Set.of("a"));
        assertThat(c.resolve("a")).isEqualTo("a");
        assertThatThrownBy(() -> c.resolve("bee")).isInstanceOf(UnknownModelException.class)
                .hasMessageContaining("'bee' (b) is not allowed");
        assertThatThrownBy(() -> c.resolve("  ")).isInstanceOf(UnknownModelException.class);
    }
}
