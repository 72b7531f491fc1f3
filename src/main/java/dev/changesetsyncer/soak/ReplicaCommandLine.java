package dev.changesetsyncer.soak;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * The one place that says how a soak replica and the simulated host are started. Replicas run the
 * ordinary {@code run} command against the soak's database.
 */
final class ReplicaCommandLine {
    private final Launcher launcher;
    private final String databaseUrl;
    private final Duration lease;
    private final int workers;

    ReplicaCommandLine(Launcher launcher, String databaseUrl, Duration lease, int workers) {
        this.launcher = launcher;
        this.databaseUrl = databaseUrl;
        this.lease = lease;
        this.workers = workers;
    }

    /** {@code changeset-syncer run} for one replica; its HTTP server on any free port, so replicas never fight over one. */
    List<String> replica(String workerId) {
        return launcher.command(List.of("run",
                "--database-url", databaseUrl,
                "--worker-id", workerId,
                "--http-port", "0",
                "--workers", String.valueOf(workers),
                "--lease", lease.toMillis() + "ms",
                "--status-every", "10s"));
    }

    /** {@code changeset-syncer simulate-host ...} with the given options. */
    List<String> simulatedHost(List<String> options) {
        return launcher.command(concat(List.of("simulate-host"), options));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }
}
