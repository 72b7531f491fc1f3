package dev.changesetsyncer.worker;

import dev.changesetsyncer.codehost.CodeHostClients;
import dev.changesetsyncer.codehost.FailureKind;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.SyncTarget;
import dev.changesetsyncer.codehost.http.LeaseDeadlinePassed;
import dev.changesetsyncer.codehost.http.SyncCaller;
import dev.changesetsyncer.queue.ClaimRef;
import dev.changesetsyncer.queue.Completion;
import dev.changesetsyncer.queue.Deferral;
import dev.changesetsyncer.queue.FailedAttempt;
import dev.changesetsyncer.queue.RateLimitObservation;
import dev.changesetsyncer.queue.Refund;
import dev.changesetsyncer.queue.WriteBack;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One sync: fetch from the code host, hand the result to the writer (which ends the claim), free the
 * slot. Its requests stop at the lease deadline less a margin ({@link SyncCaller}): past it, the sync
 * is abandoned — no further request, no write-back — and counted as lost.
 */
final class SyncTask implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SyncTask.class);

    /** Called once the sync is over, whatever happened. */
    @FunctionalInterface
    interface Finished {
        /** @param resultQueued a result went to the writer, which ends the claim once it is written */
        void run(boolean resultQueued);
    }

    private final String workerId;
    private final InFlightSync sync;
    private final CodeHostClients clients;
    private final CompletionWriter writer;
    private final Finished finished;
    private final long requestMarginNanos;
    private final WorkerMetrics metrics;

    /** @param requestMarginNanos how long before the lease deadline the sync stops calling the host */
    SyncTask(String workerId, InFlightSync sync, CodeHostClients clients, CompletionWriter writer, Finished finished,
            long requestMarginNanos, WorkerMetrics metrics) {
        this.workerId = workerId;
        this.sync = sync;
        this.clients = clients;
        this.writer = writer;
        this.finished = finished;
        this.requestMarginNanos = requestMarginNanos;
        this.metrics = metrics;
    }

    @Override
    public void run() {
        MDC.put("worker", workerId);
        SyncTarget target = sync.claim().target();
        ClaimRef ref = sync.ref();
        boolean queued = false;
        try {
            if (!sync.begin()) {
                return; // lost before it started
            }
            SyncResult result;
            long started = System.nanoTime();
            try (SyncCaller.Scope ignored = SyncCaller.enter(workerId, ref.claimToken(),
                    () -> sync.deadlineNanos() - requestMarginNanos)) {
                result = clients.forHost(target.codeHost()).fetch(target);
            }
            metrics.syncTook(target.codeHostName(), Duration.ofNanos(System.nanoTime() - started));
            WriteBack writeBack = writeBack(ref, target, result);
            if (!sync.handOver()) {
                return; // lost while fetching: the result is dropped
            }
            log.trace("changeset={} claim={} fetched: {}", ref.changesetId(), ref.claimToken(), result);
            if (result.rateLimit() != null) {
                writer.observed(new RateLimitObservation(target.codeHostId(), result.rateLimit()));
            }
            writer.refunded(Refund.of(target.codeHostId(), sync.claim().cost(), result.freeRequests()));
            writer.submit(writeBack);
            queued = true;
        } catch (LeaseDeadlinePassed e) {
            if (sync.abandon()) {
                metrics.lost.increment();
                log.warn("abandoning the sync of changeset={} claim={} without a write-back: {}", ref.changesetId(),
                        ref.claimToken(), e.getMessage());
            }
        } catch (InterruptedException e) {
            log.debug("changeset={} claim={} sync cancelled", ref.changesetId(), ref.claimToken());
        } catch (RuntimeException e) {
            if (sync.handOver()) {
                log.warn("changeset={} claim={} sync failed unexpectedly: {}", ref.changesetId(), ref.claimToken(),
                        e.toString());
                writer.submit(new FailedAttempt(ref, "error: " + e));
                queued = true;
            }
        } finally {
            finished.run(queued);
            MDC.remove("worker");
        }
    }

    private static WriteBack writeBack(ClaimRef ref, SyncTarget target, SyncResult result) {
        return switch (result) {
            case SyncResult.Failed failed when failed.kind() == FailureKind.RATE_LIMITED ->
                    new Deferral(ref, target.codeHostId(), failed.retryAfter(), failed.rateLimit(), failed.message());
            case SyncResult.Failed failed ->
                    new FailedAttempt(ref, failed.kind().name().toLowerCase(Locale.ROOT) + ": " + failed.message());
            case SyncResult.Completed completed ->
                    new Completion(ref, archivedFlagOnlyIfChanged(completed, target.repoArchived()));
        };
    }

    /**
     * Drops a repository archived flag equal to the one the claim carried: it is not news, and a
     * batch with no flag to record skips {@code record_archived_flags} (GitHub and Bitbucket report
     * the flag with every pull request they send).
     */
    static SyncResult.Completed archivedFlagOnlyIfChanged(SyncResult.Completed result, Boolean claimed) {
        return switch (result) {
            case SyncResult.Fetched fetched when claimed != null && claimed.equals(fetched.snapshot().repoArchived()) ->
                    fetched.withSnapshot(fetched.snapshot().withRepoArchived(null));
            case SyncResult.Fetched fetched -> fetched;
            case SyncResult.Unchanged unchanged -> unchanged;
            case SyncResult.Gone gone -> gone;
        };
    }
}
