package dev.tagstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tagstream.config.Settings;
import dev.tagstream.deploy.KubernetesModels.InvalidManifestException;
import dev.tagstream.deploy.KubernetesModels.Kustomization;
import dev.tagstream.deploy.KubernetesModels.Parsed;
import dev.tagstream.deploy.KubernetesModels.ScaledObject;
import dev.tagstream.deploy.KubernetesModels.ServiceMonitor;
import dev.tagstream.deploy.KubernetesModels.TriggerAuthentication;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * k8s/ checked without a cluster: every manifest parses into a typed model with no unknown field, and what the
 * manifests say agrees with what the service reads (settings, ports, probe paths, files, secrets).
 */
class KubernetesManifestsTest {
    private static final String SECRET_PLACEHOLDER = "s3cr3t-placeholder-value";

    private static List<Parsed> all;
    private static Kustomization kustomization;

    @BeforeAll
    static void parseAll() throws IOException {
        all = new ArrayList<>();
        try (Stream<Path> files = Files.walk(DeployFiles.path("k8s"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> !p.startsWith(DeployFiles.path("k8s/config"))).sorted().toList()) {
                String rel = DeployFiles.ROOT.relativize(f).toString();
                for (JsonNode doc : DeployFiles.yamlDocuments(Files.readString(f))) {
                    all.add(KubernetesModels.parse(rel, doc));
                }
            }
        }
        kustomization = one(Kustomization.class);
    }

    private static <T> List<T> models(Class<T> type) {
        return all.stream().filter(p -> type.isInstance(p.model())).map(p -> p.as(type)).toList();
    }

    private static <T> T one(Class<T> type) {
        List<T> found = models(type);
        assertThat(found).as("exactly one " + type.getSimpleName() + " under k8s/").hasSize(1);
        return found.get(0);
    }

    private static Deployment deployment() {
        return one(Deployment.class);
    }

    private static PodSpec pod() {
        return deployment().getSpec().getTemplate().getSpec();
    }

    private static Container container() {
        assertThat(pod().getContainers()).hasSize(1);
        return pod().getContainers().get(0);
    }

    /** KEY=VALUE literals of a configMapGenerator. */
    private static Map<String, String> generatorLiterals(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        kustomization.configMapGenerator().stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow()
                .literals().forEach(l -> {
                    int eq = l.indexOf('=');
                    assertThat(eq).as("literal " + l).isPositive();
                    out.put(l.substring(0, eq), l.substring(eq + 1));
                });
        return out;
    }

    /** The environment of a container: its ConfigMap env, then its own env (secrets as a placeholder). */
    private static Map<String, String> environment(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        c.getEnvFrom().forEach(from -> {
            assertThat(from.getConfigMapRef()).as("envFrom of " + c.getName() + " is a ConfigMap").isNotNull();
            env.putAll(generatorLiterals(from.getConfigMapRef().getName()));
        });
        for (EnvVar e : c.getEnv()) {
            if (e.getValueFrom() != null) {
                assertThat(e.getValueFrom().getSecretKeyRef()).as(e.getName() + " comes from a Secret").isNotNull();
                env.put(e.getName(), SECRET_PLACEHOLDER);
            } else {
                env.put(e.getName(), Objects.requireNonNull(e.getValue(), e.getName()));
            }
        }
        return env;
    }

    /** The settings the main container would run with: the image's env, the mounted file, the pod's env. */
    private static Settings effectiveSettings() {
        Map<String, String> env = new HashMap<>(DockerfileTest.imageEnvironment("Dockerfile.gpu"));
        env.putAll(environment(container()));
        return DeployFiles.settings(DeployFiles.path("k8s/config/tagstream.properties"), env);
    }

    @Test
    void shouldParseEveryManifestIntoTypedModelsWithoutUnknownFields() {
        assertThat(all).extracting(p -> p.model().getClass().getSimpleName())
                .contains("Deployment", "Service", "PersistentVolumeClaim", "PodDisruptionBudget", "ScaledObject",
                        "TriggerAuthentication", "ServiceMonitor", "Secret", "Kustomization");
    }

    @Test
    void shouldRejectAFieldKubernetesDoesNotKnowEvenWhereFabric8WouldKeepIt() {
        JsonNode doc = DeployFiles.yamlDocuments(DeployFiles.read("k8s/deployment.yaml")
                .replace("          livenessProbe:", "          livenessProbes:")).get(0);
        assertThatThrownBy(() -> KubernetesModels.parse("fixture", doc))
                .isInstanceOf(InvalidManifestException.class)
                .hasMessageContaining("spec.template.spec.containers[0].livenessProbes");
    }

