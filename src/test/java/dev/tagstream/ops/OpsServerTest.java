package dev.tagstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tagstream.batch.DrainControl;
import dev.tagstream.topology.DeadLetterReason;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OpsServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(OpsServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServePipelineMetricsInPrometheusFormatAndHealthOverHttp() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DrainControl drain = new DrainControl();
        PipelineMetrics metrics = new PipelineMetrics(registry, drain);
        AtomicBoolean ready = new AtomicBoolean();
        try (OpsServer server = OpsServer.start(0, registry,
                () -> new OpsServer.Readiness(ready.get(), ready.get() ? "streams RUNNING" : "streams REBALANCING"))) {
            metrics.received();
            metrics.received();
            metrics.predicted("resnet50_swsl", 8, 12.0, 3.0, 40.0, 1_000, 1_500);
            metrics.deadLettered(DeadLetterReason.IMAGE_UNDECODABLE, "resnet50_swsl");
            drain.pendingChanged(3);

            HttpResponse<String> scrape = get(server, "/metrics");
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body())
                    .contains("tagstream_records_received_total 2.0")
                    .contains("tagstream_records_predicted_total{model=\"resnet50_swsl\"} 1.0")
                    .contains("tagstream_records_dead_lettered_total{model=\"resnet50_swsl\",reason=\"IMAGE_UNDECODABLE\"} 1.0")
                    .contains("tagstream_records_pending 3.0")
                    .contains("tagstream_batch_size_count{model=\"resnet50_swsl\"} 1")
                    .contains("tagstream_end_to_end_seconds_sum{model=\"resnet50_swsl\"} 0.5");

            assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> notReady = get(server, "/health/ready");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("REBALANCING");
            ready.set(true);
            assertThat(get(server, "/health/ready").statusCode()).isEqualTo(200);
        }
    }
}
