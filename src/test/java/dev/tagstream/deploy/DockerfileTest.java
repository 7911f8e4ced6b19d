package dev.tagstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tagstream.cli.Main;
import dev.tagstream.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Dockerfile and Dockerfile.gpu, checked without a Docker engine. */
class DockerfileTest {
    /** A tag with a full x.y.z version in it, never latest. */
    private static final Pattern PINNED_TAG = Pattern.compile(".*\\d+\\.\\d+\\.\\d+.*");
    /** Debian's point releases have two numbers (12.12). */
    private static final Pattern PINNED_DEBIAN_TAG = Pattern.compile("\\d+\\.\\d+(-slim)?");

    /** ENV of the final stage of an image. */
    static Map<String, String> imageEnvironment(String file) {
        return Dockerfile.load(file).env();
    }

    /** WORKDIR of the final stage. */
    static String workdir(String file) {
        Dockerfile d = Dockerfile.load(file);
        List<Dockerfile.Instruction> w = d.inStage(d.lastStage(), "WORKDIR");
        return w.get(w.size() - 1).args();
    }

    /** Where the final stage copies things to. */
    static Set<String> copiedTargets(String file) {
        Dockerfile d = Dockerfile.load(file);
        return d.copies().stream().filter(c -> c.stage() == d.lastStage()).map(Dockerfile.Copy::target)
                .collect(Collectors.toSet());
    }

