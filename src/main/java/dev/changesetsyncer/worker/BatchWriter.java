package dev.changesetsyncer.worker;

import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.queue.ClaimRef;
import dev.changesetsyncer.queue.Completion;
import dev.changesetsyncer.queue.Deferral;
import dev.changesetsyncer.queue.FailedAttempt;
import dev.changesetsyncer.queue.RateLimitObservation;
import dev.changesetsyncer.queue.Refund;
import dev.changesetsyncer.queue.SyncQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one batch: the requests to give back to the hosts' budgets (free 304s), what hosts said about
 * their quotas, the archived flags the syncs found, then completions, failed attempts and deferrals,
 * one statement each. A result whose claim was lost
 * meanwhile is fenced off by the database, and counted.
 */
final class BatchWriter {
    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);

    private final SyncQueue queue;
    private final WorkerMetrics metrics;
    private final Consumer<ClaimRef> claimEnded;
    private final Function<ClaimRef, String> codeHostOf;
    private final ConcurrentLinkedQueue<RateLimitObservation> observations = new ConcurrentLinkedQueue<>();
    /** Observations taken from the queue but not yet written, in the order they were seen (writer thread only). */
    private final List<RateLimitObservation> unwrittenObservations = new ArrayList<>();
    private final ConcurrentLinkedQueue<Refund> refunds = new ConcurrentLinkedQueue<>();
    /** Refunds taken from the queue but not yet written (writer thread only). */
    private final List<Refund> unwrittenRefunds = new ArrayList<>();

    /** @param claimEnded called for each result once written or fenced off */
    BatchWriter(SyncQueue queue, WorkerMetrics metrics, Consumer<ClaimRef> claimEnded,
            Function<ClaimRef, String> codeHostOf) {
        this.queue = queue;
        this.metrics = metrics;
        this.claimEnded = claimEnded;
        this.codeHostOf = codeHostOf;
    }

    /** A host's rate-limit status, written with the next batch (only the latest per host matters). Any thread. */
    void observed(RateLimitObservation observation) {
        observations.add(observation);
    }

    /** Requests a claim paid for that the host did not count, given back with the next batch. Any thread. */
    void refunded(Refund refund) {
        if (refund.requests() > 0) {
            refunds.add(refund);
        }
    }

    /**
     * Writes {@code batch}; each kind leaves it once written, so after an exception the batch holds
     * exactly what is still to write.
     */
    void write(ResultBatch batch) {
        writeAdvisories();
        List<Completion> completions = batch.completions();
        if (!completions.isEmpty()) {
            recordArchivedFlags(completions);
            long sent = System.nanoTime();
            Set<Long> applied = queue.complete(completions);
            batch.completionsWritten();
            metrics.wrote(completions.size(), System.nanoTime() - sent);
            for (Completion completion : completions) {
                if (applied.contains(completion.ref().changesetId())) {
                    metrics.synced(codeHostOf.apply(completion.ref()), switch (completion.result()) {
                        case SyncResult.Unchanged unchanged -> WorkerMetrics.Outcome.UNCHANGED;
                        case SyncResult.Gone gone -> WorkerMetrics.Outcome.GONE;
                        case SyncResult.Fetched fetched -> WorkerMetrics.Outcome.CHANGED;
                    });
                } else {
                    fenced(completion.ref());
                }
                claimEnded.accept(completion.ref());
            }
        }
        List<FailedAttempt> failures = batch.failures();
        if (!failures.isEmpty()) {
            long sent = System.nanoTime();
            Set<Long> applied = queue.fail(failures);
            batch.failuresWritten();
            metrics.wrote(failures.size(), System.nanoTime() - sent);
            countApplied(failures.stream().map(FailedAttempt::ref).toList(), applied, WorkerMetrics.Outcome.FAILED);
        }
        List<Deferral> deferrals = batch.deferrals();
        if (!deferrals.isEmpty()) {
            long sent = System.nanoTime();
            Set<Long> applied = queue.defer(deferrals);
            batch.deferralsWritten();
            metrics.wrote(deferrals.size(), System.nanoTime() - sent);
            countApplied(deferrals.stream().map(Deferral::ref).toList(), applied, WorkerMetrics.Outcome.RATE_LIMITED);
            log.warn("code host {} refused {} sync(s) for its rate limit; it is paused for every replica: {}",
                    deferrals.getFirst().codeHostId(), deferrals.size(), deferrals.getFirst().message());
        }
    }

    /**
     * Before the completions (whose write ends the claims that fence this), and only when a sync
     * found a flag different from the one its claim carried. A repository's flag is secondary to the
     * sync itself, so a failure is logged and the next sync reports it again.
     */
    private void recordArchivedFlags(List<Completion> completions) {
        List<Completion> reporting = completions.stream().filter(c -> c.repoArchived().isPresent()).toList();
        if (reporting.isEmpty()) {
            return;
        }
        try {
            Set<Long> flipped = queue.recordArchivedFlags(reporting);
            if (!flipped.isEmpty()) {
                log.info("syncs found the archived flag of {} repositor{} changed: {}", flipped.size(),
                        flipped.size() == 1 ? "y" : "ies", flipped);
            }
        } catch (RuntimeException e) {
            metrics.databaseErrors.increment();
            log.warn("could not record the archived flags {} syncs reported; the next syncs will report them again: {}",
                    reporting.size(), DatabaseErrors.brief(e));
        }
    }

    /**
     * Refunds first, then what the hosts reported (which brings a bucket down to the host's own count,
     * so it wins); both kept for the retry if the database is unreachable.
     */
    void writeAdvisories() {
        writeRefunds();
        writeObservations();
    }

    private void writeRefunds() {
        for (Refund next; (next = refunds.poll()) != null; ) {
            unwrittenRefunds.add(next);
        }
        if (unwrittenRefunds.isEmpty()) {
            return;
        }
        try {
            queue.refund(unwrittenRefunds);
        } catch (RuntimeException e) {
            if (!WriteErrors.isCausedByData(e)) {
                throw e;
            }
            log.warn("dropped {} refunds the database rejected: {}", unwrittenRefunds.size(), DatabaseErrors.brief(e));
        }
        unwrittenRefunds.clear();
    }

    /** Quotas the hosts reported, oldest first; kept for the retry if the database is unreachable. */
    private void writeObservations() {
        for (RateLimitObservation next; (next = observations.poll()) != null; ) {
            unwrittenObservations.add(next);
        }
        if (unwrittenObservations.isEmpty()) {
            return;
        }
        try {
            queue.observe(unwrittenObservations);
        } catch (RuntimeException e) {
            if (!WriteErrors.isCausedByData(e)) {
                throw e;
            }
            // advisory only: the next responses report the quota again
            log.warn("dropped {} rate-limit observations the database rejected: {}", unwrittenObservations.size(),
                    DatabaseErrors.brief(e));
        }
        unwrittenObservations.clear();
    }

    private void countApplied(List<ClaimRef> refs, Set<Long> applied, WorkerMetrics.Outcome outcome) {
        for (ClaimRef ref : refs) {
            if (applied.contains(ref.changesetId())) {
                metrics.synced(codeHostOf.apply(ref), outcome);
            } else {
                fenced(ref);
            }
            claimEnded.accept(ref);
        }
    }

    private void fenced(ClaimRef ref) {
        metrics.synced(codeHostOf.apply(ref), WorkerMetrics.Outcome.FENCED);
        log.warn("discarded the write-back of changeset={} claim={}: the claim was lost (lease expired, claimed again)",
                ref.changesetId(), ref.claimToken());
    }
}
