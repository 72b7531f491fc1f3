package dev.changesetsyncer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.changesetsyncer.testing.CommandProcess;
import dev.changesetsyncer.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code run} starts, as its own process: a mistake waiting cannot cure stops it with one line
 * (it used to retry for ever, as if the database were down); an unreachable database is waited for.
 */
class RunStartTest {
    static final Path PROJECT_ROOT = Path.of("").toAbsolutePath();

    @TempDir
    Path workDir;

    @Test
    void aDatabaseThatDoesNotExistStopsTheStartWithOneClearLine() throws Exception {
        String url = TestDatabases.urlOf("cs_no_such_database_" + ProcessHandle.current().pid());
        try (CommandProcess run = CommandProcess.start(workDir, Map.of(), null, "run", "--no-http", "--database-url", url)) {
            assertThat(run.exitCode(2)).isEqualTo(2);
            assertThat(run.output()).contains("run: cannot migrate ").contains("does not exist [3D000]")
                    .contains("create it (changeset-syncer migrate --create-database) or correct the URL")
                    .doesNotContain("retrying");
        }
    }

    @Test
    void anAdminUserWithoutAPasswordStopsTheStartBeforeAnythingElse() throws Exception {
        String url = TestDatabases.urlOf("cs_no_such_database_" + ProcessHandle.current().pid());
        try (CommandProcess run = CommandProcess.start(workDir, Map.of("SYNCER_ADMIN_USER", "ops"), null, "run",
                "--http-port", "0", "--database-url", url)) {
            assertThat(run.exitCode(2)).isEqualTo(2);
            assertThat(run.output()).contains("run: SYNCER_ADMIN_USER is set but SYNCER_ADMIN_PASSWORD is not")
                    .contains("there is no default password").doesNotContain("cannot migrate");
        }
    }

    @Test
    void anUnknownRoleStopsTheStartWithOneClearLine() throws Exception {
        String url = TestDatabases.urlOf("postgres").replaceFirst("user=[^&]*", "user=cs_no_such_role");
        try (CommandProcess run = CommandProcess.start(workDir, Map.of(), null, "run", "--no-http", "--database-url", url)) {
            assertThat(run.exitCode(2)).isEqualTo(2);
            assertThat(run.output()).contains("run: cannot migrate ").contains("cs_no_such_role").doesNotContain("retrying");
        }
    }

    @Test
    void aUrlThatIsNotPostgresStopsTheStartAndAPasswordInItIsNeverShown() throws Exception {
        try (CommandProcess run = CommandProcess.start(workDir, Map.of(), null, "run", "--no-http",
                "--database-url", "jdbc:mysql://syncer:hunter2-secret@db.internal/changesets")) {
            assertThat(run.exitCode(2)).isEqualTo(2);
            assertThat(run.output()).contains("run: ").contains("database URL must start with jdbc:postgresql:")
                    .contains("syncer:***@db.internal").doesNotContain("hunter2-secret");
        }
    }

    @Test
    void anUnreachableDatabaseIsWaitedFor() throws Exception {
        try (CommandProcess run = CommandProcess.start(workDir, Map.of(), null, "run", "--no-http",
                "--database-url", "jdbc:postgresql://127.0.0.1:1/changeset_syncer?user=postgres&password=pw-never-shown")) {
            await().atMost(Duration.ofMinutes(2)).until(() -> run.output().contains("retrying in"));

            assertThat(run.isAlive()).as("still waiting for the database").isTrue();
            assertThat(run.output()).contains("WARN").contains("cannot migrate").doesNotContain("pw-never-shown");
        }
    }

    @Test
    void fromTheProjectRootWithAnEmptyClassPathEntryTheChangelogIsFoundOnceAndRunStarts() throws Exception {
        String database = TestDatabases.createEmpty("run_empty_cp");
        try (CommandProcess run = CommandProcess.start(PROJECT_ROOT, Map.of(), "", "run", "--no-http",
                "--database-url", TestDatabases.urlOf(database), "--worker-id", "empty-class-path")) {
            await().atMost(Duration.ofMinutes(2)).until(() -> run.output().contains("replica empty-class-path started")
                    || !run.isAlive());

            assertThat(run.output()).doesNotContain("Found 2 files").contains("replica empty-class-path started");
        } finally {
            TestDatabases.drop(database);
        }
    }

    @Test
    void aLogLevelLogbackDoesNotKnowStopsTheStartInsteadOfMeaningDebug() throws Exception {
        try (CommandProcess run = CommandProcess.start(workDir, Map.of("SYNCER_LOG_LEVEL", "garbage"), null, "schedule")) {
            assertThat(run.exitCode(2)).isEqualTo(2);
            assertThat(run.output().strip())
                    .isEqualTo("changeset-syncer: SYNCER_LOG_LEVEL must be one of OFF, ERROR, WARN, INFO, DEBUG, TRACE, "
                            + "got \"garbage\"");
        }
    }
}
