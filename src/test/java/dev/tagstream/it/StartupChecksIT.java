package dev.tagstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tagstream.config.Settings;
import dev.tagstream.config.SettingsLoader;
import dev.tagstream.embedded.EmbeddedKafka;
import dev.tagstream.ops.StartupChecks;
import dev.tagstream.ops.StartupException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@code tagstream run} checks about topics, against a real broker. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StartupChecksIT {
    @Test
    void shouldRequireTheInputTopicAndCreateOrRequireTheOthers() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(2 << 20, Map.of());
                Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Settings creating = SettingsLoader.load(null, Map.of(), List.of(
                    "bootstrap.servers=" + kafka.bootstrapServers(), "tagstream.startup.timeout-ms=10000",
                    "tagstream.topics.partitions=3", "tagstream.topics.replication-factor=1"));

            assertThatThrownBy(() -> new StartupChecks(creating).brokersAndTopics(admin))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("input topic 'images' does not exist")
                    .hasMessageContaining("tagstream.input.topic");

            admin.createTopics(List.of(new NewTopic("images", 2, (short) 1))).all().get();
            Settings strict = SettingsLoader.load(null, Map.of(), List.of(
                    "bootstrap.servers=" + kafka.bootstrapServers(), "tagstream.topics.create=false"));
            assertThatThrownBy(() -> new StartupChecks(strict).brokersAndTopics(admin))
                    .hasMessageContaining("[predictions, images-dlq] do not exist")
                    .hasMessageContaining("tagstream.topics.create=false");

            new StartupChecks(creating).brokersAndTopics(admin);

            var created = admin.describeTopics(List.of("predictions", "images-dlq")).allTopicNames().get();
            assertThat(created.get("predictions").partitions()).hasSize(3);
            assertThat(created.get("images-dlq").partitions()).hasSize(3);
        }
    }
}
