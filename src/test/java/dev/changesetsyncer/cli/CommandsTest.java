package dev.changesetsyncer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.SchemaFingerprint;
import dev.changesetsyncer.testing.TestDatabase;
import dev.changesetsyncer.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** The commands people type: what they print, and a clear one-line error (exit 2) for bad input. */
@ExtendWith(PostgresExtension.class)
class CommandsTest {
    final TestDatabase database;
    final Catalog catalog;

    CommandsTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
    }

    record Run(int exitCode, String out, String err) {}

    Run run(String... args) {
        return runOn(database.url(), args);
    }

    Run runOn(String databaseUrl, String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            String[] withDatabase = Stream.concat(Stream.of(args), Stream.of("--database-url", databaseUrl))
                    .toArray(String[]::new);
            int code = cli.execute(withDatabase);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void requestAsksForASyncOfAChangesetOrAWholeRepository() {
        CodeHost host = catalog.host();
        var repo = catalog.repo(host);
        List<Long> ids = catalog.changesets(repo, 3);

        Run one = run("request", "--changeset", ids.getFirst().toString(), "--reason", "customer escalation");
        Run all = run("request", "--repo", repo.name(), "--reason", "after outage", "--urgent");

        assertThat(one.exitCode()).isZero();
        assertThat(one.out()).contains("requested 1 immediate sync");
        assertThat(all.out()).contains("requested 3 urgent syncs");
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE priority = 2")).isEqualTo(3);
    }

    @Test
    void requestingAnUnknownChangesetOrRepositoryIsAClearError() {
        Run changeset = run("request", "--changeset", "987654", "--reason", "typo");
        Run repository = run("request", "--repo", "nobody/nothing", "--reason", "typo");

        assertThat(changeset.exitCode()).isEqualTo(2);
        assertThat(changeset.err()).contains("no such changeset").contains("(changeset_id)=(987654)");
        assertThat(repository.exitCode()).isEqualTo(2);
        assertThat(repository.err()).contains("no repository named nobody/nothing");
    }

    @Test
    void aRequestNeedsAReason() {
        Run run = run("request", "--changeset", "1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required option: '--reason=TEXT'");
    }

    @Test
    void scheduleShowsWhatSyncsNextAndWhyThenEachHost() {
        CodeHost host = catalog.host();
        catalog.changesets(catalog.repo(host), 2);

        Run run = run("schedule", "-n", "5");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("never synced: due now").contains(host.name()).contains("unlimited");
    }

    @Test
    void limitsChangeAHostAndRefuseNonsense() {
        CodeHost host = catalog.host();

        Run set = run("limits", "--code-host", host.name(), "--requests-per-hour", "600", "--max-in-flight", "4");
        Run zero = run("limits", "--code-host", host.name(), "--requests-per-hour", "0");
        Run words = run("limits", "--code-host", host.name(), "--burst", "lots");
        Run noHost = run("limits", "--requests-per-hour", "5");

        assertThat(set.exitCode()).isZero();
        assertThat(set.out()).contains("updated " + host.name());
        assertThat(database.value(String.class, "SELECT requests_per_hour || '/' || max_in_flight FROM code_hosts WHERE id = "
                + host.id())).isEqualTo("600/4");
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err()).contains("code_hosts_requests_per_hour_positive");
        assertThat(words.err()).contains("--burst takes a whole number or 'default', not lots");
        assertThat(noHost.err()).contains("say which host to change with --code-host");
    }

    @Test
    void migrateCreatesTheDatabaseAndItsSchemaThenHasNothingLeftToDo() {
        String name = database.name() + "_migrated";
        String url = TestDatabases.urlOf(name);
        try {
            Run created = runOn(url, "migrate", "--create-database");
            TestDatabase migrated = TestDatabases.open(name);
            try (migrated) {
                assertThat(created.exitCode()).isZero();
                assertThat(SchemaFingerprint.of(migrated.dsl())).as("the schema every test database has")
                        .containsExactlyElementsOf(SchemaFingerprint.of(database.dsl()));
                long changesets = migrated.value(Long.class, "SELECT count(*) FROM databasechangelog");
                assertThat(changesets).isEqualTo(database.value(Long.class, "SELECT count(*) FROM databasechangelog"));

                Run again = runOn(url, "migrate");

                assertThat(again.exitCode()).isZero();
                assertThat(migrated.value(Long.class, "SELECT count(*) FROM databasechangelog")).isEqualTo(changesets);
                assertThat(migrated.value(Long.class, "SELECT count(*) FROM databasechangelog WHERE exectype <> 'EXECUTED'"))
                        .as("nothing re-ran").isZero();
            }
        } finally {
            TestDatabases.drop(name);
        }
    }

    @Test
    void theDemoAndTheBenchmarkRefuseToRecreateADatabaseNotMeantForThem() {
        CodeHost host = catalog.host();

        Run demo = run("demo", "--duration", "1s");
        Run bench = run("bench", "--only", "claim");

        assertThat(demo.exitCode()).isEqualTo(2);
        assertThat(demo.err()).contains("drops and recreates its database").contains("'demo'");
        assertThat(bench.exitCode()).isEqualTo(2);
        assertThat(bench.err()).contains("'bench'");
        assertThat(database.value(Long.class, "SELECT count(*) FROM code_hosts WHERE id = " + host.id()))
                .as("nothing was dropped").isEqualTo(1);
    }

    @Test
    void aPortOutOfRangeIsAClearError() {
        Run run = run("demo", "--http-port", "70000");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("demo: the HTTP port must be within [0, 65535] (0 = any free port), got 70000");
    }
}
