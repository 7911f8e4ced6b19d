package dev.tagstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tagstream.cli.Main;
import dev.tagstream.config.Settings;
import dev.tagstream.ops.StreamsProperties;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml and docker-compose.gpu.yml, checked without Docker: structure, references between services,
 * the tagstream settings they pass, the commands they run, and the message sizes for 10 MiB images.
 */
class ComposeFileTest {
    private static final Set<String> TAGSTREAM_IMAGE_SERVICES = Set.of("models", "processor", "producer", "tailer");
    private static final int TEN_MIB = 10 * 1024 * 1024;

    private Map<String, Object> compose;
    private Map<String, Map<String, Object>> services;

    @BeforeEach
    void load() {
        compose = DeployFiles.snakeYaml(DeployFiles.read("docker-compose.yml"));
        services = services(compose);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services(Map<String, Object> file) {
        return (Map<String, Map<String, Object>>) file.get("services");
    }

    @SuppressWarnings("unchecked")
    private static <T> T get(Map<String, Object> m, String key) {
        return (T) m.get(key);
    }

    /** A service's environment as strings (Compose allows a map or a KEY=VALUE list). */
    private static Map<String, String> environment(Map<String, Object> service) {
        Object env = service.get("environment");
        Map<String, String> out = new LinkedHashMap<>();
        if (env instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        } else if (env instanceof List<?> l) {
            for (Object e : l) {
                String s = String.valueOf(e);
                out.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
            }
        }
        return out;
    }

    private Settings processorSettings() {
        Map<String, String> env = new LinkedHashMap<>(DockerfileTest.imageEnvironment("Dockerfile"));
        env.putAll(environment(services.get("processor")));
        return DeployFiles.settings(DeployFiles.path("config/tagstream.properties"), env);
    }

    /** Problems with references between services: depends_on targets, conditions, volumes, bind mounts. */
    static List<String> referenceProblems(Map<String, Object> file) {
        List<String> out = new ArrayList<>();
        Map<String, Map<String, Object>> svcs = services(file);
        Map<String, Object> volumes = file.get("volumes") == null ? Map.of() : get(file, "volumes");
        svcs.forEach((name, svc) -> {
            Object deps = svc.get("depends_on");
            if (deps instanceof Map<?, ?> m) {
                m.forEach((target, spec) -> {
                    Map<String, Object> t = svcs.get(String.valueOf(target));
                    if (t == null) {
                        out.add(name + " depends on unknown service " + target);
                        return;
                    }
                    String condition = String.valueOf(((Map<?, ?>) spec).get("condition"));
                    switch (condition) {
                        case "service_healthy" -> {
                            if (!t.containsKey("healthcheck")) {
                                out.add(name + " waits for " + target + " to be healthy, which has no healthcheck");
                            }
                        }
                        case "service_completed_successfully" -> {
                            if (!"no".equals(String.valueOf(t.getOrDefault("restart", "no")))) {
                                out.add(name + " waits for " + target + " to complete, but it restarts");
                            }
                        }
                        case "service_started" -> { }
                        default -> out.add(name + " has an unknown depends_on condition " + condition);
                    }
                });
            } else if (deps != null) {
                out.add(name + ": use depends_on with conditions, not a list");
            }
            List<?> mounts = svc.get("volumes") == null ? List.of() : (List<?>) svc.get("volumes");
            for (Object v : mounts) {
                String source = String.valueOf(v).split(":")[0];
                if (source.startsWith("./") || source.startsWith("/")) {
                    if (!Files.exists(DeployFiles.ROOT.resolve(source))) {
                        out.add(name + " mounts " + source + ", which does not exist");
                    }
                } else if (!volumes.containsKey(source)) {
                    out.add(name + " mounts volume " + source + ", which is not declared");
                }
            }
            Object image = svc.get("image");
            if (image == null && svc.get("build") == null) {
                out.add(name + " has neither image nor build");
            }
            if (image != null) {
                String tag = String.valueOf(image).contains(":") ? String.valueOf(image).replaceAll(".*:", "") : "";
                if (tag.isEmpty() || tag.equals("latest") || !tag.matches(".*\\d+\\.\\d+\\.\\d+.*")) {
                    out.add(name + " image not pinned to a release: " + image);
                }
            }
        });
        return out;
    }

    @Test
    void shouldDeclareTheStackWithConsistentReferences() {
        assertThat(services.keySet()).containsExactlyInAnyOrder("kafka", "schema-registry", "topics", "models",
                "processor", "producer", "tailer");
        assertThat(referenceProblems(compose)).isEmpty();
        Map<String, Object> deps = get(services.get("processor"), "depends_on");
        assertThat(deps).containsKeys("kafka", "schema-registry", "topics", "models");
    }

    @Test
    void shouldReportBrokenReferencesInAFixture() {
        String broken = DeployFiles.read("docker-compose.yml")
                .replace("      schema-registry:\n        condition: service_healthy\n      topics:",
                        "      registry:\n        condition: service_healthy\n      topics:")
                .replace("      - models:/models\n    ports:", "      - model:/models\n    ports:")
                .replace("image: apache/kafka:4.1.0\n    hostname", "image: apache/kafka:latest\n    hostname");
        List<String> problems = referenceProblems(DeployFiles.snakeYaml(broken));
        assertThat(problems).anyMatch(p -> p.contains("unknown service registry"))
                .anyMatch(p -> p.contains("volume model,"))
                .anyMatch(p -> p.contains("apache/kafka:latest"));
    }

    @Test
    void shouldPassOnlySettingsTheServiceKnowsAndLoadThemWithoutError() {
        for (String name : TAGSTREAM_IMAGE_SERVICES) {
            Map<String, String> env = environment(services.get(name));
            assertThat(env.keySet()).as(name).filteredOn(k -> k.startsWith("TAGSTREAM_")).isNotEmpty()
                    .allMatch(DeployFiles::isKnownTagstreamEnv);
            Settings s = DeployFiles.settings(DeployFiles.path("config/tagstream.properties"), env);
            assertThat(s.kafkaProperties()).containsEntry("bootstrap.servers", "kafka:9092");
        }
        Settings s = processorSettings();
        assertThat(s.kafkaProperties().get("schema.registry.url")).isEqualTo("http://schema-registry:8081");
        assertThat(s.modelsDir().toString()).isEqualTo("/models");
        assertThat(s.imageMaxBytes()).as("sized for 10 MiB photos").isEqualTo(TEN_MIB);
    }

    @Test
    void shouldRunCommandsTheImageHas() {
        for (String name : List.of("processor", "producer", "tailer")) {
            List<String> command = get(services.get(name), "command");
            assertThat(command).as(name).isNotEmpty();
            // picocli refuses an unknown subcommand or option, as the container would at start.
            Main.newCommandLine().parseArgs(command.toArray(String[]::new));
        }
        List<String> produce = get(services.get("producer"), "command");
        assertThat(produce).containsSubsequence("produce", "--images", "/samples");
        assertThat(get(services.get("producer"), "volumes").toString()).contains(":/samples");
        List<String> tail = get(services.get("tailer"), "command");
        assertThat(tail).containsExactly("tail", "--from-beginning");
        assertThat((List<String>) get(services.get("models"), "entrypoint")).containsExactly("/app/bin/ensure-model");
        assertThat(DockerfileTest.copiedTargets("Dockerfile")).contains("/app/bin/ensure-model");
    }

    @Test
    void shouldCallTheModelsCommandsTheWayTheCliAcceptsThem() {
        String script = DeployFiles.read("docker/ensure-model.sh");
        Matcher m = Pattern.compile("tagstream (models [^|;\\n]*)").matcher(script);
        int found = 0;
        while (m.find()) {
            String line = m.group(1).replaceAll("\"\\$[a-z]+\"", "X").strip();
            Main.newCommandLine().parseArgs(line.split("\\s+"));
            found++;
        }
        assertThat(found).as("models list and models synth").isEqualTo(2);
        assertThat(script).contains("TAGSTREAM_MODELS_DIR:-/models").contains("TAGSTREAM_MODELS_CATALOG:-/app/config/models.yaml");
        assertThat(DeployFiles.path("docker/ensure-model.sh").toFile().canExecute()).isTrue();
    }

    @Test
    void shouldServeMetricsOnTheConfiguredPortAndCheckReadinessOnARealPath() {
        Settings s = processorSettings();
        Map<String, Object> processor = services.get("processor");
        List<String> ports = get(processor, "ports");
        assertThat(ports).hasSize(1);
        assertThat(ports.get(0)).endsWith(":" + s.metricsPort());
        Map<String, Object> health = get(processor, "healthcheck");
        List<String> test = get(health, "test");
        assertThat(test).startsWith("CMD", "/app/bin/healthcheck");
        assertThat(DeployFiles.opsStatus(test.get(2))).isNotEqualTo(404);
        assertThat(test.get(2)).isEqualTo("/health/ready");
        long graceSeconds = Long.parseLong(String.valueOf(processor.get("stop_grace_period")).replace("s", ""));
        assertThat(graceSeconds * 1000).as("longer than the worst-case drain")
                .isGreaterThan(s.shutdownGraceMs() / 2 + s.shutdownGraceMs());
    }

    @Test
    void shouldSizeBrokerAndTopicsForTheLargestRecordTheProcessorSends() {
        Settings s = processorSettings();
        int record = StreamsProperties.maxRecordBytes(s);
        Map<String, String> broker = environment(services.get("kafka"));
        assertThat(Integer.parseInt(broker.get("KAFKA_MESSAGE_MAX_BYTES"))).isGreaterThanOrEqualTo(record);
        assertThat(Integer.parseInt(broker.get("KAFKA_REPLICA_FETCH_MAX_BYTES"))).isGreaterThanOrEqualTo(record);
        assertThat(broker.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
        Uuid.fromString(broker.get("CLUSTER_ID"));

        String topics = String.join("\n", (List<String>) get(services.get("topics"), "command"));
        for (String topic : List.of(s.inputTopic(), s.outputTopic(), s.dlqTopic())) {
            assertThat(topics).as("the topics job creates " + topic).contains("--topic " + topic + " ");
        }
        Matcher m = Pattern.compile("--topic (\\S+) [^\\n]*max\\.message\\.bytes=(\\d+)").matcher(topics);
        Map<String, Integer> sized = new LinkedHashMap<>();
        while (m.find()) {
            sized.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        assertThat(sized).containsOnlyKeys(s.inputTopic(), s.dlqTopic());
        assertThat(sized.values()).allMatch(v -> v >= record);
        assertThat(topics).contains("--partitions \"${PARTITIONS:-4}\"");
    }

    @Test
    void shouldAddTheGpuOnlyThroughTheOverride() {
        Map<String, Object> processor = services.get("processor");
        assertThat(processor).doesNotContainKey("deploy");
        assertThat(environment(processor)).containsEntry("TAGSTREAM_MODELS_PROVIDERS", "cpu");

        Map<String, Object> gpu = DeployFiles.snakeYaml(DeployFiles.read("docker-compose.gpu.yml"));
        Map<String, Map<String, Object>> gpuServices = services(gpu);
        assertThat(services.keySet()).containsAll(gpuServices.keySet());
        Map<String, Object> gp = gpuServices.get("processor");
        Map<String, Object> build = get(gp, "build");
        assertThat(DeployFiles.path(String.valueOf(build.get("dockerfile")))).isRegularFile();
        assertThat(environment(gp).keySet()).allMatch(DeployFiles::isKnownTagstreamEnv);
        Map<String, String> merged = new LinkedHashMap<>(environment(processor));
        merged.putAll(environment(gp));
        assertThat(DeployFiles.settings(null, merged).providers()).containsExactly("cuda", "cpu");
        Map<String, Object> deploy = get(gp, "deploy");
        Map<String, Object> resources = get(deploy, "resources");
        Map<String, Object> reservations = get(resources, "reservations");
        List<Map<String, Object>> devices = get(reservations, "devices");
        assertThat(devices).singleElement().satisfies(d -> {
            assertThat(d).containsEntry("driver", "nvidia").containsEntry("count", 1);
            assertThat((List<String>) d.get("capabilities")).containsExactly("gpu");
        });
        assertThat(String.valueOf(gp.get("image"))).matches(".*:\\d+\\.\\d+\\.\\d+.*");
    }
}
