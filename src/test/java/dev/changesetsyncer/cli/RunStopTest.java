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
 * How {@code run} stops, as its own process: SIGTERM (what systemd, Kubernetes and the soak send)
 * is a graceful stop and exits 0. It used to exit 143, which service managers count as a failure.
 */
class RunStopTest {
    @TempDir
    Path workDir;

    @Test
    void sigtermStopsGracefullyAndExitsZero() throws Exception {
        String database = TestDatabases.createEmpty("run_sigterm");
        try (CommandProcess run = CommandProcess.start(workDir, Map.of(), null, "run", "--http-port", "0",
                "--database-url", TestDatabases.urlOf(database), "--worker-id", "stopped-by-sigterm")) {
            await().atMost(Duration.ofMinutes(2)).until(() -> run.output().contains("replica stopped-by-sigterm started")
                    || !run.isAlive());
            assertThat(run.isAlive()).as("started: %s", run.output()).isTrue();

            run.terminate();

            assertThat(run.exitCode(2)).as("exit code; it printed:%n%s", run.output()).isZero();
            assertThat(run.output()).contains("replica stopped-by-sigterm stopped:");
        } finally {
            TestDatabases.drop(database);
        }
    }
}
