package dev.tagstream.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code /metrics} (Prometheus text format), {@code /health/live} (the process answers) and {@code /health/ready}
 * (a readiness check: Kafka Streams running and the default model warm) on one port, for Kubernetes probes and
 * scrapers. 200 when healthy, 503 with the reason otherwise.
 */
public final class OpsServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    /** The answer of a readiness check: ready, or why not. */
    public record Readiness(boolean ready, String detail) {}

    private OpsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds all interfaces on {@code port} (0 picks a free one). */
    public static OpsServer start(int port, PrometheusMeterRegistry registry, Supplier<Readiness> readiness)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ops-http");
            t.setDaemon(true);
            return t;
        });
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape()));
        server.createContext("/health/live", ex -> respond(ex, 200, "text/plain", "live\n"));
        server.createContext("/health/ready", ex -> {
            Readiness r;
            try {
                r = readiness.get();
            } catch (RuntimeException e) {
                r = new Readiness(false, "readiness check failed: " + e);
            }
            respond(ex, r.ready() ? 200 : 503, "text/plain", (r.ready() ? "ready" : "not ready") + ": " + r.detail()
                    + "\n");
        });
        server.setExecutor(executor);
        server.start();
        return new OpsServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
