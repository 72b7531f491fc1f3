package dev.changesetsyncer.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.http.HttpSettings;
import dev.changesetsyncer.testing.TestDatabases;
import dev.changesetsyncer.worker.WorkerSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

        AtomicReference<String> metrics = new AtomicReference<>("");
        // the archiving comes a third of the way in (15 s); the run stops as soon as everything has happened, and
        // the 30 s after the archiving are room for a slow machine, not a figure the test expects
        String summary = new DemoRun(TestDatabases.urlOf(database), 500, 2, WorkerSettings.defaults("demo"),
                Optional.of(new DemoHttp(HttpSettings.onPort(0), false)), out)
                .run(Duration.ofSeconds(45), () -> {
                    String sofar = captured.toString(StandardCharsets.UTF_8);
                    boolean done = sofar.contains(">> all ") && sofar.contains(">> webhook ");
                    if (done) {
                        metrics.set(scrape(sofar)); // while the demo's server still runs
                    }
                    return done;
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
        assertThat(metrics.get()).as("the in-process replicas' syncs on the demo's /metrics, a series each")
                .containsPattern("syncer_syncs_total\\{[^}]*worker=\"demo-1\"[^}]*\\} [1-9]")
                .containsPattern("syncer_syncs_total\\{[^}]*worker=\"demo-2\"[^}]*\\} [1-9]");
    }

    /** The demo's {@code /metrics}, at the port its admin-page line printed. */
    static String scrape(String printed) {
        Matcher port = Pattern.compile("admin page: http://localhost:(\\d+)/").matcher(printed);
        assertThat(port.find()).as("the admin page's address").isTrue();
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.group(1) + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("the demo's /metrics did not answer", e);
        }
    }
}
