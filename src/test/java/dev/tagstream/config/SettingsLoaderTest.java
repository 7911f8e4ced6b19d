package dev.tagstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path f = dir.resolve("tagstream.properties");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void shouldApplyDefaultsWhenNothingIsSet() {
        Settings s = SettingsLoader.load(null, Map.of(), List.of());
        assertThat(s.batchMaxSize()).isEqualTo(16);
        assertThat(s.inputTopic()).isEqualTo("images");
        assertThat(s.providers()).containsExactly("cuda", "cpu");
        assertThat(s.kafkaProperties()).containsEntry("processing.guarantee", "at_least_once");
    }

    @Test
    void shouldLetEnvironmentOverrideFileAndCommandLineOverrideBoth() throws IOException {
        Path f = file("tagstream.batch.max-size=8\ntagstream.topk=3\ntagstream.input.topic=from-file\n"
                + "bootstrap.servers=file:9092\n");
        Map<String, String> env = Map.of("TAGSTREAM_BATCH_MAX_SIZE", "12", "TAGSTREAM_TOPK", "4",
                "KAFKA_BOOTSTRAP_SERVERS", "env:9092");

        Settings s = SettingsLoader.load(f, env, List.of("tagstream.topk=7"));

        assertThat(s.inputTopic()).as("file only").isEqualTo("from-file");
        assertThat(s.batchMaxSize()).as("env over file").isEqualTo(12);
        assertThat(s.topK()).as("--set over env").isEqualTo(7);
        assertThat(s.kafkaProperties()).containsEntry("bootstrap.servers", "env:9092");
    }

    @Test
    void shouldMapKafkaEnvironmentNamesAsConfluentImagesDo() {
        Map<String, String> m = SettingsLoader.fromEnvironment(Map.of(
                "KAFKA_SASL_JAAS_CONFIG", "x", "KAFKA_NUM_STREAM_THREADS", "2",
                "KAFKA_SOME__ODD___KEY", "y", "SCHEMA_REGISTRY_URL", "http://r:8081", "PATH", "/bin"));
        assertThat(m).containsOnly(Map.entry("sasl.jaas.config", "x"), Map.entry("num.stream.threads", "2"),
                Map.entry("some_odd-key", "y"), Map.entry("schema.registry.url", "http://r:8081"));
    }

    @Test
    void shouldRefuseABadValueNamingKeyValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of(), List.of("tagstream.batch.max-size=0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tagstream.batch.max-size")
                .hasMessageContaining("0")
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of("TAGSTREAM_MODELS_PROVIDERS", "cuda,rocm"),
                List.of()))
                .hasMessageContaining("tagstream.models.providers")
                .hasMessageContaining("rocm");
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of(), List.of("tagstream.topk=many")))
                .hasMessageContaining("tagstream.topk").hasMessageContaining("many");
    }

    @Test
    void shouldRefuseAnUnknownTagstreamKeySoTyposAreNotIgnored() {
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of(), List.of("tagstream.batch.max-sise=4")))
                .hasMessageContaining("tagstream.batch.max-sise").hasMessageContaining("unknown");
    }

    @Test
    void shouldRefuseAMalformedSetAndAMissingFile() {
        assertThatThrownBy(() -> SettingsLoader.load(null, Map.of(), List.of("novalue")))
                .hasMessageContaining("key=value");
        assertThatThrownBy(() -> SettingsLoader.load(dir.resolve("nope.properties"), Map.of(), List.of()))
                .hasMessageContaining("nope.properties");
    }

    @Test
    void shouldMaskSecretsInTheDescription() {
        Settings s = SettingsLoader.load(null, Map.of(), List.of(
                "sasl.jaas.config=org.apache.kafka...password=\"p\"", "basic.auth.user.info=u:Zq9pw",
                "ssl.truststore.password=Tr0ub4dor", "schema.registry.url=https://u:Zq9pw@reg:8081"));
        Map<String, String> d = s.describe();
        assertThat(d.get("sasl.jaas.config")).isEqualTo("[hidden]");
        assertThat(d.get("basic.auth.user.info")).isEqualTo("[hidden]");
        assertThat(d.get("ssl.truststore.password")).isEqualTo("[hidden]");
        assertThat(d.get("schema.registry.url")).isEqualTo("https://u:[hidden]@reg:8081");
        assertThat(d.toString()).doesNotContain("Zq9pw").doesNotContain("Tr0ub4dor");
        assertThat(d).containsEntry("tagstream.batch.max-size", "16");
    }

    @Test
    void shouldDeriveEnvironmentNamesFromKeys() {
        assertThat(SettingsLoader.envName("tagstream.batch.max-delay-ms")).isEqualTo("TAGSTREAM_BATCH_MAX_DELAY_MS");
    }
}
