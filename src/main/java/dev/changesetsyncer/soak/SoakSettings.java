package dev.changesetsyncer.soak;

import dev.changesetsyncer.simhost.HostSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * One soak run.
 *
 * @param replicas {@code run} processes kept alive at once
 * @param duration how long faults are injected (a warm-up comes before, a drain after)
 * @param killEvery {@code kill -9} a random replica this often and start a new one (null: never)
 * @param pauseEvery SIGSTOP a random replica this often, for {@code pauseFor} (null: never)
 * @param pauseFor how long a paused replica stays stopped (longer than the lease, to matter)
 * @param terminateBackendsEvery {@code pg_terminate_backend} every replica connection this often (null: never)
 * @param pgRestartCommand shell command that restarts Postgres (null: no restarts)
 * @param pgRestartEvery how often to run it (null with a command: once, at half the duration)
 * @param pinXmin hold a REPEATABLE READ transaction reading {@code changeset_schedule} this long,
 *     from the start of the faults, as a DBA's long report would (null: no)
 * @param vacuumEvery run {@code VACUUM changeset_sync_state} from the soak this often, standing in
 *     for autovacuum on a server where it is off (null: leave vacuuming to the server)
 * @param lease the replicas' lease
 * @param margin how long past the lease a due changeset may wait before it counts as lost
 * @param workersPerReplica the replicas' {@code --workers}
 * @param syncEvery the code host's longest wait between syncs ({@code max_sync_delay}); the
 *     shortest is a sixth of it, so the population makes a steady load of about pulls / syncEvery
 * @param requestsPerSecond sync requests inserted per second while faults run
 * @param host the simulated host's population and behaviour (its port is chosen at start)
 * @param workDir where the replicas' logs and the copy of the jar go
 * @param seed which replica each fault hits, and which changesets are requested
 */
public record SoakSettings(
        int replicas,
        Duration duration,
        Duration killEvery,
        Duration pauseEvery,
        Duration pauseFor,
        Duration terminateBackendsEvery,
        String pgRestartCommand,
        Duration pgRestartEvery,
        Duration pinXmin,
        Duration vacuumEvery,
        Duration lease,
        Duration margin,
        int workersPerReplica,
        Duration syncEvery,
        double requestsPerSecond,
        HostSettings host,
        Path workDir,
        long seed) {

    public SoakSettings {
        if (replicas < 1 || replicas > 32) {
            throw new IllegalArgumentException("replicas must be within [1, 32], got " + replicas);
        }
        requirePositive("duration", duration);
        requirePositiveOrNull("killEvery", killEvery);
        requirePositiveOrNull("pauseEvery", pauseEvery);
        requirePositive("pauseFor", pauseFor);
        requirePositiveOrNull("terminateBackendsEvery", terminateBackendsEvery);
        requirePositiveOrNull("pgRestartEvery", pgRestartEvery);
        if (pgRestartEvery != null && (pgRestartCommand == null || pgRestartCommand.isBlank())) {
            throw new IllegalArgumentException("a Postgres restart interval needs the command that restarts it (--pg-restart-command)");
        }
        requirePositiveOrNull("pinXmin", pinXmin);
        requirePositiveOrNull("vacuumEvery", vacuumEvery);
        requirePositive("lease", lease);
        if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("lease must be at least 1s, got " + lease);
        }
        requirePositive("margin", margin);
        if (workersPerReplica < 1) {
            throw new IllegalArgumentException("workersPerReplica must be at least 1, got " + workersPerReplica);
        }
        requirePositive("syncEvery", syncEvery);
        if (syncEvery.compareTo(Duration.ofSeconds(6)) < 0) {
            throw new IllegalArgumentException("syncEvery must be at least 6s, got " + syncEvery);
        }
        if (!(requestsPerSecond >= 0 && requestsPerSecond <= 1000)) {
            throw new IllegalArgumentException("requestsPerSecond must be within [0, 1000], got " + requestsPerSecond);
        }
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(workDir, "workDir");
        workDir = workDir.toAbsolutePath(); // the soak's processes run in it
    }

    /** A changeset due longer than this (lease + margin) counts as lost. */
    public Duration lostAfter() {
        return lease.plus(margin);
    }

    /** The default margin: the sweep's period (half a lease) plus 15 s for claiming and retry backoff. */
    public static Duration defaultMargin(Duration lease) {
        return lease.dividedBy(2).plusSeconds(15);
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    private static void requirePositiveOrNull(String name, Duration value) {
        if (value != null) {
            requirePositive(name, value);
        }
    }
}
