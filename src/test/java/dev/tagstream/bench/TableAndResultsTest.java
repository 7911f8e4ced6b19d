package dev.tagstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableAndResultsTest {
    @Test
    void markdownTableRightAlignsNumbers() {
        Table t = new Table("config", "records/s", "vs bare").row("batch 8", Table.num(12.345, 2),
                Table.ratio(0.8712));
        assertThat(t.markdown()).isEqualTo("| config | records/s | vs bare |\n|---|---:|---:|\n"
                + "| batch 8 | 12.35 | 0.87x |\n");
        assertThatThrownBy(() -> t.row("only one")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatsUnknownsAsDashAndVerdicts() {
        assertThat(Table.num(Double.NaN, 1)).isEqualTo("-");
        assertThat(Table.ratio(Double.POSITIVE_INFINITY)).isEqualTo("-");
        assertThat(Table.num(1.5, 0)).isEqualTo("2");
        assertThat(Table.verdict(true)).isEqualTo("PASS");
        assertThat(Table.verdict(false)).isEqualTo("FAIL");
        assertThat(Table.verdict(null)).isEqualTo("n/a");
    }

    @Test
    void resultsJsonHasTheDocumentedShape(@TempDir Path dir) throws Exception {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", 2);
        Results r = new Results("pipeline", machine, Map.of("seconds", 12.0));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("records_per_s", 10.5);
        row.put("e2e_ms_p99", Double.NaN);
        r.row(row).target("throughput vs bare", 0.9, ">= 0.85", true).target("unmeasured", Double.NaN, "x", null)
                .note("a note");
        Path f = r.write(dir.resolve("out"));
        JsonNode j = new ObjectMapper().readTree(Files.readString(f));
        assertThat(j.get("mode").asText()).isEqualTo("pipeline");
        assertThat(j.get("started").asText()).isNotEmpty();
        assertThat(j.get("machine").get("cores").asInt()).isEqualTo(2);
        assertThat(j.get("parameters").get("seconds").asDouble()).isEqualTo(12.0);
        assertThat(j.get("rows").get(0).get("records_per_s").asDouble()).isEqualTo(10.5);
        assertThat(j.get("rows").get(0).get("e2e_ms_p99").isNull()).as("NaN is written as null").isTrue();
        assertThat(j.get("targets").get(0).get("pass").asBoolean()).isTrue();
        assertThat(j.get("targets").get(1).get("pass").isNull()).isTrue();
        assertThat(j.get("targets").get(1).get("value").isNull()).isTrue();
        assertThat(j.get("notes").get(0).asText()).isEqualTo("a note");
    }

    @Test
    void machineFactsNameCoresJvmOsAndRuntime() {
        Map<String, Object> m = Machine.facts("cpu");
        assertThat(m).containsKeys("cores", "jvm", "os", "onnxruntime", "provider");
    }
}
