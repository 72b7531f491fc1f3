package dev.changesetsyncer.worker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What a replica does, as Micrometer meters (named for Prometheus: {@code syncer.syncs} is scraped as
 * {@code syncer_syncs_total}); the status line and {@link Snapshot} read the same meters.
 */
public final class WorkerMetrics {
    public static final String SYNCS = "syncer.syncs";
    public static final String SYNC_DURATION = "syncer.sync.duration";
    public static final String CLAIM_DURATION = "syncer.claim.duration";
    public static final String CLAIM_BATCH = "syncer.claim.batch.size";
    public static final String WRITE_DURATION = "syncer.write.duration";
    public static final String WRITE_BATCH = "syncer.write.batch.size";
    public static final String REQUEST_TO_START = "syncer.request.start.latency";
    public static final String IN_FLIGHT = "syncer.replica.in.flight";
    public static final String DATABASE_ERRORS = "syncer.database.errors";
    public static final String LOST = "syncer.syncs.lost";
    public static final String RELEASED = "syncer.claims.released";
    public static final String UNWRITABLE = "syncer.results.unwritable";
    public static final String CODE_HOST = "code_host";

    /** How a sync ended, as the {@code outcome} label of {@value #SYNCS}. */
    public enum Outcome {
        CHANGED, UNCHANGED, GONE, FAILED, RATE_LIMITED, FENCED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    final Counter lost;
    final Counter released;
    final Counter databaseErrors;
    final Counter unwritable;
    private final Timer claimTime;
    private final DistributionSummary claimBatch;
    private final Timer writeTime;
    private final DistributionSummary writeBatch;

    /** Meters in a registry of their own (tests, benchmarks). */
    public WorkerMetrics() {
        this(new SimpleMeterRegistry());
    }

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.lost = Counter.builder(LOST).description("syncs cancelled because their lease could not be kept")
                .register(registry);
        this.released = Counter.builder(RELEASED).description("claims given back unfinished at shutdown")
                .register(registry);
        this.databaseErrors = Counter.builder(DATABASE_ERRORS)
                .description("database calls that failed (and were retried)").register(registry);
        this.unwritable = Counter.builder(UNWRITABLE)
                .description("results the database rejected (bad data), recorded as failed attempts instead")
                .register(registry);
        this.claimTime = Timer.builder(CLAIM_DURATION).description("claim round trips")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        this.claimBatch = DistributionSummary.builder(CLAIM_BATCH).description("changesets claimed per round trip")
                .publishPercentileHistogram().maximumExpectedValue(10_000.0).register(registry);
        this.writeTime = Timer.builder(WRITE_DURATION).description("write-back round trips (one statement each)")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        this.writeBatch = DistributionSummary.builder(WRITE_BATCH).description("results per write-back round trip")
                .publishPercentileHistogram().maximumExpectedValue(1_000.0).register(registry);
    }

    /** The meters' registry (other parts of the replica add theirs). */
    public MeterRegistry registry() {
        return registry;
    }

    void inFlight(String workerId, Supplier<Number> held) {
        Gauge.builder(IN_FLIGHT, held).description("claims this replica holds: syncs running or waiting for their write-back")
                .tag("worker", workerId).strongReference(true).register(registry);
    }

    void synced(String codeHost, Outcome outcome) {
        Counter.builder(SYNCS).description("syncs written back (or fenced off), by code host and outcome")
                .tags(CODE_HOST, codeHost, "outcome", outcome.label()).register(registry).increment();
    }

    void syncTook(String codeHost, Duration duration) {
        Timer.builder(SYNC_DURATION).description("a sync's calls to its code host")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(2)).tags(CODE_HOST, codeHost).register(registry)
                .record(duration);
    }

    /** A requested changeset was claimed: from its earliest pending request to its claim, both database times. */
    void requestStarted(String codeHost, Duration latency) {
        Timer.builder(REQUEST_TO_START).description("from a sync request to the claim of the sync that serves it")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1)).tags(CODE_HOST, codeHost).register(registry)
                .record(latency.isNegative() ? Duration.ZERO : latency);
    }

    void claimed(int changesets, long nanos) {
        claimTime.record(Duration.ofNanos(nanos));
        claimBatch.record(changesets);
    }

    void wrote(int results, long nanos) {
        writeTime.record(Duration.ofNanos(nanos));
        writeBatch.record(results);
    }

    /** A consistent-enough copy of the counters. */
    public Snapshot snapshot() {
        long changed = syncs(Outcome.CHANGED);
        long unchanged = syncs(Outcome.UNCHANGED);
        long gone = syncs(Outcome.GONE);
        return new Snapshot((long) claimBatch.totalAmount(), claimBatch.count(), changed + unchanged + gone, unchanged,
                gone, syncs(Outcome.FAILED), syncs(Outcome.RATE_LIMITED), syncs(Outcome.FENCED), (long) lost.count(),
                (long) released.count(), (long) databaseErrors.count(), writeTime.count(), (long) unwritable.count());
    }

    private long syncs(Outcome outcome) {
        return (long) Search.in(registry).name(SYNCS).tag("outcome", outcome.label()).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    /**
     * @param claimed changesets claimed
     * @param claimCalls claim round trips
     * @param completed syncs written back (fetched, unchanged or gone)
     * @param unchanged of those, unchanged
     * @param gone of those, gone
     * @param failed failed attempts written back
     * @param deferred syncs refused by their host's rate limit and given back (the host was paused)
     * @param fenced write-backs discarded because the claim had been lost
     * @param lost syncs cancelled because their lease could not be kept
     * @param released claims given back unfinished at shutdown
     * @param databaseErrors database calls that failed (and were retried)
     * @param writeBatches write-back round trips
     * @param unwritable results the database rejected (bad data); recorded as failed attempts instead
     */
    public record Snapshot(long claimed, long claimCalls, long completed, long unchanged, long gone, long failed,
            long deferred, long fenced, long lost, long released, long databaseErrors, long writeBatches,
            long unwritable) {
        /** Syncs that reached the host and were written back, successfully or not. */
        public long synced() {
            return completed + failed;
        }
    }
}