    @Test
    void shouldRejectANumberWhereKubernetesWantsAString() {
        JsonNode doc = DeployFiles.yamlDocuments(DeployFiles.read("k8s/service.yaml")
                .replace("prometheus.io/port: \"9400\"", "prometheus.io/port: 9400")).get(0);
        assertThatThrownBy(() -> KubernetesModels.parse("fixture", doc)).isInstanceOf(InvalidManifestException.class);
    }

    @Test
    void shouldRejectAnUnknownFieldInTheKedaScaledObject() {
        JsonNode doc = DeployFiles.yamlDocuments(DeployFiles.read("k8s/keda.yaml")
                .replace("  maxReplicaCount:", "  maxReplicas:")).get(0);
        assertThatThrownBy(() -> KubernetesModels.parse("fixture", doc))
                .isInstanceOf(InvalidManifestException.class).hasMessageContaining("maxReplicas");
        JsonNode trigger = DeployFiles.yamlDocuments(DeployFiles.read("k8s/keda.yaml")
                .replace("        lagThreshold:", "        lagTreshold:")).get(0);
        assertThatThrownBy(() -> KubernetesModels.parse("fixture", trigger))
                .isInstanceOf(InvalidManifestException.class).hasMessageContaining("lagTreshold");
    }

    @Test
    void shouldRejectAKindWithoutAModel() {
        JsonNode doc = DeployFiles.yamlDocuments("apiVersion: v1\nkind: Pods\nmetadata: {name: x}\n").get(0);
        assertThatThrownBy(() -> KubernetesModels.parse("fixture", doc)).hasMessageContaining("no model for v1/Pods");
    }

    @Test
    void shouldListEveryDefaultManifestInTheKustomizationAndKeepTheOptionalOnesOut() throws IOException {
        for (String r : kustomization.resources()) {
            assertThat(DeployFiles.path("k8s").resolve(r)).as("kustomization resource " + r).isRegularFile();
        }
        Set<String> sources = all.stream().map(Parsed::source).collect(Collectors.toSet());
        Set<String> listed = kustomization.resources().stream().map(r -> "k8s/" + r).collect(Collectors.toSet());
        Set<String> optional = Set.of("k8s/optional/servicemonitor.yaml", "k8s/secret.example.yaml",
                "k8s/kustomization.yaml");
        assertThat(sources).as("every manifest is either in the kustomization or known to be optional")
                .allMatch(s -> listed.contains(s) || optional.contains(s));
        assertThat(listed).as("CRD-dependent or example files stay out of the default build")
                .doesNotContain("k8s/optional/servicemonitor.yaml", "k8s/secret.example.yaml");
        assertThat(kustomization.images()).allSatisfy(i -> {
            assertThat(i.newTag()).as("image " + i.name() + " is pinned").isNotBlank().isNotEqualTo("latest");
        });
    }

    @Test
    void shouldGenerateTheConfigMapFromFilesThatExistAndACatalogIdenticalToTheImages() throws IOException {
        var generator = kustomization.configMapGenerator().stream().filter(g -> g.name().equals("tagstream-config"))
                .findFirst().orElseThrow();
        assertThat(generator.files()).isNotEmpty();
        for (String f : generator.files()) {
            assertThat(DeployFiles.path("k8s").resolve(f)).as("configMapGenerator file " + f).isRegularFile();
            assertThat(f).as("kustomize refuses files outside its directory").doesNotStartWith("..");
        }
        assertThat(Files.readString(DeployFiles.path("k8s/config/models.yaml")))
                .as("k8s/config/models.yaml must be config/models.yaml (SHA-256 pins)")
                .isEqualTo(Files.readString(DeployFiles.path("config/models.yaml")));

        Settings s = effectiveSettings();
        VolumeMount config = mount(container(), "config");
        Set<String> generatedFiles = generator.files().stream().map(f -> Path.of(f).getFileName().toString())
                .collect(Collectors.toSet());
        assertThat(s.modelsCatalog().getParent()).isEqualTo(Path.of(config.getMountPath()));
        assertThat(generatedFiles).contains(s.modelsCatalog().getFileName().toString(), "tagstream.properties");
        assertThat(Path.of(config.getMountPath())).as("run reads config/tagstream.properties from its workdir")
                .isEqualTo(Path.of(DockerfileTest.workdir("Dockerfile.gpu")).resolve("config"));
    }

