package dev.changesetsyncer.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/grafana-dashboard.json is a dashboard Grafana can import, on metrics the operations guide lists. */
class GrafanaDashboardTest {
    private static final Pattern METRIC = Pattern.compile("\\b(syncer_[a-z_]+|hikaricp_[a-z_]+|jvm_[a-z_]+)");

    @Test
    void everyPanelQueriesPrometheusForMetricsTheOperationsGuideLists() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(Path.of("docs/grafana-dashboard.json")));
        String operations = Files.readString(Path.of("docs/operations.md"));

        assertThat(dashboard.get("title").asText()).isEqualTo("changeset-syncer");
        assertThat(dashboard.get("schemaVersion").asInt()).isPositive();
        Set<String> titles = new TreeSet<>();
        Set<String> metrics = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(panel.get("gridPos")).as(panel.toString()).isNotNull();
            titles.add(panel.get("title").asText());
            if (panel.get("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                Matcher m = METRIC.matcher(target.get("expr").asText());
                while (m.find()) {
                    metrics.add(m.group(1).replaceFirst("_(bucket|sum|count)$", ""));
                }
            }
        }
        assertThat(titles).contains("Syncs per second by outcome", "Oldest overdue (behind schedule)",
                "Sync duration (code host calls)", "Request → sync start", "Budget left (requests)");
        assertThat(metrics).contains("syncer_syncs_total", "syncer_oldest_overdue_seconds",
                "syncer_sync_duration_seconds", "syncer_budget_left");
        for (String metric : metrics) {
            String[] words = metric.split("_");
            String listed = metric.startsWith("syncer_") ? "`" + metric + "`" : words[0] + "_" + words[1]; // jvm_memory_*
            assertThat(operations).as(metric + " listed in docs/operations.md").contains(listed);
        }
    }
}
