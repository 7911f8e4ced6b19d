package dev.tagstream.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;

/**
 * Builds {@link Settings} from three layers, later ones winning: a properties file, the environment, then
 * {@code --set key=value} arguments. The environment comes in as a {@code Map}, so tests never touch the real one.
 *
 * <p>Environment names: a tagstream key upper-cased with dots and dashes as underscores
 * ({@code TAGSTREAM_BATCH_MAX_SIZE} for {@code tagstream.batch.max-size}); {@code KAFKA_*} for Kafka properties as
 * Confluent's images map them ({@code _} is a dot, {@code __} an underscore, {@code ___} a dash:
 * {@code KAFKA_BOOTSTRAP_SERVERS}); {@code SCHEMA_REGISTRY_URL}, {@code SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO} and
 * {@code SCHEMA_REGISTRY_BASIC_AUTH_CREDENTIALS_SOURCE} for the registry. Other variables are ignored.
 */
public final class SettingsLoader {
    /** Defaults for pass-through properties a newcomer would otherwise have to set. */
    static final Map<String, String> KAFKA_DEFAULTS = Map.of(
            "application.id", "tagstream",
            "bootstrap.servers", "localhost:9092",
            "schema.registry.url", "http://localhost:8081",
            "processing.guarantee", "at_least_once");

    private static final Map<String, String> REGISTRY_ENV = Map.of(
            "SCHEMA_REGISTRY_URL", "schema.registry.url",
            "SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "basic.auth.user.info",
            "SCHEMA_REGISTRY_BASIC_AUTH_CREDENTIALS_SOURCE", "basic.auth.credentials.source");

    private SettingsLoader() {}

    /**
     * @param file properties file, or null for none; a named file that does not exist is an error
     * @param env the process environment (or a test's map)
     * @param sets {@code key=value} overrides from the command line
     * @throws ConfigException naming the key, the value and what is allowed
     */
    public static Settings load(Path file, Map<String, String> env, List<String> sets) {
        Map<String, String> merged = new LinkedHashMap<>(KAFKA_DEFAULTS);
        if (file != null) {
            merged.putAll(readFile(file));
        }
        merged.putAll(fromEnvironment(env));
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set expects key=value, got '" + set + "'");
            }
            merged.put(set.substring(0, eq).trim(), set.substring(eq + 1).trim());
        }
        return new Settings(merged);
    }

    static Map<String, String> readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file + " does not exist or is not a file");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k.trim(), p.getProperty(k).trim()));
        return out;
    }

    /** The settings the environment carries, as config keys. */
    public static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> ourKeysByEnv = new LinkedHashMap<>();
        for (String key : SettingsDef.keys()) {
            ourKeysByEnv.put(envName(key), key);
        }
        env.forEach((name, value) -> {
            if (ourKeysByEnv.containsKey(name)) {
                out.put(ourKeysByEnv.get(name), value);
            } else if (REGISTRY_ENV.containsKey(name)) {
                out.put(REGISTRY_ENV.get(name), value);
            } else if (name.startsWith("KAFKA_") && name.length() > "KAFKA_".length()) {
                out.put(kafkaKey(name.substring("KAFKA_".length())), value);
            }
        });
        return out;
    }

    /** {@code tagstream.batch.max-size} to {@code TAGSTREAM_BATCH_MAX_SIZE}. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** {@code BOOTSTRAP_SERVERS} to {@code bootstrap.servers}; {@code ___} is a dash, {@code __} an underscore. */
    static String kafkaKey(String envSuffix) {
        return envSuffix.toLowerCase(Locale.ROOT)
                .replace("___", "\u0001").replace("__", "\u0002").replace('_', '.')
                .replace('\u0001', '-').replace('\u0002', '_');
    }
}
