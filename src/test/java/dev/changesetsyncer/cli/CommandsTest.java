package dev.changesetsyncer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.Fixtures;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.SchemaFingerprint;
import dev.changesetsyncer.testing.TestDatabase;
import dev.changesetsyncer.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
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
        assertThat(zero.err()).contains("--requests-per-hour must be within [1, 100000000] (or 'none'), got 0");
        assertThat(words.err()).contains("--burst takes a whole number or 'default', not lots");
        assertThat(noHost.err()).contains("say which host to change with --code-host");
    }

    @Test
    void limitsPauseAHostForEveryReplicaAndResumeIt() {
        CodeHost host = catalog.host();

        Run pause = run("limits", "--code-host", host.name(), "--pause", "45m", "--reason", "upgrade of the host");
        String reason = database.value(String.class, "SELECT pause_reason FROM code_host_budgets WHERE code_host_id = "
                + host.id());
        Run resume = run("limits", "--code-host", host.name(), "--resume");
        Run again = run("limits", "--code-host", host.name(), "--resume");

        assertThat(pause.exitCode()).isZero();
        assertThat(pause.out()).contains("paused " + host.name() + " until ").contains("upgrade of the host");
        assertThat(reason).isEqualTo("upgrade of the host (paused by " + database.value(String.class, "SELECT session_user") + ")");
        assertThat(resume.exitCode()).isZero();
        assertThat(resume.out()).contains("resumed " + host.name());
        assertThat(again.out()).contains(host.name() + " was not paused");
        assertThat(database.value(Long.class, "SELECT count(*) FROM code_host_budgets WHERE paused_until IS NOT NULL"))
                .isZero();
    }

    @Test
    void limitsRefuseAPauseTheyCannotKeep() {
        CodeHost host = catalog.host();

        Run tooLong = run("limits", "--code-host", host.name(), "--pause", "31d");
        Run zero = run("limits", "--code-host", host.name(), "--pause", "0s");
        Run both = run("limits", "--code-host", host.name(), "--pause", "5m", "--resume");
        Run unknown = run("limits", "--code-host", "nobody", "--resume");

        assertThat(tooLong.exitCode()).isEqualTo(2);
        assertThat(tooLong.err()).contains("limits: a pause may last at most 30 days");
        assertThat(zero.err()).contains("--pause must be positive, got 0s");
        assertThat(both.err()).contains("--pause and --resume exclude each other");
        assertThat(unknown.err()).contains("limits: no code host named \"nobody\"");
    }

    @Test
    void limitsRefuseValuesThatWouldStopEveryHostsClaims() {
        CodeHost host = catalog.host();

        Run nan = run("limits", "--code-host", host.name(), "--requests-per-sync", "NaN");
        Run infinity = run("limits", "--code-host", host.name(), "--requests-per-sync", "Infinity");
        Run tiny = run("limits", "--code-host", host.name(), "--requests-per-sync", "1e-30");
        Run huge = run("limits", "--code-host", host.name(), "--requests-per-hour", "2147483647");

        assertThat(List.of(nan, infinity, tiny, huge)).allSatisfy(r -> assertThat(r.exitCode()).isEqualTo(2));
        assertThat(nan.err()).contains("--requests-per-sync must be within [0.01, 10000], got NaN");
        assertThat(infinity.err()).contains("got Infinity");
        assertThat(tiny.err()).contains("got 1.0E-30");
        assertThat(huge.err()).contains("--requests-per-hour must be within [1, 100000000]");
        assertThat(database.value(Double.class, "SELECT requests_per_sync FROM code_hosts WHERE id = " + host.id()))
                .isEqualTo(1.0);
    }

    @Test
    void runRefusesOptionsOutOfRangeNamingTheOptionAsTyped() {
        Run busyLoop = run("run", "--no-http", "--status-every", "0s");
        Run centuries = run("run", "--no-http", "--lease", "100000d");
        Run overflow = run("run", "--no-http", "--lease", "9999999999999999999d");
        Run huge = run("run", "--no-http", "--poll", "106751991167301d");
        Run workers = run("run", "--no-http", "--workers", "0");
        Run halfSecond = run("run", "--no-http", "--poll", "PT0.001S");
        Run timeout = run("run", "--no-http", "--http-timeout", "2h");

        assertThat(List.of(busyLoop, centuries, overflow, huge, workers, halfSecond, timeout))
                .allSatisfy(r -> assertThat(r.exitCode()).isEqualTo(2))
                .allSatisfy(r -> assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat "));
        assertThat(busyLoop.err()).contains("run: --status-every must be between 1s and 24h, got 0s");
        assertThat(centuries.err()).contains("run: --lease must be between 500ms and 1h, got 100000d");
        assertThat(overflow.err()).contains("'9999999999999999999d' is too long a duration");
        assertThat(huge.err()).contains("is too long a duration");
        assertThat(workers.err()).contains("run: --workers must be within [1, 10000], got 0");
        assertThat(halfSecond.err()).contains("run: --poll must be between 10ms and 1h, got 1ms");
        assertThat(timeout.err()).contains("run: --http-timeout must be between 100ms and 10m, got 2h");
    }

    @Test
    void scheduleShowsAHostsEscapeCodesEscapedNeverRaw() {
        CodeHost host = catalog.host();
        long changeset = catalog.changeset(catalog.repo(host));
        database.execute("UPDATE changeset_sync_state SET failures = 1, last_error = E'transient: \\u001b[2J\\u001b]0;owned\\u0007' "
                + "WHERE changeset_id = " + changeset);

        Run run = run("schedule", "--changeset", Long.toString(changeset));

        assertThat(run.out()).contains("transient: \\x1B[2J\\x1B]0;owned\\x07").doesNotContain("\u001b");
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

    @Test
    void trackLooksTheRepositoryUpOnItsHostAndStoresItTracked(@TempDir Path dir) throws Exception {
        WireMockServer github = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        github.start();
        try {
            github.stubFor(WireMock.get(WireMock.urlPathEqualTo("/repos/octocat/Hello-World"))
                    .willReturn(WireMock.aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                            .withBody(Fixtures.text("github/repos-get.json"))));
            CodeHost host = catalog.store().createCodeHost("gh-cli", CodeHostKind.GITHUB, github.baseUrl(),
                    ScheduleSettings.DEFAULTS);
            Path tokens = Files.writeString(dir.resolve("tokens"), "gh-cli=ghp_cli-test\n");

            Run track = run("track", "--code-host", "gh-cli", "octocat/Hello-World", "--state", "all",
                    "--tokens-file", tokens.toString());

            assertThat(track.exitCode()).as(track.err()).isZero();
            assertThat(track.out()).startsWith("tracking the all pull requests of octocat/Hello-World on gh-cli (repository ")
                    .contains("the host's id 1296269, new");
            assertThat(database.value(String.class, "SELECT track_changesets || ' ' || external_id FROM repos WHERE code_host_id = "
                    + host.id())).isEqualTo("all 1296269");
            github.verify(WireMock.getRequestedFor(WireMock.urlPathEqualTo("/repos/octocat/Hello-World"))
                    .withHeader("Authorization", WireMock.equalTo("Bearer ghp_cli-test")));
        } finally {
            github.stop();
        }
    }

    @Test
    void trackAndUntrackRefuseBadInputWithOneLineAndStoreNothing() {
        CodeHost simulated = catalog.host();
        CodeHost noTokenHost = catalog.store().createCodeHost("gh-no-token", CodeHostKind.GITHUB, "https://api.github.invalid",
                ScheduleSettings.DEFAULTS);

        Run unknownHost = run("track", "--code-host", "nowhere", "acme/api");
        Run noToken = run("track", "--code-host", "gh-no-token", "acme/api");
        Run badState = run("track", "--code-host", simulated.name(), "acme/api", "--state", "closed");
        Run isSimulated = run("track", "--code-host", simulated.name(), "acme/api");
        Run unknownRepo = run("untrack", "--code-host", simulated.name(), "acme/api");

        assertThat(unknownHost.exitCode()).isEqualTo(2);
        assertThat(unknownHost.err().strip()).isEqualTo("track: no code host named nowhere");
        assertThat(noToken.err().strip()).isEqualTo("track: no token for code host \"gh-no-token\": set "
                + "SYNCER_TOKEN_GH_NO_TOKEN or add it to the tokens file");
        assertThat(badState.err().strip()).isEqualTo("track: --state takes open or all, not closed");
        assertThat(isSimulated.err().strip()).startsWith("track: code host " + simulated.name() + " is simulated");
        assertThat(unknownRepo.err().strip()).isEqualTo("untrack: no repository acme/api on code host " + simulated.name());
        assertThat(List.of(unknownHost, noToken, badState, isSimulated, unknownRepo))
                .allSatisfy(r -> assertThat(r.exitCode()).isEqualTo(2));
        assertThat(database.value(Long.class, "SELECT count(*) FROM repos WHERE code_host_id IN (%d, %d)"
                .formatted(simulated.id(), noTokenHost.id()))).isZero();
    }

    @Test
    void untrackStopsImportingAndDeletesTheChangesetsWhenAsked() {
        CodeHost host = catalog.host();
        var kept = catalog.repo(host);
        var dropped = catalog.repo(host);
        catalog.changesets(kept, 3);
        catalog.changesets(dropped, 2);
        database.execute("UPDATE repos SET track_changesets = 'open' WHERE code_host_id = " + host.id());

        Run keep = run("untrack", "--code-host", host.name(), kept.name());
        Run drop = run("untrack", "--code-host", host.name(), dropped.name(), "--delete-changesets");

        assertThat(keep.out().strip()).isEqualTo("stopped tracking " + kept.name() + " on " + host.name()
                + "; its changesets stay (--delete-changesets removes them)");
        assertThat(drop.out().strip()).isEqualTo("stopped tracking " + dropped.name() + " on " + host.name()
                + "; deleted its 2 changesets");
        assertThat(database.value(Long.class, "SELECT count(*) FROM repos WHERE track_changesets = 'none' AND code_host_id = "
                + host.id())).isEqualTo(2);
        assertThat(database.value(Long.class, "SELECT count(*) FROM changesets WHERE repo_id IN (%d, %d)"
                .formatted(kept.id(), dropped.id()))).isEqualTo(3);
    }
}
