package dev.tagstream.serde;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * Registry client settings under the names Confluent's serde uses, so a user's existing client config works:
 * {@code schema.registry.url} (comma-separated, {@code mock://SCOPE} for the in-process registry),
 * {@code basic.auth.credentials.source} ({@code USER_INFO} or {@code URL}), {@code basic.auth.user.info}
 * ({@code user:password}), plus retry settings of ours.
 */
public record RegistryClientConfig(
        List<URI> urls,
        Optional<String> userInfo,
        int maxRetries,
        Duration retryBackoff,
        Duration requestTimeout) {

    public static final String URL = "schema.registry.url";
    public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    public static final String USER_INFO = "basic.auth.user.info";
    public static final String MAX_RETRIES = "schema.registry.max.retries";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    public static final String REQUEST_TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String MOCK_SCHEME = "mock";

    public RegistryClientConfig {
        urls = List.copyOf(urls);
        if (urls.isEmpty()) {
            throw new ConfigException(URL, "", "at least one registry URL is required");
        }
    }

    /** Reads the settings from a Kafka-style config map; throws {@link ConfigException} naming the bad key. */
    public static RegistryClientConfig from(Map<String, ?> configs) {
        Object raw = configs.get(URL);
        if (raw == null || raw.toString().isBlank()) {
            throw new ConfigException(URL, raw, "required: the schema registry URL, e.g. http://localhost:8081 or mock://test");
        }
        List<URI> urls = new ArrayList<>();
        for (String s : raw.toString().split(",")) {
            String trimmed = s.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = URI.create(trimmed);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(URL, trimmed, "not a URL: " + e.getMessage());
            }
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https") || scheme.equals(MOCK_SCHEME))) {
                throw new ConfigException(URL, redact(uri), "scheme must be http, https or mock");
            }
            urls.add(uri);
        }
        Object rawSource = configs.get(CREDENTIALS_SOURCE);
        String source = rawSource == null ? "URL" : rawSource.toString().trim();
        Optional<String> userInfo;
        switch (source) {
            case "USER_INFO" -> {
                Object ui = configs.get(USER_INFO);
                if (ui == null || !ui.toString().contains(":")) {
                    throw new ConfigException(USER_INFO, "[hidden]", "required as user:password when "
                            + CREDENTIALS_SOURCE + "=USER_INFO");
                }
                userInfo = Optional.of(ui.toString());
            }
            case "URL" -> userInfo = Optional.ofNullable(urls.get(0).getRawUserInfo());
            default -> throw new ConfigException(CREDENTIALS_SOURCE, source, "allowed: USER_INFO, URL");
        }
        return new RegistryClientConfig(
                urls,
                userInfo,
                intValue(configs, MAX_RETRIES, 3, 0),
                Duration.ofMillis(intValue(configs, RETRY_BACKOFF_MS, 200, 0)),
                Duration.ofMillis(intValue(configs, REQUEST_TIMEOUT_MS, 10_000, 1)));
    }

    public boolean isMock() {
        return urls.get(0).getScheme().equals(MOCK_SCHEME);
    }

    /** The URL as it may appear in a log or an error: no user info, so no password. */
    public static String redact(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri.toString();
        }
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static int intValue(Map<String, ?> configs, String key, int defaultValue, int min) {
        Object v = configs.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(v.toString().trim());
            if (parsed < min) {
                throw new ConfigException(key, v, "must be at least " + min);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "must be a whole number");
        }
    }
}
