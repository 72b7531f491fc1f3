package dev.changesetsyncer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.changesetsyncer.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code simulate}: JSON Lines for scripts, a plot, and no database of anyone else's recreated. */
class SimulateCommandTest {
    static final String DATABASE = TestDatabases.createEmpty("freshness command");

    @AfterAll
    static void dropDatabase() {
        TestDatabases.drop(DATABASE);
    }

    record Run(int exitCode, String out, String err) {}

    static Run run(String... args) {
        var cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = cli.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void jsonLinesGiveEachStrategyAtEachWebhookShare(@TempDir Path dir)
            throws Exception {
        Path plot = dir.resolve("freshness.png");

        Run run = run("simulate", "--database-url", TestDatabases.urlOf(DATABASE), "--changesets", "300", "--days", "1",
                "--webhook-shares", "0,1", "--try", "long_finished:finished=3d", "--json", "--plot", plot.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : run.out().strip().split("\n")) {
            lines.add(new ObjectMapper().readTree(line));
        }
        assertThat(lines).hasSize(4 * 2);
        assertThat(lines).extracting(line -> line.get("strategy").asText()).containsOnly("every_2_min", "design",
                "defaults", "long_finished");
        assertThat(lines).allSatisfy(line -> {
            for (String field : List.of("webhook_share", "billable_calls_per_changeset_day",
                    "conditional_calls_per_changeset_day", "billable_calls_per_changeset_day_without_conditional_requests",
                    "staleness_p50_s", "staleness_p95_s", "staleness_p99_s")) {
                assertThat(line.has(field)).as(field).isTrue();
            }
            assertThat(line.get("webhook_share").asDouble()).isIn(0.0, 1.0);
            assertThat(line.get("by_class").get("active").has("staleness_p95_s")).isTrue();
            assertThat(line.get("billable_calls_per_changeset_day").asDouble())
                    .isLessThan(line.get("billable_calls_per_changeset_day_without_conditional_requests").asDouble());
        });
        assertThat(Files.readAllBytes(plot)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    @Test
    void refusesToRecreateADatabaseNotMeantForIt() {
        Run run = run("simulate", "--database-url", TestDatabases.urlOf("cs_someone_elses"), "--changesets", "10");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("drops and recreates its database").contains("'freshness'");
    }

    @Test
    void badOptionsAreNamed() {
        Run candidate = run("simulate", "--database-url", TestDatabases.urlOf(DATABASE), "--try", "nocolon");
        Run population = run("simulate", "--database-url", TestDatabases.urlOf(DATABASE), "--population", "active=2");
        Run share = run("simulate", "--database-url", TestDatabases.urlOf(DATABASE), "--webhook-shares", "1.5");

        assertThat(candidate.err()).contains("--try nocolon: write NAME:SETTING=VALUE");
        assertThat(population.err()).contains("--population: \"active=2\" is not KEY=VALUE with KEY one of")
                .contains("active-share");
        assertThat(share.err()).contains("a webhook share is between 0 and 1, got 1.5");
        assertThat(List.of(candidate, population, share)).allSatisfy(r -> assertThat(r.exitCode()).isEqualTo(2));
    }
}
