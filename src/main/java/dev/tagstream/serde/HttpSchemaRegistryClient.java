package dev.tagstream.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A Confluent Schema Registry REST client (http and https, basic auth, several URLs tried in turn).
 *
 * <p>Connection failures and 5xx answers are retried with exponential backoff, {@code maxRetries} times, then
 * {@link RegistryUnavailableException}. 4xx answers are final: {@link RegistryException} with the registry's error
 * code and message; a 401/403 says authentication failed and names the URL without its password. Ids and
 * registrations are cached for the client's lifetime; "latest" is not cached, since it can change.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final long MAX_BACKOFF_MS = 5_000;

    private final RegistryClientConfig config;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final Optional<String> authorization;
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
    private final Map<String, Map<Schema, Integer>> idBySubject = new ConcurrentHashMap<>();

    public HttpSchemaRegistryClient(RegistryClientConfig config) {
        if (config.isMock()) {
            throw new IllegalArgumentException("mock:// URLs are served by MockSchemaRegistry, not over HTTP");
        }
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(config.requestTimeout()).build();
        this.authorization = config.userInfo().map(ui -> "Basic "
                + Base64.getEncoder().encodeToString(
                        decodeUserInfo(ui).getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public int register(String subject, Schema schema) {
        Map<Schema, Integer> ids = idBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema),
                "registering a schema under subject '" + subject + "'");
        int id = answer.path("id").asInt(-1);
        if (id < 0) {
            throw new RegistryException("registry answered without an id when registering under subject '"
                    + subject + "'", 200, 0);
        }
        ids.put(schema, id);
        byId.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public int idOf(String subject, Schema schema) {
        Map<Schema, Integer> ids = idBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema),
                "looking up the schema's id under subject '" + subject + "'");
        int id = answer.path("id").asInt(-1);
        ids.put(schema, id);
        byId.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = byId.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("GET", "/schemas/ids/" + id, null, "fetching schema id " + id);
        Schema schema = parse(answer.path("schema").asText(), "schema id " + id);
        byId.putIfAbsent(id, schema);
        return schema;
    }

    @Override
    public RegisteredSchema latest(String subject) {
        JsonNode answer = send("GET", "/subjects/" + encode(subject) + "/versions/latest", null,
                "fetching the latest schema of subject '" + subject + "'");
        int id = answer.path("id").asInt(-1);
        Schema schema = parse(answer.path("schema").asText(), "subject '" + subject + "' latest");
        byId.putIfAbsent(id, schema);
        return new RegisteredSchema(id, answer.path("version").asInt(-1), schema);
    }

    @Override
    public List<String> subjects() {
        JsonNode answer = send("GET", "/subjects", null, "listing subjects");
        List<String> out = new ArrayList<>();
        answer.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    private String schemaBody(Schema schema) {
        ObjectNode body = json.createObjectNode();
        body.put("schema", schema.toString());
        return body.toString();
    }

    private Schema parse(String text, String what) {
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            throw new RegistryException("registry returned an unparsable Avro schema for " + what + ": "
                    + e.getMessage(), 200, 0);
        }
    }

    /** One logical request: every URL is tried, the whole round retried with backoff on transient failures. */
    private JsonNode send(String method, String path, String body, String what) {
        Exception last = null;
        String lastWhere = "";
        for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
            if (attempt > 0) {
                sleepBackoff(attempt);
            }
            for (URI base : config.urls()) {
                String where = RegistryClientConfig.redact(base);
                HttpRequest.Builder req = HttpRequest.newBuilder(resolve(base, path))
                        .timeout(config.requestTimeout())
                        .header("Accept", CONTENT_TYPE + ", application/json");
                authorization.ifPresent(a -> req.header("Authorization", a));
                if (body == null) {
                    req.method(method, HttpRequest.BodyPublishers.noBody());
                } else {
                    req.header("Content-Type", CONTENT_TYPE);
                    req.method(method, HttpRequest.BodyPublishers.ofString(body));
                }
                HttpResponse<String> response;
                try {
                    response = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                    last = e;
                    lastWhere = where;
                    continue;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryUnavailableException("interrupted while " + what + " at " + where, e);
                }
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return readJson(response.body(), what, where);
                }
                if (status == 401 || status == 403) {
                    throw new RegistryException("schema registry authentication failed (HTTP " + status + ") at "
                            + where + " while " + what + ": check " + RegistryClientConfig.USER_INFO, status, 0);
                }
                if (status >= 500 || status == 408 || status == 429) {
                    last = new IOException("HTTP " + status + ": " + errorMessage(response.body()));
                    lastWhere = where;
                    continue;
                }
                JsonNode err = readJsonQuietly(response.body());
                int code = err.path("error_code").asInt(0);
                String message = err.path("message").asText(response.body());
                throw new RegistryException("schema registry at " + where + " refused " + what + ": HTTP " + status
                        + (code != 0 ? " error " + code : "") + ": " + message, status, code);
            }
        }
        throw new RegistryUnavailableException("schema registry unavailable at " + lastWhere + " while " + what
                + " after " + (config.maxRetries() + 1) + " attempts: " + (last == null ? "?" : last.getMessage()),
                last);
    }

    private void sleepBackoff(int attempt) {
        long ms = Math.min(MAX_BACKOFF_MS, config.retryBackoff().toMillis() << Math.min(attempt - 1, 16));
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("interrupted while waiting to retry the schema registry", e);
        }
    }

    private static URI resolve(URI base, String path) {
        String b = base.toString();
        if (base.getRawUserInfo() != null) {
            b = RegistryClientConfig.redact(base);
        }
        return URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) + path : b + path);
    }

    private JsonNode readJson(String text, String what, String where) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new RegistryException("schema registry at " + where + " answered " + what
                    + " with something that is not JSON", 200, 0);
        }
    }

    private JsonNode readJsonQuietly(String text) {
        try {
            JsonNode n = json.readTree(text);
            return n == null ? json.createObjectNode() : n;
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    private String errorMessage(String body) {
        return readJsonQuietly(body).path("message").asText(body.length() > 200 ? body.substring(0, 200) : body);
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** User info taken from a URL is percent-encoded; from {@code basic.auth.user.info} it is not. */
    private static String decodeUserInfo(String userInfo) {
        return userInfo.contains("%") ? java.net.URLDecoder.decode(userInfo, StandardCharsets.UTF_8) : userInfo;
    }

}
