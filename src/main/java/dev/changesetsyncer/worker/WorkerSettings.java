package dev.changesetsyncer.worker;

import java.time.Duration;
import java.util.Objects;

/**
 * One replica's settings.
 *
 * @param workerId names the replica in leases, logs and {@code pg_stat_activity}; unique per process
 * @param concurrency syncs running at once (each a virtual thread)
 * @param batchSize most changesets claimed per round trip
 * @param lease how long a claim holds without a heartbeat; heartbeats run every third of it
 * @param pollInterval longest idle sleep when no NOTIFY arrives (a safety net: wake-ups are by NOTIFY)
 * @param shutdownGrace how long a graceful stop waits for running syncs before releasing them
 */
public record WorkerSettings(
        String workerId, int concurrency, int batchSize, Duration lease, Duration pollInterval, Duration shutdownGrace) {
    public static final int DEFAULT_CONCURRENCY = 32;
    public static final int DEFAULT_BATCH = 64;
    /**
     * Short enough that a changeset a crashed replica held is claimable again within
     * {@link #crashedClaimBound()} (16 s), long enough that a Postgres restart (seconds) loses no
     * lease: heartbeats every 5 s keep a sync's lease, and one stops calling the host 13.5 s after
     * its last heartbeat got through.
     */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);
    /** The longest pause between two sweeps of expired leases (shorter leases sweep every sixth of the lease). */
    public static final Duration MAX_SWEEP_PERIOD = Duration.ofSeconds(1);
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(20);
    public static final int MAX_CONCURRENCY = 10_000;
    public static final int MAX_BATCH = 10_000;
    public static final Duration MIN_LEASE = Duration.ofMillis(500);
    /** A sync holds its lease through heartbeats: no sync needs a longer one between two of them. */
    public static final Duration MAX_LEASE = Duration.ofHours(1);
    public static final Duration MIN_POLL = Duration.ofMillis(10);
    public static final Duration MAX_POLL = Duration.ofHours(1);
    public static final Duration MAX_SHUTDOWN_GRACE = Duration.ofHours(1);

    public WorkerSettings {
        Objects.requireNonNull(workerId, "workerId");
        // it goes into leases, pg_stat_activity and an HTTP header: printable ASCII only
        if (workerId.isBlank() || workerId.length() > 63 || !workerId.matches("[\\x21-\\x7E]+")) {
            throw new IllegalArgumentException("workerId must be 1 to 63 printable ASCII characters without spaces, got \""
                    + workerId.replaceAll("\\p{Cntrl}", "?") + "\"");
        }
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency must be within [1, " + MAX_CONCURRENCY + "], got " + concurrency);
        }
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            throw new IllegalArgumentException("batchSize must be within [1, " + MAX_BATCH + "], got " + batchSize);
        }
        requireWithin("lease", lease, MIN_LEASE, MAX_LEASE);
        requireWithin("pollInterval", pollInterval, MIN_POLL, MAX_POLL);
        requireWithin("shutdownGrace", shutdownGrace, Duration.ZERO, MAX_SHUTDOWN_GRACE);
    }

    public static WorkerSettings defaults(String workerId) {
        return new WorkerSettings(workerId, DEFAULT_CONCURRENCY, DEFAULT_BATCH, DEFAULT_LEASE, DEFAULT_POLL,
                DEFAULT_SHUTDOWN_GRACE);
    }

    public WorkerSettings withWorkerId(String value) {
        return new WorkerSettings(value, concurrency, batchSize, lease, pollInterval, shutdownGrace);
    }

    public WorkerSettings withConcurrency(int value) {
        return new WorkerSettings(workerId, value, batchSize, lease, pollInterval, shutdownGrace);
    }

    public WorkerSettings withBatchSize(int value) {
        return new WorkerSettings(workerId, concurrency, value, lease, pollInterval, shutdownGrace);
    }

    public WorkerSettings withLease(Duration value) {
        return new WorkerSettings(workerId, concurrency, batchSize, value, pollInterval, shutdownGrace);
    }

    public WorkerSettings withPollInterval(Duration value) {
        return new WorkerSettings(workerId, concurrency, batchSize, lease, value, shutdownGrace);
    }

    public WorkerSettings withShutdownGrace(Duration value) {
        return new WorkerSettings(workerId, concurrency, batchSize, lease, pollInterval, value);
    }

    /** Extra slots, beyond {@code concurrency}, that only requested changesets may use: an eighth, at least one. */
    int expressConcurrency() {
        return Math.max(1, concurrency / 8);
    }

    /** Repository syncs running at once, beyond {@code concurrency}: an eighth, at least one. */
    int repoConcurrency() {
        return Math.max(1, concurrency / 8);
    }

    /**
     * How long before its lease deadline (as this replica's monotonic clock sees it) a sync stops
     * calling the host: a tenth of the lease. It covers the time a request takes to reach the host
     * and the drift between this clock and the database's; the lease itself is measured from just
     * before the claim was sent, so it never ends later than the database's {@code lease_until}.
     */
    Duration requestMargin() {
        return lease.dividedBy(10);
    }

    /**
     * How often each replica sweeps expired leases: every sixth of the lease, at most every second.
     * A sweep is one index scan over leased rows, cheap at any rate.
     */
    public Duration sweepPeriod() {
        Duration sixth = lease.dividedBy(6);
        return sixth.compareTo(MAX_SWEEP_PERIOD) < 0 ? sixth : MAX_SWEEP_PERIOD;
    }

    /**
     * The longest a changeset held by a crashed (or frozen) replica stays out of reach while another
     * replica runs: its lease, from the last heartbeat that got through, plus one sweep period. The
     * sweeping replica then claims at once.
     */
    public Duration crashedClaimBound() {
        return lease.plus(sweepPeriod());
    }

    /** Write-backs waiting for the writer before the replica stops claiming more. */
    int maxPendingWrites() {
        return Math.max(4 * batchSize, 2 * concurrency);
    }

    private static void requireWithin(String name, Duration value, Duration minimum, Duration maximum) {
        Objects.requireNonNull(value, name);
        if (value.compareTo(minimum) < 0 || value.compareTo(maximum) > 0) {
            throw new IllegalArgumentException(name + " must be within [" + minimum + ", " + maximum + "], got " + value);
        }
    }
}
