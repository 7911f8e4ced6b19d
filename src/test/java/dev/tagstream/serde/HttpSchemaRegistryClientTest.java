package dev.tagstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tagstream.avro.ImageEvent;
import dev.tagstream.avro.Prediction;
import dev.tagstream.embedded.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP client against the REST API as Confluent documents it: the embedded registry, and scripted answers. */
class HttpSchemaRegistryClientTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private HttpSchemaRegistryClient client(String url, Map<String, String> extra) {
        Map<String, Object> configs = new HashMap<>(extra);
        configs.put(RegistryClientConfig.URL, url);
        configs.putIfAbsent(RegistryClientConfig.RETRY_BACKOFF_MS, "1");
        return new HttpSchemaRegistryClient(RegistryClientConfig.from(configs));
    }

    /** A server that answers every request with what {@code answer} returns: status and JSON body. */
    private String scripted(Function<HttpExchange, Answer> answer) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            try (ex) {
                Answer a = answer.apply(ex);
                byte[] body = a.body.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
                ex.sendResponseHeaders(a.status, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        closeables.add(() -> server.stop(0));
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private record Answer(int status, String body) {}

    @Test
    void shouldRegisterFetchByIdAndReadLatestFromARealRestServer() throws IOException {
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(0);
        closeables.add(registry);
        HttpSchemaRegistryClient client = client(registry.url(), Map.of());

        int id = client.register("images-value", ImageEvent.getClassSchema());
        int again = client.register("images-value", ImageEvent.getClassSchema());
        int other = client.register("predictions-value", Prediction.getClassSchema());

        assertThat(again).isEqualTo(id);
        assertThat(other).isNotEqualTo(id);
        HttpSchemaRegistryClient fresh = client(registry.url(), Map.of());
        assertThat(fresh.schemaById(id)).isEqualTo(ImageEvent.getClassSchema());
        assertThat(fresh.latest("images-value").id()).isEqualTo(id);
        assertThat(fresh.latest("images-value").version()).isEqualTo(1);
        assertThat(fresh.idOf("images-value", ImageEvent.getClassSchema())).isEqualTo(id);
        assertThat(fresh.subjects()).containsExactly("images-value", "predictions-value");
    }

    @Test
    void shouldReportA404WithTheRegistrysErrorCode() throws IOException {
        String url = scripted(ex -> new Answer(404, "{\"error_code\":40403,\"message\":\"Schema 7 not found\"}"));
        assertThatThrownBy(() -> client(url, Map.of()).schemaById(7))
                .isInstanceOfSatisfying(RegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo(40403);
                })
                .hasMessageContaining("Schema 7 not found")
                .hasMessageContaining("fetching schema id 7");
    }

    @Test
    void shouldSayAuthenticationFailedAndNeverPrintThePassword() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        String url = scripted(ex -> {
            calls.incrementAndGet();
            return new Answer(401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
        });
        String withPassword = url.replace("http://", "http://alice:s3cret@");
        assertThatThrownBy(() -> client(withPassword, Map.of()).schemaById(1))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("authentication failed")
                .hasMessageContaining(url)
                .hasMessageNotContaining("s3cret");
        assertThat(calls).as("a 401 is final, not retried").hasValue(1);
    }

    @Test
    void shouldSendBasicAuthFromUserInfo() throws IOException {
        List<String> seen = new ArrayList<>();
        String url = scripted(ex -> {
            seen.add(ex.getRequestHeaders().getFirst("Authorization"));
            return new Answer(200, "{\"schema\":" + quote(ImageEvent.getClassSchema().toString()) + "}");
        });
        client(url, Map.of(RegistryClientConfig.CREDENTIALS_SOURCE, "USER_INFO",
                RegistryClientConfig.USER_INFO, "bob:pw")).schemaById(3);
        assertThat(seen).containsExactly("Basic Ym9iOnB3");
    }

    @Test
    void shouldRetryServerErrorsWithBackoffAndThenSucceed() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        String url = scripted(ex -> calls.incrementAndGet() <= 2
                ? new Answer(503, "{\"error_code\":50301,\"message\":\"busy\"}")
                : new Answer(200, "{\"schema\":" + quote(ImageEvent.getClassSchema().toString()) + "}"));
        assertThat(client(url, Map.of()).schemaById(5)).isEqualTo(ImageEvent.getClassSchema());
        assertThat(calls).hasValue(3);
    }

    @Test
    void shouldGiveUpOnPersistentServerErrorsAfterTheConfiguredRetries() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        String url = scripted(ex -> {
            calls.incrementAndGet();
            return new Answer(500, "{\"error_code\":50001,\"message\":\"store broken\"}");
        });
        assertThatThrownBy(() -> client(url, Map.of(RegistryClientConfig.MAX_RETRIES, "2")).schemaById(5))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageContaining("after 3 attempts")
                .hasMessageContaining("store broken");
        assertThat(calls).hasValue(3);
    }

    @Test
    void shouldReportAnUnreachableRegistryAsUnavailableNotAsABadRecord() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        assertThatThrownBy(() -> client(url, Map.of(RegistryClientConfig.MAX_RETRIES, "1")).schemaById(1))
                .isInstanceOf(RegistryUnavailableException.class)
                .hasMessageContaining("unavailable at " + url);
    }

    @Test
    void shouldRefuseAnUnknownUrlScheme() {
        assertThatThrownBy(() -> RegistryClientConfig.from(Map.of(RegistryClientConfig.URL, "ftp://x")))
                .hasMessageContaining("schema.registry.url")
                .hasMessageContaining("scheme must be http, https or mock");
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
