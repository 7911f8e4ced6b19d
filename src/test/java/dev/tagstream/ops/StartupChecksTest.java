package dev.tagstream.ops;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tagstream.config.Settings;
import dev.tagstream.config.SettingsLoader;
import dev.tagstream.serde.SchemaRegistryClients;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/** Start-up against services that are not there: a clear one-line error within the timeout, not a hang. */
class StartupChecksTest {
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void shouldNameTheBrokersAndTheFixWhenKafkaIsUnreachable() throws Exception {
        String bootstrap = "127.0.0.1:" + closedPort();
        Settings settings = SettingsLoader.load(null, Map.of(), List.of("bootstrap.servers=" + bootstrap,
                "tagstream.startup.timeout-ms=1500"));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap,
                "request.timeout.ms", "1000", "default.api.timeout.ms", "1500"))) {
            assertThatThrownBy(() -> new StartupChecks(settings).brokersAndTopics(admin))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("cannot reach Kafka at " + bootstrap)
                    .hasMessageContaining("bootstrap.servers");
        }
    }

    @Test
    void shouldNameTheRegistryUrlWhenTheRegistryIsUnreachable() throws Exception {
        String url = "http://127.0.0.1:" + closedPort();
        Settings settings = SettingsLoader.load(null, Map.of(), List.of("schema.registry.url=" + url,
                "schema.registry.max.retries=1", "schema.registry.retry.backoff.ms=10"));
        assertThatThrownBy(() -> new StartupChecks(settings).registry(
                SchemaRegistryClients.create(settings.kafkaProperties())))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("schema registry is not reachable")
                .hasMessageContaining(url)
                .hasMessageContaining("schema.registry.url");
    }
}
