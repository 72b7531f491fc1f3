package dev.changesetsyncer.worker;

import java.util.concurrent.atomic.LongAdder;

/** What a replica has done, as counters since it started. */
public final class WorkerMetrics {
    final LongAdder claimed = new LongAdder();
    final LongAdder claimCalls = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder unchanged = new LongAdder();
    final LongAdder gone = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder deferred = new LongAdder();
    final LongAdder fenced = new LongAdder();
    final LongAdder lost = new LongAdder();
    final LongAdder released = new LongAdder();
    final LongAdder databaseErrors = new LongAdder();
    final LongAdder writeBatches = new LongAdder();
    final LongAdder unwritable = new LongAdder();

    /** A consistent-enough copy of the counters. */
    public Snapshot snapshot() {
        return new Snapshot(claimed.sum(), claimCalls.sum(), completed.sum(), unchanged.sum(), gone.sum(),
                failed.sum(), deferred.sum(), fenced.sum(), lost.sum(), released.sum(), databaseErrors.sum(),
                writeBatches.sum(), unwritable.sum());
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
