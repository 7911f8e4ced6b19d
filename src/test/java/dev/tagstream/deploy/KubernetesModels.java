package dev.tagstream.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Typed models for every kind under k8s/: fabric8's for the Kubernetes API, and strict records of ours for the
 * custom resources fabric8 has no model of (KEDA's ScaledObject and TriggerAuthentication, the Prometheus
 * Operator's ServiceMonitor) and for kustomization.yaml. The records cover the fields these files use and
 * nothing else: a field they do not declare fails the parse.
 */
final class KubernetesModels {
    private KubernetesModels() {}

    /** apiVersion/kind to the class that models it. */
    static final Map<String, Class<?>> KINDS = Map.of(
            "apps/v1/Deployment", Deployment.class,
            "v1/Service", Service.class,
            "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "keda.sh/v1alpha1/ScaledObject", ScaledObject.class,
            "keda.sh/v1alpha1/TriggerAuthentication", TriggerAuthentication.class,
            "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class,
            "kustomize.config.k8s.io/v1beta1/Kustomization", Kustomization.class);

    /** A parsed document: its typed model, and where it came from. */
    record Parsed(String source, Object model) {
        <T> T as(Class<T> type) {
            return type.cast(model);
        }
    }

    /** Thrown for a document that does not fit its model; names the file and the reason. */
    static final class InvalidManifestException extends RuntimeException {
        InvalidManifestException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Parses one document strictly: an unknown apiVersion/kind, an unknown field anywhere, or a value of the wrong
     * type is an {@link InvalidManifestException}.
     */
    static Parsed parse(String source, JsonNode doc) {
        String key = doc.path("apiVersion").asText("?") + "/" + doc.path("kind").asText("?");
        Class<?> type = KINDS.get(key);
        if (type == null) {
            throw new InvalidManifestException(source + ": no model for " + key + " (known: " + KINDS.keySet() + ")",
                    null);
        }
        Object model;
        try {
            model = DeployFiles.strictMapper().treeToValue(doc, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidManifestException(source + ": " + key + " does not parse: " + e.getMessage(), e);
        }
        List<String> unknown = DeployFiles.unknownFields(model);
        if (!unknown.isEmpty()) {
            throw new InvalidManifestException(source + ": " + key + " has fields Kubernetes does not know: " + unknown,
                    null);
        }
        return new Parsed(source, model);
    }

    static <T> T required(T value, String what) {
        return Objects.requireNonNull(value, what + " is required");
    }

    // --- KEDA 2.x (keda.sh/v1alpha1) ---------------------------------------------------------------------------

    record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, ScaledObjectSpec spec) {
        ScaledObject {
            required(metadata, "metadata");
            required(spec, "spec");
        }
    }

    record ScaledObjectSpec(ScaleTargetRef scaleTargetRef, Integer minReplicaCount, Integer maxReplicaCount,
            Integer idleReplicaCount, Integer pollingInterval, Integer cooldownPeriod, Advanced advanced,
            Fallback fallback, List<Trigger> triggers) {
        ScaledObjectSpec {
            required(scaleTargetRef, "spec.scaleTargetRef");
            required(triggers, "spec.triggers");
        }
    }

    record ScaleTargetRef(String apiVersion, String kind, String name, String envSourceContainerName) {
        ScaleTargetRef {
            required(name, "scaleTargetRef.name");
        }
    }

    record Advanced(Boolean restoreToOriginalReplicaCount, HpaConfig horizontalPodAutoscalerConfig) {}

    record HpaConfig(String name, io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior behavior) {}

    record Fallback(Integer failureThreshold, Integer replicas) {}

    record Trigger(String type, String name, String metricType, Boolean useCachedMetrics, Map<String, String> metadata,
            AuthenticationRef authenticationRef) {
        /** Metadata keys of KEDA's kafka scaler (keda.sh/docs/2.x/scalers/apache-kafka). */
        static final Set<String> KAFKA_METADATA = Set.of("bootstrapServers", "consumerGroup", "topic", "lagThreshold",
                "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers", "scaleToZeroOnInvalidOffset",
                "excludePersistentLag", "limitToPartitionsWithLag", "ensureEvenDistributionOfPartitions", "version",
                "partitionLimitation", "sasl", "tls", "unsafeSsl", "saslTokenProvider", "awsRegion");

        Trigger {
            required(type, "trigger.type");
            required(metadata, "trigger.metadata");
            if (type.equals("kafka")) {
                for (String k : metadata.keySet()) {
                    if (!KAFKA_METADATA.contains(k)) {
                        throw new IllegalArgumentException("kafka trigger has no metadata '" + k + "'");
                    }
                }
            }
        }
    }

    record AuthenticationRef(String name, String kind) {
        AuthenticationRef {
            required(name, "authenticationRef.name");
        }
    }

    record TriggerAuthentication(String apiVersion, String kind, ObjectMeta metadata, TriggerAuthSpec spec) {
        TriggerAuthentication {
            required(metadata, "metadata");
            required(spec, "spec");
        }
    }

    record TriggerAuthSpec(List<SecretTargetRef> secretTargetRef) {}

    record SecretTargetRef(String parameter, String name, String key) {
        /** Parameters the kafka scaler reads from a TriggerAuthentication. */
        static final Set<String> KAFKA_PARAMETERS = Set.of("sasl", "username", "password", "tls", "ca", "cert", "key",
                "keyPassword", "oauthTokenEndpointUri", "scopes", "oauthExtensions", "awsRegion", "awsAccessKeyID",
                "awsSecretAccessKey", "realm", "kerberosConfig", "keytab", "kerberosServiceName");

        SecretTargetRef {
            required(parameter, "secretTargetRef.parameter");
            required(name, "secretTargetRef.name");
            required(key, "secretTargetRef.key");
            if (!KAFKA_PARAMETERS.contains(parameter)) {
                throw new IllegalArgumentException("the kafka scaler reads no parameter '" + parameter + "'");
            }
        }
    }

    // --- Prometheus Operator (monitoring.coreos.com/v1) -------------------------------------------------------

    record ServiceMonitor(String apiVersion, String kind, ObjectMeta metadata, ServiceMonitorSpec spec) {
        ServiceMonitor {
            required(metadata, "metadata");
            required(spec, "spec");
        }
    }

    record ServiceMonitorSpec(LabelSelector selector, NamespaceSelector namespaceSelector, List<Endpoint> endpoints,
            String jobLabel) {
        ServiceMonitorSpec {
            required(selector, "spec.selector");
            required(endpoints, "spec.endpoints");
        }
    }

    record NamespaceSelector(Boolean any, List<String> matchNames) {}

    record Endpoint(String port, String path, String interval, String scrapeTimeout, String scheme) {
        Endpoint {
            required(port, "endpoint.port");
        }
    }

    // --- kustomize ---------------------------------------------------------------------------------------------

    record Kustomization(String apiVersion, String kind, String namespace, List<Label> labels, List<String> resources,
            List<Generator> configMapGenerator, List<Generator> secretGenerator, List<Image> images) {
        Kustomization {
            required(resources, "resources");
        }
    }

    record Label(Map<String, String> pairs, Boolean includeSelectors, Boolean includeTemplates) {}

    record Generator(String name, String behavior, List<String> files, List<String> literals, List<String> envs) {
        Generator {
            required(name, "generator name");
        }
    }

    record Image(String name, String newName, String newTag, String digest) {
        Image {
            required(name, "image name");
        }
    }
}