    @Test
    void shouldUseOnlyEnvironmentNamesAndSettingsTheServiceKnows() {
        List<Container> containers = new ArrayList<>(pod().getContainers());
        containers.addAll(pod().getInitContainers());
        for (Container c : containers) {
            assertThat(environment(c).keySet()).filteredOn(n -> n.startsWith("TAGSTREAM_"))
                    .as("TAGSTREAM_* variables of " + c.getName())
                    .allMatch(DeployFiles::isKnownTagstreamEnv);
        }
        assertThat(generatorLiterals("tagstream-env").keySet()).filteredOn(n -> n.startsWith("TAGSTREAM_"))
                .allMatch(DeployFiles::isKnownTagstreamEnv);
        // Loading fails on an unknown tagstream.* key or a bad value, as the service itself would at start.
        Settings s = effectiveSettings();
        assertThat(s.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", SECRET_PLACEHOLDER)
                .containsEntry("basic.auth.user.info", SECRET_PLACEHOLDER)
                .containsEntry("basic.auth.credentials.source", "USER_INFO");
        assertThat(s.kafkaProperties().get("schema.registry.url")).startsWith("https://");
    }

    @Test
    void shouldFailTheSettingsCheckForAMistypedTagstreamKey() {
        assertThat(DeployFiles.isKnownTagstreamEnv("TAGSTREAM_BATCH_MAX_SIZE")).isTrue();
        assertThat(DeployFiles.isKnownTagstreamEnv("TAGSTREAM_BATCH_SIZE")).isFalse();
        assertThatThrownBy(() -> DeployFiles.settings(null, Map.of("TAGSTREAM_BATCH_MAX_SIZE", "0")))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void shouldNeverPrintTheSecretsTheManifestsPassIn() {
        Settings s = effectiveSettings();
        assertThat(s.describe().toString()).doesNotContain(SECRET_PLACEHOLDER)
                .contains("sasl.jaas.config=[hidden]", "basic.auth.user.info=[hidden]");
        Settings mtls = DeployFiles.settings(null, Map.of(
                "KAFKA_SSL_KEYSTORE_PASSWORD", SECRET_PLACEHOLDER,
                "KAFKA_SSL_KEY_PASSWORD", SECRET_PLACEHOLDER,
                "KAFKA_SSL_TRUSTSTORE_PASSWORD", SECRET_PLACEHOLDER,
                "KAFKA_SSL_KEYSTORE_KEY", SECRET_PLACEHOLDER,
                "SCHEMA_REGISTRY_URL", "https://user:" + SECRET_PLACEHOLDER + "@registry:8081"));
        assertThat(mtls.describe().toString()).doesNotContain(SECRET_PLACEHOLDER);
    }

    @Test
    void shouldServeMetricsAndProbesOnTheConfiguredPortAndExistingPaths() {
        Settings s = effectiveSettings();
        Container c = container();
        ContainerPort metrics = c.getPorts().stream().filter(p -> "metrics".equals(p.getName())).findFirst()
                .orElseThrow();
        assertThat(metrics.getContainerPort()).isEqualTo(s.metricsPort());
        Map<String, Probe> probes = new LinkedHashMap<>();
        probes.put("startup", c.getStartupProbe());
        probes.put("liveness", c.getLivenessProbe());
        probes.put("readiness", c.getReadinessProbe());
        probes.forEach((kind, probe) -> {
            assertThat(probe).as(kind + " probe").isNotNull();
            HTTPGetAction get = probe.getHttpGet();
            assertThat(get).as(kind + " probe is an HTTP GET").isNotNull();
            Object port = get.getPort().getIntVal() != null ? get.getPort().getIntVal() : get.getPort().getStrVal();
            assertThat(port).as(kind + " probe port").isIn(metrics.getName(), s.metricsPort());
            assertThat(DeployFiles.opsStatus(get.getPath())).as(kind + " probe path " + get.getPath() + " exists")
                    .isNotEqualTo(404);
        });
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
        assertThat(DeployFiles.opsStatus("/health/nope")).as("the probe-path check can fail").isEqualTo(404);

        Map<String, String> podAnnotations = deployment().getSpec().getTemplate().getMetadata().getAnnotations();
        Service service = one(Service.class);
        for (Map<String, String> a : List.of(podAnnotations, service.getMetadata().getAnnotations())) {
            assertThat(a).containsEntry("prometheus.io/scrape", "true")
                    .containsEntry("prometheus.io/port", String.valueOf(s.metricsPort()))
                    .containsEntry("prometheus.io/path", "/metrics");
        }
        assertThat(DeployFiles.opsStatus("/metrics")).isEqualTo(200);
    }

    @Test
    void shouldLetTheDrainFinishBeforeKubernetesKillsThePod() {
        Settings s = effectiveSettings();
        // TagstreamApp.closeGracefully: up to grace/2 draining, then up to grace for KafkaStreams.close.
        long worstCaseMs = s.shutdownGraceMs() / 2 + s.shutdownGraceMs();
        assertThat(pod().getTerminationGracePeriodSeconds() * 1000).isGreaterThan(worstCaseMs);
    }

    @Test
    void shouldAskForOneGpuAndLeaveReplicasToKeda() {
        var limits = container().getResources().getLimits();
        assertThat(limits).containsKey("nvidia.com/gpu");
        assertThat(limits.get("nvidia.com/gpu").getAmount()).isEqualTo("1");
        assertThat(limits).containsKey("memory");
        assertThat(deployment().getSpec().getReplicas()).as("no replicas: KEDA owns the scale").isNull();
        assertThat(pod().getEnableServiceLinks()).as("service links would inject KAFKA_* variables").isFalse();
        assertThat(pod().getAffinity().getPodAntiAffinity()).isNotNull();
    }

    @Test
    void shouldGiveEveryWritablePathAVolumeUnderAReadOnlyRoot() {
        Settings s = effectiveSettings();
        Container c = container();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(pod().getSecurityContext().getRunAsNonRoot()).isTrue();
        Map<String, String> env = new HashMap<>(DockerfileTest.imageEnvironment("Dockerfile.gpu"));
        env.putAll(environment(c));
        String tmpdir = DeployFiles.systemProperties(env.get("JAVA_TOOL_OPTIONS")).get("java.io.tmpdir");
        assertThat(tmpdir).as("java.io.tmpdir set (ONNX Runtime creates its temp dir there)").isNotNull();
        assertThat(emptyDirMountedAt(c, tmpdir)).as("java.io.tmpdir " + tmpdir + " is a mounted emptyDir").isTrue();
        String stateDir = s.kafkaProperties().get("state.dir");
        assertThat(stateDir).isNotNull();
        assertThat(emptyDirMountedAt(c, stateDir)).as("state.dir " + stateDir + " is a mounted emptyDir").isTrue();
        assertThat(mount(c, "models").getMountPath()).isEqualTo(s.modelsDir().toString());
        assertThat(mount(c, "models").getReadOnly()).isTrue();
        String nativePath = DeployFiles.systemProperties(env.get("JAVA_TOOL_OPTIONS")).get("onnxruntime.native.path");
        assertThat(DockerfileTest.copiedTargets("Dockerfile.gpu")).contains(nativePath + "/");
        for (Container any : concat(pod().getContainers(), pod().getInitContainers())) {
            for (VolumeMount m : any.getVolumeMounts()) {
                assertThat(volume(m.getName())).as("volume " + m.getName() + " of " + any.getName()).isNotNull();
            }
        }
    }

    @Test
    void shouldVerifyOrSynthesizeTheModelBeforeTheProcessorStarts() {
        Settings s = effectiveSettings();
        Container init = pod().getInitContainers().stream().filter(c -> c.getName().equals("ensure-model"))
                .findFirst().orElseThrow();
        assertThat(init.getImage()).isEqualTo(container().getImage());
        assertThat(init.getCommand()).containsExactly("/app/bin/ensure-model");
        assertThat(DockerfileTest.copiedTargets("Dockerfile.gpu")).contains("/app/bin/ensure-model");
        assertThat(mount(init, "models").getMountPath()).isEqualTo(s.modelsDir().toString());
        assertThat(mount(init, "models").getReadOnly()).as("the init container writes the model").isNotEqualTo(true);
        Map<String, String> initEnv = environment(init);
        assertThat(initEnv.get("TAGSTREAM_MODEL_DEFAULT")).isEqualTo(s.defaultModel());
        Volume models = volume("models");
        String claim = models.getPersistentVolumeClaim().getClaimName();
        PersistentVolumeClaim pvc = one(PersistentVolumeClaim.class);
        assertThat(pvc.getMetadata().getName()).isEqualTo(claim);
        assertThat(pvc.getSpec().getAccessModes()).as("replicas on several nodes share it").contains("ReadWriteMany");
    }

    @Test
    void shouldReferenceSecretKeysThatTheExampleSecretsDefine() {
        Map<String, Set<String>> secretKeys = new HashMap<>();
        for (Secret s : models(Secret.class)) {
            secretKeys.put(s.getMetadata().getName(), s.getStringData().keySet());
        }
        for (Container c : concat(pod().getContainers(), pod().getInitContainers())) {
            for (EnvVar e : c.getEnv()) {
                if (e.getValueFrom() != null) {
                    var ref = e.getValueFrom().getSecretKeyRef();
                    assertThat(secretKeys.get(ref.getName())).as("Secret " + ref.getName()).contains(ref.getKey());
                }
            }
        }
        assertThat(environment(container())).containsKeys("KAFKA_SASL_JAAS_CONFIG", "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO");
        for (TriggerAuthentication t : models(TriggerAuthentication.class)) {
            t.spec().secretTargetRef().forEach(r -> assertThat(secretKeys.get(r.name())).as("Secret " + r.name())
                    .contains(r.key()));
        }
    }

    @Test
    void shouldSelectThePodsFromServicePdbAndServiceMonitor() {
        Map<String, String> podLabels = deployment().getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels).containsAllEntriesOf(deployment().getSpec().getSelector().getMatchLabels());
        Service service = one(Service.class);
        assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(service.getSpec().getPorts()).allSatisfy(p -> assertThat(p.getTargetPort().getStrVal())
                .isIn(container().getPorts().stream().map(ContainerPort::getName).toList()));
        PodDisruptionBudget pdb = one(PodDisruptionBudget.class);
        assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        assertThat(pdb.getSpec().getMaxUnavailable()).isNotNull();
        ServiceMonitor sm = one(ServiceMonitor.class);
        assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(sm.spec().selector().getMatchLabels());
        assertThat(sm.spec().endpoints()).allSatisfy(e -> assertThat(e.port())
                .isIn(service.getSpec().getPorts().stream().map(p -> p.getName()).toList()));
    }

    @Test
    void shouldScaleOnTheLagOfTheStreamsGroupUpToOneReplicaPerPartition() {
        Settings s = effectiveSettings();
        ScaledObject so = one(ScaledObject.class);
        assertThat(so.spec().scaleTargetRef().name()).isEqualTo(deployment().getMetadata().getName());
        assertThat(so.spec().triggers()).hasSize(1);
        var trigger = so.spec().triggers().get(0);
        assertThat(trigger.type()).isEqualTo("kafka");
        assertThat(trigger.metadata()).containsEntry("consumerGroup", s.kafkaProperties().get("application.id"))
                .containsEntry("topic", s.inputTopic())
                .containsEntry("bootstrapServers", s.kafkaProperties().get("bootstrap.servers"))
                .containsEntry("allowIdleConsumers", "false");
        assertThat(Integer.parseInt(trigger.metadata().get("lagThreshold"))).isPositive();
        int partitions = Integer.parseInt(so.metadata().getAnnotations().get("tagstream.dev/input-partitions"));
        assertThat(so.spec().maxReplicaCount()).as("replicas beyond the partition count idle").isEqualTo(partitions);
        assertThat(so.spec().minReplicaCount()).isBetween(1, partitions);
        assertThat(models(TriggerAuthentication.class)).extracting(t -> t.metadata().getName())
                .contains(trigger.authenticationRef().name());
    }

    private static boolean emptyDirMountedAt(Container c, String path) {
        return c.getVolumeMounts().stream().anyMatch(m -> (path + "/").startsWith(m.getMountPath() + "/")
                && volume(m.getName()) != null && volume(m.getName()).getEmptyDir() != null);
    }

    private static VolumeMount mount(Container c, String volumeName) {
        return c.getVolumeMounts().stream().filter(m -> m.getName().equals(volumeName)).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " does not mount " + volumeName));
    }

    private static Volume volume(String name) {
        return pod().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst().orElse(null);
    }

    private static List<Container> concat(List<Container> a, List<Container> b) {
        List<Container> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
