package dev.changesetsyncer.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.http.HttpSettings;
import dev.changesetsyncer.testing.TestDatabases;
import dev.changesetsyncer.worker.WorkerSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The demo runs end to end on an empty database and reports what happened, the archiving found by a repository sync included. */
class DemoRunTest {
    String database;

    @BeforeEach
    void emptyDatabase() {
        database = TestDatabases.createEmpty("demo");
    }

    @AfterEach
    void dropIt() {
        TestDatabases.drop(database);
    }

    @Test
    void aShortDemoSyncsServesRequestsAndStopsCleanly() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

        // the archiving comes a third of the way in (5 s); the run stops as soon as everything has happened
        String summary = new DemoRun(TestDatabases.urlOf(database), 500, 2, WorkerSettings.defaults("demo"),
                Optional.of(new DemoHttp(HttpSettings.onPort(0), false)), out)
                .run(Duration.ofSeconds(15), () -> {
                    String sofar = captured.toString(StandardCharsets.UTF_8);
                    return sofar.contains(">> all ") && sofar.contains(">> webhook ");
                });

        String printed = captured.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("500 changesets in 5 repositories").contains("syncs/s")
                .contains(">> archived demo/repo-1 on the simulated code host")
                .containsPattern(">> a repository sync found demo/repo-1 archived [0-9.]+ s later: the flip asked for a bulk "
                        + "sync of its 100 changesets")
                .containsPattern(">> all 100 changesets of demo/repo-1 synced since: read-only")
                .contains("webhooks: POST http://localhost:")
                .contains("admin page: http://localhost:", "(user admin, password ")
                .containsPattern(">> webhook pull_request\\.synchronize for demo/repo-\\d+#\\d+ \\(GitHub's format, signed\\) "
                        + "answered 200: it was due in");
        assertThat(printed.lines().filter(line -> line.startsWith("["))).hasSizeGreaterThanOrEqualTo(3);
        assertThat(summary).startsWith("demo finished: ").contains("0 overlapping syncs of one changeset, 0 of one repository")
                .containsPattern("and \\d+ repository syncs").containsPattern("webhooks: [1-9] stored");
        assertThat(Long.parseLong(summary.replaceAll("demo finished: (\\d+) syncs.*", "$1"))).isGreaterThanOrEqualTo(500);
    }
}
