package dev.tagstream.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tagstream.serde.InMemorySchemaRegistry;
import dev.tagstream.serde.RegistryException;
import dev.tagstream.serde.SchemaRegistryClient.RegisteredSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A schema registry on loopback that answers the part of the Confluent REST API that this product and common
 * clients use: register ({@code POST /subjects/S/versions}), look up ({@code POST /subjects/S}), schema by id,
 * a subject's versions and latest, list subjects. Avro only; no compatibility checks. For the demo and tests.
 *
 * <p>{@link #stop()} closes the HTTP port and keeps the store; {@link #restart()} serves the same store on the same
 * port again, as a registry restarted on its persistent backing store would (an outage, for reliability tests).
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final Pattern VERSIONS = Pattern.compile("^/subjects/([^/]+)/versions/?$");
    private static final Pattern VERSION = Pattern.compile("^/subjects/([^/]+)/versions/([^/]+)/?$");
    private static final Pattern SUBJECT = Pattern.compile("^/subjects/([^/]+)/?$");
    private static final Pattern BY_ID = Pattern.compile("^/schemas/ids/(\\d+)(/schema)?/?$");

    private final InMemorySchemaRegistry store;
    private final ObjectMapper json = new ObjectMapper();
    private final String url;
    private final int port;
    private HttpServer server;
    private ExecutorService executor;

    private EmbeddedSchemaRegistry(InMemorySchemaRegistry store, int requestedPort) throws IOException {
        this.store = store;
        serve(requestedPort);
        this.port = server.getAddress().getPort();
        this.url = "http://" + server.getAddress().getHostString() + ":" + port;
    }

    /** Starts on a free loopback port (or {@code port} when it is not 0). */
    public static EmbeddedSchemaRegistry start(int port) throws IOException {
        return new EmbeddedSchemaRegistry(new InMemorySchemaRegistry(), port);
    }

    private void serve(int onPort) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 0);
        ExecutorService e = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "schema-registry-http");
            t.setDaemon(true);
            return t;
        });
        s.createContext("/", this::handle);
        s.setExecutor(e);
        s.start();
        this.server = s;
        this.executor = e;
    }

    /** The same URL for the registry's whole life, across {@link #stop()} and {@link #restart()}. */
    public String url() {
        return url;
    }

    /** True unless {@link #stop()} or {@link #close()} closed the port. */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Closes the port (connections are refused) and keeps the store. Does nothing if stopped. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
        server = null;
        executor = null;
    }

    /** Serves the same store on the same port again. Does nothing if running. */
    public synchronized void restart() throws IOException {
        if (server == null) {
            serve(port);
        }
    }

    /** The store behind the HTTP API, for in-process inspection. */
    public InMemorySchemaRegistry store() {
        return store;
    }

    @Override
    public void close() {
        stop();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            try {
                route(exchange, method, path);
            } catch (RegistryException e) {
                error(exchange, e.httpStatus() == 0 ? 404 : e.httpStatus(), e.errorCode(), e.getMessage());
            } catch (SchemaParseException | IllegalArgumentException e) {
                error(exchange, 422, 42201, "Invalid schema: " + e.getMessage());
            }
        }
    }

    private void route(HttpExchange ex, String method, String path) throws IOException {
        Matcher m;
        if (path.equals("/subjects") || path.equals("/subjects/")) {
            ArrayNode subjects = json.createArrayNode();
            store.subjects().forEach(subjects::add);
            send(ex, 200, subjects);
        } else if ((m = BY_ID.matcher(path)).matches()) {
            Schema schema = store.schemaById(Integer.parseInt(m.group(1)));
            if (m.group(2) != null) {
                send(ex, 200, json.readTree(schema.toString()));
            } else {
                send(ex, 200, json.createObjectNode().put("schema", schema.toString()));
            }
        } else if ((m = VERSIONS.matcher(path)).matches() && method.equals("POST")) {
            int id = store.register(decode(m.group(1)), readSchema(ex));
            send(ex, 200, json.createObjectNode().put("id", id));
        } else if (m.matches() && method.equals("GET")) {
            String subject = decode(m.group(1));
            RegisteredSchema latest = store.latest(subject);
            ArrayNode versions = json.createArrayNode();
            for (int v = 1; v <= latest.version(); v++) {
                versions.add(v);
            }
            send(ex, 200, versions);
        } else if ((m = VERSION.matcher(path)).matches() && method.equals("GET")) {
            String subject = decode(m.group(1));
            String v = m.group(2);
            RegisteredSchema s = store.version(subject, v.equals("latest") ? -1 : Integer.parseInt(v));
            send(ex, 200, describe(subject, s));
        } else if ((m = SUBJECT.matcher(path)).matches() && method.equals("POST")) {
            String subject = decode(m.group(1));
            Schema schema = readSchema(ex);
            int id = store.idOf(subject, schema);
            send(ex, 200, describe(subject, new RegisteredSchema(id, store.versionOf(subject, id), schema)));
        } else {
            error(ex, 404, 404, "HTTP 404 Not Found: " + method + " " + path);
        }
    }

    private ObjectNode describe(String subject, RegisteredSchema s) {
        return json.createObjectNode().put("subject", subject).put("id", s.id()).put("version", s.version())
                .put("schema", s.schema().toString());
    }

    private Schema readSchema(HttpExchange ex) throws IOException {
        JsonNode body;
        try (InputStream in = ex.getRequestBody()) {
            body = json.readTree(in);
        }
        if (body == null || !body.path("schema").isTextual()) {
            throw new IllegalArgumentException("request body needs a 'schema' string");
        }
        String type = body.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw new IllegalArgumentException("only AVRO schemas are supported, not " + type);
        }
        return new Schema.Parser().parse(body.path("schema").asText());
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private void error(HttpExchange ex, int status, int code, String message) throws IOException {
        send(ex, status, json.createObjectNode().put("error_code", code).put("message", message));
    }

    private void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
