package dev.changesetsyncer.worker;

import dev.changesetsyncer.codehost.CodeHostClients;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.RepoTarget;
import dev.changesetsyncer.codehost.http.LeaseDeadlinePassed;
import dev.changesetsyncer.codehost.http.SyncCaller;
import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.queue.RateLimitObservation;
import dev.changesetsyncer.queue.Refund;
import dev.changesetsyncer.queue.RepoClaimRef;
import dev.changesetsyncer.queue.RepoSyncOutcome;
import dev.changesetsyncer.queue.RepoWriteBack;
import dev.changesetsyncer.queue.SyncQueue;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One repository sync: read it (and list its pull requests when tracked) from its host, then write
 * the result back on this thread (repository syncs are few: one round trip each), retrying while the
 * claim still holds. What the host said about its quota, and the free requests to give back, go to
 * the replica's writer.
 */
final class RepoSyncTask implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(RepoSyncTask.class);

    /** Called once the sync is over, whatever happened. */
    @FunctionalInterface
    interface Finished {
        void run(boolean written);
    }

    private final String workerId;
    private final HeldRepoSync sync;
    private final CodeHostClients clients;
    private final SyncQueue queue;
    private final CompletionWriter writer;
    private final Finished finished;

    private final long requestMarginNanos;

    RepoSyncTask(String workerId, HeldRepoSync sync, CodeHostClients clients, SyncQueue queue, CompletionWriter writer,
            Finished finished, long requestMarginNanos) {
        this.requestMarginNanos = requestMarginNanos;
        this.workerId = workerId;
        this.sync = sync;
        this.clients = clients;
        this.queue = queue;
        this.writer = writer;
        this.finished = finished;
    }

    @Override
    public void run() {
        MDC.put("worker", workerId);
        RepoTarget target = sync.claim().target();
        RepoClaimRef ref = sync.ref();
        boolean written = false;
        try {
            if (!sync.begin()) {
                return; // lost before it started
            }
            RepoSyncResult result;
            try (SyncCaller.Scope ignored = SyncCaller.enter(workerId, ref.claimToken(),
                    () -> sync.deadlineNanos() - requestMarginNanos)) {
                result = clients.forHost(target.codeHost()).syncRepository(target);
            }
            if (!sync.handOver()) {
                return; // lost while reading: the result is dropped
            }
            if (result.rateLimit() != null) {
                writer.observed(new RateLimitObservation(target.codeHostId(), result.rateLimit()));
            }
            writer.refunded(Refund.of(target.codeHostId(), sync.claim().cost(), result.freeRequests()));
            if (result instanceof RepoSyncResult.Found found && found.listing() != null && found.listing().truncated()) {
                log.warn("repo={} claim={} the listing of {} stopped at its page limit ({} pages): older pull requests "
                        + "are imported when they next change", ref.repoId(), ref.claimToken(), target.name(),
                        found.listing().pages());
            }
            written = write(new RepoWriteBack(ref, target, result));
        } catch (LeaseDeadlinePassed e) {
            if (sync.abandon()) {
                log.warn("abandoning the repository sync of repo={} claim={} without a write-back: {}", ref.repoId(),
                        ref.claimToken(), e.getMessage());
            }
        } catch (InterruptedException e) {
            log.debug("repo={} claim={} repository sync cancelled", ref.repoId(), ref.claimToken());
        } catch (RuntimeException e) {
            log.warn("repo={} claim={} repository sync failed unexpectedly: {}", ref.repoId(), ref.claimToken(),
                    e.toString());
        } finally {
            finished.run(written);
            MDC.remove("worker");
        }
    }

    /** Writes the result back, retrying with backoff while the lease may still hold. */
    private boolean write(RepoWriteBack writeBack) throws InterruptedException {
        RepoClaimRef ref = writeBack.ref();
        Backoff backoff = new Backoff();
        while (true) {
            try {
                List<RepoSyncOutcome> outcomes = queue.recordRepoSyncs(List.of(writeBack));
                if (outcomes.isEmpty()) {
                    log.warn("discarded the write-back of repo={} claim={}: the claim was lost (lease expired, claimed "
                            + "again)", ref.repoId(), ref.claimToken());
                    return false;
                }
                RepoSyncOutcome outcome = outcomes.getFirst();
                if (outcome.repoChanged() || outcome.imported() > 0) {
                    log.info("repository {} ({}): {}{}", writeBack.target().name(), outcome.outcome(),
                            outcome.repoChanged() ? "archived flag, name or deletion changed" : "",
                            outcome.imported() > 0 ? (outcome.repoChanged() ? "; " : "") + outcome.imported()
                                    + " changesets imported" : "");
                } else {
                    log.debug("repo={} claim={} written back: {}", ref.repoId(), ref.claimToken(), outcome.outcome());
                }
                return true;
            } catch (RuntimeException e) {
                if (sync.deadlineNanos() - System.nanoTime() <= 0 || sync.state() == HeldRepoSync.State.LOST) {
                    log.warn("gave up writing back repo={} claim={}: its lease ran out: {}", ref.repoId(),
                            ref.claimToken(), DatabaseErrors.brief(e));
                    return false;
                }
                log.warn("writing back repo={} claim={} failed (attempt {}), retrying: {}", ref.repoId(),
                        ref.claimToken(), backoff.attempts() + 1, DatabaseErrors.brief(e));
                Thread.sleep(backoff.next());
            }
        }
    }
}
