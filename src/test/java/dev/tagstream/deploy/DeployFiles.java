package dev.tagstream.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tagstream.config.Settings;
import dev.tagstream.config.SettingsDef;
import dev.tagstream.config.SettingsLoader;
import dev.tagstream.ops.OpsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Shared plumbing of the deployment checks: where the files are, strict YAML, settings as the service reads them. */
final class DeployFiles {
    /** Maven runs tests in the project directory. */
    static final Path ROOT = Path.of("").toAbsolutePath();

    private DeployFiles() {}

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Jackson as strict as the Kubernetes API server: unknown properties fail (for classes without an any-setter;
     * fabric8's models have one, see {@link #unknownFields}), and no scalar is coerced into another type, so
     * {@code value: 9400} where a string is wanted, or {@code port: "9400"} where a number is, fail as they would on
     * {@code kubectl apply}.
     */
    static YAMLMapper strictMapper() {
        YAMLMapper m = YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        Map<LogicalType, List<CoercionInputShape>> refused = Map.of(
                LogicalType.Textual, List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                        CoercionInputShape.Boolean),
                LogicalType.Integer, List.of(CoercionInputShape.String, CoercionInputShape.EmptyString,
                        CoercionInputShape.Float, CoercionInputShape.Boolean),
                LogicalType.Float, List.of(CoercionInputShape.String, CoercionInputShape.EmptyString,
                        CoercionInputShape.Boolean),
                LogicalType.Boolean, List.of(CoercionInputShape.String, CoercionInputShape.EmptyString,
                        CoercionInputShape.Integer));
        refused.forEach((type, shapes) -> shapes.forEach(
                shape -> m.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail)));
        return m;
    }

    /** Every YAML document of a file, as trees (empty documents skipped). */
    static List<JsonNode> yamlDocuments(String text) {
        List<JsonNode> docs = new ArrayList<>();
        try (var it = strictMapper().readerFor(JsonNode.class).<JsonNode>readValues(text)) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    docs.add(n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return docs;
    }

    /** SnakeYAML, which resolves anchors and aliases (Compose files use them); no arbitrary types. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> snakeYaml(String text) {
        return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }

    /**
     * Fields a typed model accepted without knowing them. fabric8's Kubernetes models keep unknown properties in
     * {@code additionalProperties} instead of failing, so a typo such as {@code livenessProbes} would pass
     * {@code FAIL_ON_UNKNOWN_PROPERTIES} silently: this walks the whole object and reports each one by path.
     */
    static List<String> unknownFields(Object model) {
        List<String> out = new ArrayList<>();
        walk(model, "", out);
        return out;
    }

    private static void walk(Object o, String path, List<String> out) {
        if (o == null) {
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> walk(v, path + "." + k, out));
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                walk(e, path + "[" + i++ + "]", out);
            }
            return;
        }
        Class<?> c = o.getClass();
        if (c.isRecord()) {
            for (RecordComponent rc : c.getRecordComponents()) {
                walk(invoke(rc.getAccessor(), o), path + "." + rc.getName(), out);
            }
            return;
        }
        if (!c.getPackageName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method m : c.getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = m.getName();
            if (name.equals("getAdditionalProperties")) {
                Map<?, ?> extra = (Map<?, ?>) invoke(m, o);
                if (extra != null) {
                    extra.keySet().forEach(k -> out.add(path + "." + k));
                }
            } else if (name.startsWith("get") && name.length() > 3 && !name.equals("getClass")) {
                String field = Character.toLowerCase(name.charAt(3)) + name.substring(4);
                walk(invoke(m, o), path + "." + field, out);
            }
        }
    }

    private static Object invoke(Method m, Object target) {
        try {
            return m.invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + m + " of " + target.getClass(), e);
        }
    }

    /** Whether an environment variable name is one of ours ({@code TAGSTREAM_*}) and names a real setting. */
    static boolean isKnownTagstreamEnv(String name) {
        return SettingsDef.keys().stream().anyMatch(k -> SettingsLoader.envName(k).equals(name));
    }

    /** The settings a process would run with: a properties file (or none), then this environment. */
    static Settings settings(Path file, Map<String, String> env) {
        return SettingsLoader.load(file, env, List.of());
    }

    private static final Pattern SYS_PROP = Pattern.compile("-D([\\w.]+)=(\\S+)");

    /** {@code -Dname=value} system properties of a JAVA_TOOL_OPTIONS value. */
    static Map<String, String> systemProperties(String javaOptions) {
        Map<String, String> out = new TreeMap<>();
        Matcher m = SYS_PROP.matcher(javaOptions);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    /**
     * HTTP status of GET {@code path} on a real {@link OpsServer} (not ready): 404 means the service has no such
     * endpoint, which is what a probe or health check must never point at.
     */
    static int opsStatus(String path) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (OpsServer ops = OpsServer.start(0, registry, () -> new OpsServer.Readiness(false, "test"))) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + ops.port() + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            registry.close();
        }
    }

    /** Default metrics port, as declared in SettingsDef. */
    static int defaultMetricsPort() {
        return settings(null, Map.of()).metricsPort();
    }
}
