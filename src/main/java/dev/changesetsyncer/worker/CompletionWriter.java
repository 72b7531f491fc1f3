package dev.changesetsyncer.worker;

import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.queue.ClaimRef;
import dev.changesetsyncer.queue.Completion;
import dev.changesetsyncer.queue.Deferral;
import dev.changesetsyncer.queue.RateLimitObservation;
import dev.changesetsyncer.queue.FailedAttempt;
import dev.changesetsyncer.queue.SyncQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Writes sync results back in batches: whatever has accumulated while the previous batch was being
 * written goes in the next one, so under load a round trip carries hundreds of syncs and when idle
 * a single result is written at once. A failed write is retried (the results stay queued); a
 * result whose claim was lost meanwhile is fenced off by the database and counted.
 */
final class CompletionWriter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(CompletionWriter.class);
    private static final int MAX_BATCH = 1000;

    private final String workerId;
    private final SyncQueue queue;
    private final WorkerMetrics metrics;
    private final Runnable afterWrite;
    private final LinkedBlockingQueue<Object> results = new LinkedBlockingQueue<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<RateLimitObservation> observations =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private volatile boolean discardOnStop;

    CompletionWriter(String workerId, SyncQueue queue, WorkerMetrics metrics, Runnable afterWrite) {
        this.workerId = workerId;
        this.queue = queue;
        this.metrics = metrics;
        this.afterWrite = afterWrite;
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
            while (running || (!results.isEmpty() && !discardOnStop)) {
                if (batch.isEmpty()) {
                    Object first = results.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    results.drainTo(batch, MAX_BATCH - 1);
                }
                if (discardOnStop) {
                    return;
                }
                try {
                    write(batch);
                    backoff.reset();
                    afterWrite.run();
                } catch (DataAccessException e) {
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
     * Writes what hosts said about their quotas, then completions, failures and deferrals; each part
     * leaves the batch once written, so a retry never repeats it.
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

    private void writeObservations() {
        List<RateLimitObservation> pending = new ArrayList<>();
        for (RateLimitObservation next; (next = observations.poll()) != null; ) {
            pending.add(next);
        }
        try {
            queue.observe(pending);
        } catch (RuntimeException e) {
            observations.addAll(pending); // keep them for the retry
            throw e;
        }
    }

    private void countApplied(List<ClaimRef> refs, Set<Long> applied, java.util.concurrent.atomic.LongAdder counter) {
        for (ClaimRef ref : refs) {
            if (applied.contains(ref.changesetId())) {
                counter.increment();
            } else {
                fenced(ref);
            }
        }
    }

    private void fenced(ClaimRef ref) {
        metrics.fenced.increment();
        log.warn("discarded the write-back of changeset={} claim={}: the claim was lost (lease expired, claimed again)",
                ref.changesetId(), ref.claimToken());
    }
}