    /**
     * Problems of a Dockerfile that can be seen without building it; empty when there are none. Each names what
     * is wrong so a failing test says why.
     */
    static List<String> problems(Dockerfile d) {
        List<String> out = new ArrayList<>();
        List<Dockerfile.Stage> stages = d.stages();
        if (stages.size() < 2) {
            out.add("not multi-stage: " + stages.size() + " FROM");
        }
        for (Dockerfile.Stage s : stages) {
            int colon = s.image().lastIndexOf(':');
            String tag = colon < 0 ? "" : s.image().substring(colon + 1);
            boolean pinned = PINNED_TAG.matcher(tag).matches()
                    || (s.image().startsWith("debian:") && PINNED_DEBIAN_TAG.matcher(tag).matches());
            if (colon < 0 || tag.equals("latest") || !pinned) {
                out.add("image not pinned to a release: " + s.image());
            }
        }
        Set<String> stageNames = stages.stream().map(Dockerfile.Stage::name).filter(n -> n != null)
                .collect(Collectors.toSet());
        for (Dockerfile.Copy c : d.copies()) {
            if (c.from().isPresent()) {
                String from = c.from().get();
                boolean earlier = stages.stream().anyMatch(s -> from.equals(s.name()) && s.index() < c.stage());
                if (!earlier) {
                    out.add("COPY --from=" + from + " names no earlier stage (stages: " + stageNames + ")");
                }
                continue;
            }
            for (String src : c.sources()) {
                Path p = DeployFiles.ROOT.resolve(src);
                if (!Files.exists(p)) {
                    out.add("COPY source does not exist: " + src);
                } else if (!Dockerfile.inBuildContext(DeployFiles.ROOT, src)) {
                    out.add("COPY source is excluded by .dockerignore: " + src);
                }
            }
        }
        int last = d.lastStage();
        List<Dockerfile.Instruction> users = d.inStage(last, "USER");
        if (users.isEmpty() || Set.of("root", "0", "0:0", "root:root").contains(users.get(users.size() - 1).args())) {
            out.add("the final stage runs as root");
        }
        Set<String> targets = d.copies().stream().filter(c -> c.stage() == last).map(Dockerfile.Copy::target)
                .collect(Collectors.toSet());
        Optional<List<String>> entrypoint = d.execForm("ENTRYPOINT");
        if (entrypoint.isEmpty() || !entrypoint.get().get(0).equals("java")) {
            out.add("ENTRYPOINT is not an exec-form java command: " + entrypoint);
        } else {
            int jar = entrypoint.get().indexOf("-jar");
            if (jar < 0 || jar + 1 >= entrypoint.get().size() || !targets.contains(entrypoint.get().get(jar + 1))) {
                out.add("ENTRYPOINT does not run a jar this stage copies: " + entrypoint.get() + " vs " + targets);
            }
        }
        Optional<List<String>> cmd = d.execForm("CMD");
        if (cmd.isEmpty()) {
            out.add("no CMD");
        } else {
            try {
                Main.newCommandLine().parseArgs(cmd.get().toArray(String[]::new));
            } catch (RuntimeException e) {
                out.add("CMD " + cmd.get() + " is not a tagstream command line: " + e.getMessage());
            }
        }
        Optional<List<String>> health = d.healthcheckCommand();
        if (health.isPresent() && !targets.contains(health.get().get(0))) {
            out.add("HEALTHCHECK runs " + health.get().get(0) + ", which this stage does not copy");
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.gpu"})
    void shouldHaveNoStaticProblems(String file) {
        assertThat(problems(Dockerfile.load(file))).isEmpty();
    }

    @Test
    void shouldReportAMissingCopySourceAFloatingTagAndRoot() {
        String text = DeployFiles.read("Dockerfile")
                .replace("COPY config/ /app/config/", "COPY conf/ /app/config/")
                .replace("eclipse-temurin:17.0.16_8-jre-noble", "eclipse-temurin:17-jre")
                .replace("USER 10001:10001", "USER root");
        assertThat(problems(Dockerfile.parse(text))).anyMatch(p -> p.contains("does not exist: conf/"))
                .anyMatch(p -> p.contains("not pinned") && p.contains("eclipse-temurin:17-jre"))
                .anyMatch(p -> p.contains("runs as root"));
        String unknownStage = DeployFiles.read("Dockerfile").replace("--from=build /build/native/",
                "--from=builder /build/native/");
        assertThat(problems(Dockerfile.parse(unknownStage))).anyMatch(p -> p.contains("--from=builder"));
        String badCmd = DeployFiles.read("Dockerfile").replace("CMD [\"run\"]", "CMD [\"runn\"]");
        assertThat(problems(Dockerfile.parse(badCmd))).anyMatch(p -> p.contains("not a tagstream command line"));
    }

    @Test
    void shouldRefuseAFileTheDockerignoreKeepsOutOfTheContext() {
        assertThat(Dockerfile.inBuildContext(DeployFiles.ROOT, "src/main/java")).isTrue();
        assertThat(Dockerfile.inBuildContext(DeployFiles.ROOT, "src/test/java")).isFalse();
        assertThat(Dockerfile.inBuildContext(DeployFiles.ROOT, "target/tagstream.jar")).isFalse();
        String text = DeployFiles.read("Dockerfile").replace("COPY config/ /app/config/", "COPY tools/ /app/tools/");
        assertThat(problems(Dockerfile.parse(text))).anyMatch(p -> p.contains("excluded by .dockerignore: tools/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.gpu"})
    void shouldBuildTheFatJarWithMavenAndRunItFromTheRuntimeStage(String file) {
        Dockerfile d = Dockerfile.load(file);
        List<Dockerfile.Stage> stages = d.stages();
        assertThat(stages.get(0).image()).startsWith("maven:3.9.").contains("eclipse-temurin-17");
        String build = d.inStage(0, "RUN").stream().map(Dockerfile.Instruction::args).collect(Collectors.joining("\n"));
        assertThat(build).contains("mvn -B").contains("-DskipTests package");
        if (file.endsWith(".gpu")) {
            assertThat(build).contains("-Pgpu");
            assertThat(DeployFiles.read("pom.xml")).contains("<id>gpu</id>");
            assertThat(stages.get(stages.size() - 1).image()).matches("nvidia/cuda:12\\.\\d+\\.\\d+-cudnn-runtime-ubuntu22\\.04");
            assertThat(String.join("\n", d.inStage(d.lastStage(), "RUN").stream().map(Dockerfile.Instruction::args)
                    .toList())).contains("openjdk-17-jre-headless");
        } else {
            assertThat(stages.get(stages.size() - 1).image()).startsWith("eclipse-temurin:17.").contains("-jre");
        }
        // The shade plugin names the jar tagstream.jar; the runtime stage copies it from there.
        assertThat(DeployFiles.read("pom.xml")).contains("<finalName>tagstream</finalName>");
        assertThat(d.copies()).anyMatch(c -> c.from().isPresent() && c.sources().contains("/build/target/tagstream.jar"));
        List<String> commandLine = new ArrayList<>(d.execForm("ENTRYPOINT").orElseThrow());
        commandLine.addAll(d.execForm("CMD").orElseThrow());
        assertThat(String.join(" ", commandLine) + " " + d.env().get("JAVA_TOOL_OPTIONS"))
                .as("ONNX Runtime crashes with java command lines over ~4 KB").hasSizeLessThan(1024);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.gpu"})
    void shouldGiveTheJvmAWritableTempDirAndThePreExtractedNativeLibraries(String file) {
        Dockerfile d = Dockerfile.load(file);
        String options = d.env().get("JAVA_TOOL_OPTIONS");
        assertThat(options).contains("-XX:MaxRAMPercentage=75");
        Map<String, String> props = DeployFiles.systemProperties(options);
        String tmp = props.get("java.io.tmpdir");
        assertThat(tmp).as("java.io.tmpdir").isNotNull();
        String runs = d.inStage(d.lastStage(), "RUN").stream().map(Dockerfile.Instruction::args)
                .collect(Collectors.joining("\n"));
        assertThat(runs).as("the temp dir is created and handed to the service user")
                .containsPattern("mkdir -p [^\\n]*" + Pattern.quote(tmp))
                .containsPattern("chown [^\\n]*" + Pattern.quote(tmp));
        assertThat(copiedTargets(file)).contains(props.get("onnxruntime.native.path") + "/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.gpu"})
    void shouldConfigureOnlySettingsTheServiceKnowsAndExposeItsMetricsPort(String file) {
        Dockerfile d = Dockerfile.load(file);
        Map<String, String> env = d.env();
        assertThat(env.keySet()).filteredOn(k -> k.startsWith("TAGSTREAM_")).isNotEmpty()
                .allMatch(DeployFiles::isKnownTagstreamEnv);
        Settings s = DeployFiles.settings(DeployFiles.path("config/tagstream.properties"), env);
        List<Dockerfile.Instruction> expose = d.inStage(d.lastStage(), "EXPOSE");
        assertThat(expose).extracting(Dockerfile.Instruction::args).containsExactly(String.valueOf(s.metricsPort()));
        assertThat(s.metricsPort()).isEqualTo(DeployFiles.defaultMetricsPort());
        assertThat(d.inStage(d.lastStage(), "VOLUME")).extracting(Dockerfile.Instruction::args)
                .anyMatch(v -> v.contains("\"" + s.modelsDir() + "\""));
        String workdir = workdir(file);
        assertThat(Path.of(workdir).resolve("config").resolve(s.modelsCatalog().getFileName()))
                .isEqualTo(s.modelsCatalog());
        assertThat(copiedTargets(file)).contains(workdir + "/config/");
        String stateDir = s.kafkaProperties().get("state.dir");
        String runs = d.inStage(d.lastStage(), "RUN").stream().map(Dockerfile.Instruction::args)
                .collect(Collectors.joining("\n"));
        assertThat(stateDir).startsWith("/var/lib/tagstream/");
        assertThat(runs).contains("chown tagstream:tagstream /models /tmp/tagstream /var/lib/tagstream");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.gpu"})
    void shouldShipLibjpegTurboWhereTheDecoderLooksForIt(String file) {
        Set<String> targets = copiedTargets(file);
        // The jar and one of the library paths of dev.tagstream.image.TurboJpeg (JARS, LIBS).
        assertThat(targets).contains("/usr/share/java/turbojpeg.jar", "/usr/lib/libturbojpeg.so.0");
        assertThat(DeployFiles.read("src/main/java/dev/tagstream/image/TurboJpeg.java"))
                .contains("Path.of(\"/usr/share/java/turbojpeg.jar\")", "Path.of(\"/usr/lib/libturbojpeg.so.0\")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.gpu"})
    void shouldCheckHealthOnAPathTheOpsServerServes(String file) {
        List<String> health = Dockerfile.load(file).healthcheckCommand().orElseThrow();
        assertThat(health).hasSize(2);
        assertThat(health.get(0)).isEqualTo("/app/bin/healthcheck");
        assertThat(DeployFiles.opsStatus(health.get(1))).isNotEqualTo(404);
        assertThat(DeployFiles.path("docker/healthcheck.sh")).isRegularFile();
        assertThat(DeployFiles.read("docker/healthcheck.sh")).contains("TAGSTREAM_METRICS_PORT:-"
                + DeployFiles.defaultMetricsPort());
    }

    @Test
    void shouldParseContinuationLinesAndQuotedEnvValues() {
        Dockerfile d = Dockerfile.parse("""
                FROM a:1.2.3 AS one
                FROM b:4.5.6
                # comment
                ENV A="x y" \\
                    B=z
                ENV C d e
                RUN echo 1 \\
                 && echo 2
                """);
        assertThat(d.env()).containsEntry("A", "x y").containsEntry("B", "z").containsEntry("C", "d e");
        assertThat(d.inStage(1, "RUN")).extracting(Dockerfile.Instruction::args).containsExactly("echo 1  && echo 2");
        assertThatThrownBy(() -> Dockerfile.parse("FROM a:1.2.3\nRUN x \\")).isInstanceOf(IllegalArgumentException.class);
    }
}
