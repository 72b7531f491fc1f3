package dev.changesetsyncer.worker;

import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.queue.ClaimRef;
import dev.changesetsyncer.queue.Completion;
import dev.changesetsyncer.queue.Deferral;
import dev.changesetsyncer.queue.FailedAttempt;
import dev.changesetsyncer.queue.RateLimitObservation;
import dev.changesetsyncer.queue.SyncQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Writes sync results back in batches: whatever has accumulated while the previous batch was being
 * written goes in the next one, so under load a round trip carries hundreds of syncs and when idle
 * a single result is written at once. A write that fails for the database's sake (connection,
 * deadlock, shutdown) is retried with the results still queued. A write that fails for its data is
 * split until the result that cannot be written is alone; that one is recorded as a failed attempt
 * instead, so one bad payload never blocks the others. A result whose claim was lost meanwhile is
 * fenced off by the database and counted.
 */
final class CompletionWriter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(CompletionWriter.class);
    private static final int MAX_BATCH = 1000;

    private final String workerId;
    private final SyncQueue queue;
    private final WorkerMetrics metrics;
    private final Runnable afterWrite;
    private final Consumer<ClaimRef> claimEnded;
    private final LinkedBlockingQueue<Object> results = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<RateLimitObservation> observations = new ConcurrentLinkedQueue<>();
    /** Observations taken from the queue but not yet written, in the order they were seen (writer thread only). */
    private final List<RateLimitObservation> unwrittenObservations = new ArrayList<>();
    private volatile boolean running = true;
    private volatile boolean discardOnStop;

    /**
     * @param afterWrite called after each batch written (it may have made room or made work due)
     * @param claimEnded called for each result once written, fenced off or given up on
     */
    CompletionWriter(String workerId, SyncQueue queue, WorkerMetrics metrics, Runnable afterWrite,
            Consumer<ClaimRef> claimEnded) {
        this.workerId = workerId;
        this.queue = queue;
        this.metrics = metrics;
        this.afterWrite = afterWrite;
        this.claimEnded = claimEnded;
    }

    void completed(Completion completion) {
        results.add(completion);
    }

    void failed(FailedAttempt failure) {
        results.add(failure);
    }

    void deferred(Deferral deferral) {
        results.add(deferral);
    }

    /** A host's rate-limit status, written with the next batch (only the latest per host matters). */
    void observed(RateLimitObservation observation) {
        observations.add(observation);
    }

    int pending() {
        return results.size();
    }

    /** Stops once everything queued is written (the caller bounds the wait, then {@link #stopNow}). */
    void stopAfterFlush() {
        running = false;
    }

    /** Stops at once, dropping what is queued (a simulated crash). */
    void stopNow() {
        discardOnStop = true;
        running = false;
    }

    @Override
    public void run() {
        MDC.put("worker", workerId);
        Backoff backoff = new Backoff();
        List<Object> batch = new ArrayList<>();
        try {
            while ((running || !batch.isEmpty() || !results.isEmpty()) && !discardOnStop) {
                if (batch.isEmpty()) {
                    Object first = results.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    results.drainTo(batch, MAX_BATCH - 1);
                }
                try {
                    writeIsolatingBadData(batch, batch);
                    backoff.reset();
                    afterWrite.run();
                } catch (RuntimeException e) {
                    metrics.databaseErrors.increment();
                    Duration pause = backoff.next();
                    log.warn("writing back {} sync results failed (attempt {}), retrying in {} ms: {}", batch.size(),
                            backoff.attempts(), pause.toMillis(), DatabaseErrors.brief(e));
                    Thread.sleep(pause);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!batch.isEmpty() || !results.isEmpty()) {
                log.warn("stopped with {} sync results not written back; their leases will expire and they will be synced again",
                        batch.size() + results.size());
            }
            MDC.remove("worker");
        }
    }

    /**
     * Writes {@code part} of {@code batch}; what is written leaves the batch. When the database
     * rejects the data, the part is halved until the rejected result is alone, and that result is
     * recorded as a failed attempt. Other errors are thrown, with the unwritten rest still queued.
     */
    private void writeIsolatingBadData(List<Object> batch, List<Object> part) {
        List<Object> unwritten = new ArrayList<>(part);
        try {
            write(unwritten);
            removeSame(batch, part);
        } catch (RuntimeException e) {
            removeSame(batch, without(part, unwritten)); // the kinds written before the failure
            if (!WriteErrors.isCausedByData(e)) {
                throw e;
            }
            if (unwritten.size() == 1) {
                giveUp(batch, unwritten.getFirst(), e);
                return;
            }
            int half = unwritten.size() / 2;
            writeIsolatingBadData(batch, new ArrayList<>(unwritten.subList(0, half)));
            writeIsolatingBadData(batch, new ArrayList<>(unwritten.subList(half, unwritten.size())));
        }
    }

    /**
     * A result the database will not take: a completion or deferral becomes a failed attempt (the
     * claim ends, the changeset is retried with backoff, the error is in last_error); a failed
     * attempt that cannot be written either is left to its lease, which the sweep counts as a failure.
     */
    private void giveUp(List<Object> batch, Object result, RuntimeException e) {
        String why = "could not be written back: " + DatabaseErrors.brief(e);
        log.error("{} {}", describe(result), why);
        metrics.unwritable.increment();
        int at = indexOfSame(batch, result);
        switch (result) {
            case Completion completion -> batch.set(at, new FailedAttempt(completion.ref(), why));
            case Deferral deferral -> batch.set(at, new FailedAttempt(deferral.ref(), why));
            case FailedAttempt failure -> {
                batch.remove(at);
                claimEnded.accept(failure.ref());
                return;
            }
            default -> throw new IllegalStateException("not a sync result: " + result);
        }
        writeIsolatingBadData(batch, List.of(batch.get(at)));
    }

    /**
     * Writes what hosts said about their quotas, then completions, failures and deferrals; each part
     * leaves {@code batch} once written, so a retry never repeats it.
     */
    private void write(List<Object> batch) {
        writeObservations();
        List<Completion> completions = new ArrayList<>();
        List<FailedAttempt> failures = new ArrayList<>();
        List<Deferral> deferrals = new ArrayList<>();
        for (Object result : batch) {
            switch (result) {
                case Completion completion -> completions.add(completion);
                case FailedAttempt failure -> failures.add(failure);
                case Deferral deferral -> deferrals.add(deferral);
                default -> throw new IllegalStateException("not a sync result: " + result);
            }
        }
        if (!completions.isEmpty()) {
            recordArchivedFlags(completions);
            Set<Long> applied = queue.complete(completions);
            batch.removeIf(Completion.class::isInstance);
            metrics.writeBatches.increment();
            for (Completion completion : completions) {
                if (applied.contains(completion.ref().changesetId())) {
                    metrics.completed.increment();
                    switch (completion.result()) {
                        case SyncResult.Unchanged unchanged -> metrics.unchanged.increment();
                        case SyncResult.Gone gone -> metrics.gone.increment();
                        default -> { }
                    }
                } else {
                    fenced(completion.ref());
                }
                claimEnded.accept(completion.ref());
            }
        }
        if (!failures.isEmpty()) {
            Set<Long> applied = queue.fail(failures);
            batch.removeIf(FailedAttempt.class::isInstance);
            metrics.writeBatches.increment();
            countApplied(failures.stream().map(FailedAttempt::ref).toList(), applied, metrics.failed);
        }
        if (!deferrals.isEmpty()) {
            Set<Long> applied = queue.defer(deferrals);
            batch.removeIf(Deferral.class::isInstance);
            metrics.writeBatches.increment();
            countApplied(deferrals.stream().map(Deferral::ref).toList(), applied, metrics.deferred);
            log.warn("code host {} refused {} sync(s) for its rate limit; it is paused for every replica: {}",
                    deferrals.getFirst().codeHostId(), deferrals.size(), deferrals.getFirst().message());
        }
    }

    /**
     * Before the completions (whose write ends the claims that fence this): a repository's flag is
     * secondary to the sync itself, so a failure is logged and the next sync reports it again.
     */
    private void recordArchivedFlags(List<Completion> completions) {
        try {
            Set<Long> flipped = queue.recordArchivedFlags(completions);
            if (!flipped.isEmpty()) {
                log.info("syncs found the archived flag of {} repositor{} changed: {}", flipped.size(),
                        flipped.size() == 1 ? "y" : "ies", flipped);
            }
        } catch (RuntimeException e) {
            metrics.databaseErrors.increment();
            log.warn("could not record the archived flags {} syncs reported; the next syncs will report them again: {}",
                    completions.size(), DatabaseErrors.brief(e));
        }
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

    private void countApplied(List<ClaimRef> refs, Set<Long> applied, LongAdder counter) {
        for (ClaimRef ref : refs) {
            if (applied.contains(ref.changesetId())) {
                counter.increment();
            } else {
                fenced(ref);
            }
            claimEnded.accept(ref);
        }
    }

    private void fenced(ClaimRef ref) {
        metrics.fenced.increment();
        log.warn("discarded the write-back of changeset={} claim={}: the claim was lost (lease expired, claimed again)",
                ref.changesetId(), ref.claimToken());
    }

    private static String describe(Object result) {
        return switch (result) {
            case Completion c -> "the result of changeset=%d claim=%d".formatted(c.ref().changesetId(), c.ref().claimToken());
            case FailedAttempt f -> "the failed attempt of changeset=%d claim=%d".formatted(f.ref().changesetId(), f.ref().claimToken());
            case Deferral d -> "the deferral of changeset=%d claim=%d".formatted(d.ref().changesetId(), d.ref().claimToken());
            default -> String.valueOf(result);
        };
    }

    // Results are compared by identity: two equal records are still two results to write.

    private static void removeSame(List<Object> from, List<Object> items) {
        Set<Object> remove = Collections.newSetFromMap(new IdentityHashMap<>());
        remove.addAll(items);
        from.removeIf(remove::contains);
    }

    private static List<Object> without(List<Object> all, List<Object> some) {
        Set<Object> exclude = Collections.newSetFromMap(new IdentityHashMap<>());
        exclude.addAll(some);
        return all.stream().filter(item -> !exclude.contains(item)).toList();
    }

    private static int indexOfSame(List<Object> list, Object item) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == item) {
                return i;
            }
        }
        throw new IllegalStateException("not in the batch: " + item);
    }
}
