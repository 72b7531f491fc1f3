package dev.changesetsyncer.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.cli.Main;
import dev.changesetsyncer.simhost.HostSettings;
import dev.changesetsyncer.testing.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A short soak: two replica processes (started from this JVM's class path, since the tests run
 * before the jar is packaged) sync a simulated GitHub process for a minute while one is killed
 * with SIGKILL and all their connections are terminated. Only the invariants are asserted, after
 * the drain: nothing fetched twice at once, nothing lost, every request served.
 */
class FleetSoakTest {
    @Test
    void aMinuteWithAKillAndTerminatedConnectionsLosesNothingAndNeverSyncsAChangesetTwiceAtOnce() throws Exception {
        // under target/, so that the replicas' logs stay for a look when it fails
        Path workDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "soak-test")), "run-");
        String database = TestDatabases.createEmpty("soak");
        try {
            Duration lease = Duration.ofSeconds(10);
            // a generous margin: on a loaded machine a replica may be slow, but a changeset that is
            // really lost stays owed through the drain and still counts
            Duration margin = Duration.ofSeconds(60);
            SoakSettings settings = new SoakSettings(2, Duration.ofSeconds(60), Duration.ofSeconds(30), null,
                    Duration.ofSeconds(15), Duration.ofSeconds(40), null, null, null, null, lease, margin,
                    16, Duration.ofSeconds(10), 2,
                    HostSettings.defaults().withPopulation(5, 40).withLatency(Duration.ofMillis(50)).withRates(0.02, 0.0005, 0.01),
                    workDir, 42);

            SoakReport report = new Soak(settings, TestDatabases.urlOf(database), Main.class, System.out).run();
            SoakReportWriter.text(report, System.out);

            assertThat(report.kills()).as("one replica killed at 30 s").isEqualTo(1);
            assertThat(report.terminationRounds()).as("connections terminated at 50 s").isEqualTo(1);
            assertThat(report.syncs()).isPositive();
            assertThat(report.requests()).isPositive();
            assertThat(report.overlaps()).as("changesets fetched by two syncs at once: %s", report.overlapExamples()).isZero();
            assertThat(report.lost()).as("changesets owed a sync too long: %s", report.lostExamples()).isZero();
            assertThat(report.unservedRequests()).as("requests never served: %s", report.unservedExamples()).isZero();
            deleteRecursively(workDir); // kept only when the test failed
        } finally {
            TestDatabases.drop(database);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
