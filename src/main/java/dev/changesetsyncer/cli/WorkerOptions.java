package dev.changesetsyncer.cli;

import dev.changesetsyncer.worker.WorkerSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options that tune a replica (shared by {@code run} and {@code demo}). */
final class WorkerOptions {
    @Option(names = "--workers", paramLabel = "N", defaultValue = "${env:SYNCER_WORKERS:-" + WorkerSettings.DEFAULT_CONCURRENCY + "}",
            description = "Syncs running at once in this replica (default: $SYNCER_WORKERS, else " + WorkerSettings.DEFAULT_CONCURRENCY + ").")
    int workers;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "${env:SYNCER_BATCH:-" + WorkerSettings.DEFAULT_BATCH + "}",
            description = "Most changesets claimed per round trip (default: $SYNCER_BATCH, else " + WorkerSettings.DEFAULT_BATCH + ").")
    int batch;

    @Option(names = "--lease", paramLabel = "DURATION", defaultValue = "${env:SYNCER_LEASE:-15s}", converter = DurationConverter.class,
            description = "How long a claim holds without a heartbeat (default: $SYNCER_LEASE, else 15s).")
    Duration lease;

    @Option(names = "--poll", paramLabel = "DURATION", defaultValue = "${env:SYNCER_POLL:-10s}", converter = DurationConverter.class,
            description = "Longest idle sleep without a NOTIFY (default: $SYNCER_POLL, else 10s).")
    Duration poll;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", defaultValue = "${env:SYNCER_SHUTDOWN_GRACE:-20s}", converter = DurationConverter.class,
            description = "On SIGTERM, how long running syncs may finish before they are given back (default: $SYNCER_SHUTDOWN_GRACE, else 20s).")
    Duration shutdownGrace;

    /** @throws IllegalArgumentException naming the option (and its bounds) that is out of range */
    WorkerSettings settings(String workerId) {
        OptionBounds.within("--workers", workers, 1, WorkerSettings.MAX_CONCURRENCY);
        OptionBounds.within("--batch", batch, 1, WorkerSettings.MAX_BATCH);
        OptionBounds.within("--lease", lease, WorkerSettings.MIN_LEASE, WorkerSettings.MAX_LEASE);
        OptionBounds.within("--poll", poll, WorkerSettings.MIN_POLL, WorkerSettings.MAX_POLL);
        OptionBounds.within("--shutdown-grace", shutdownGrace, Duration.ZERO, WorkerSettings.MAX_SHUTDOWN_GRACE);
        return new WorkerSettings(workerId, workers, batch, lease, poll, shutdownGrace);
    }
}
