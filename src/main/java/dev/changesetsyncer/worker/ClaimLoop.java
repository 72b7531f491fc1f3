package dev.changesetsyncer.worker;

import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.queue.Claim;
import dev.changesetsyncer.queue.ClaimedWork;
import dev.changesetsyncer.queue.RepoClaim;
import dev.changesetsyncer.queue.SyncQueue;
import dev.changesetsyncer.worker.SyncLauncher.Lane;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The replica's main loop: claim as many due changesets as there are free slots, and repository syncs
 * as there are free repository slots (one round trip), hand them to the {@link SyncLauncher} and
 * {@link RepoSyncs}, and when nothing more is due sleep until the earliest next one — or until a
 * NOTIFY says something became due now, which it serves first through the express slots.
 */
final class ClaimLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);
    /**
     * First pause when rows are due but the claim got none (other replicas' claims hold them or
     * their host's budget row); it doubles while that lasts, up to the poll interval.
     */
    private static final Duration FIRST_CONTENDED_PAUSE = Duration.ofMillis(5);
    /** While every changeset slot is busy, how often the loop still claims repository syncs into their own slots. */
    private static final Duration BUSY_REPOSITORY_CLAIMS = Duration.ofSeconds(1);

    private final WorkerSettings settings;
    private final SyncQueue queue;
    private final SyncLauncher launcher;
    private final RepoSyncs repoSyncs;
    private final HostShares shares;
    private final CompletionWriter writer;
    private final WorkerMetrics metrics;
    private final AtomicBoolean requestsArrived = new AtomicBoolean();
    private final Wakeup workArrived;
    private final Wakeup capacityFreed;
    private volatile boolean running = true;
    private volatile long lastTurn = System.nanoTime();
    private Duration contendedPause = FIRST_CONTENDED_PAUSE;

    /**
     * @param workArrived signalled when something may have become due sooner than the loop thought
     * @param capacityFreed signalled when a sync finished or a write-back made room
     */
    ClaimLoop(WorkerSettings settings, SyncQueue queue, SyncLauncher launcher, RepoSyncs repoSyncs, HostShares shares,
            CompletionWriter writer, WorkerMetrics metrics, Wakeup workArrived, Wakeup capacityFreed) {
        this.settings = settings;
        this.queue = queue;
        this.launcher = launcher;
        this.repoSyncs = repoSyncs;
        this.shares = shares;
        this.writer = writer;
        this.metrics = metrics;
        this.workArrived = workArrived;
        this.capacityFreed = capacityFreed;
    }

    void stop() {
        running = false;
        workArrived.signal();
        capacityFreed.signal();
    }

    /** The loop's last turn (System.nanoTime()); it turns at least every poll interval unless a database call hangs. */
    long lastTurnNanos() {
        return lastTurn;
    }

    /** Called on a NOTIFY: something became due now, most likely a request. */
    void requestsArrived() {
        requestsArrived.set(true);
        workArrived.signal();
        capacityFreed.signal();
    }

    @Override
    public void run() {
        MDC.put("worker", settings.workerId());
        Backoff backoff = new Backoff();
        try {
            while (running) {
                lastTurn = System.nanoTime();
                try {
                    claimOnce(backoff);
                } catch (RuntimeException e) { // a bug, not the database (claim errors are handled inside)
                    metrics.databaseErrors.increment();
                    log.error("the claim loop failed, continuing after a pause", e);
                    workArrived.await(backoff.next());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            MDC.remove("worker");
        }
    }

    /** One turn: express claims on a NOTIFY, then a claim for the free slots, then sleep if short. */
    private void claimOnce(Backoff backoff) throws InterruptedException {
        if (requestsArrived.getAndSet(false)) {
            claimExpress();
        }
        int capacity = Math.max(0, Math.min(Math.min(launcher.freeSlots(Lane.REGULAR), settings.batchSize()),
                settings.maxPendingWrites() - writer.pending()));
        int repoCapacity = repoSyncs.freeSlots();
        if (capacity <= 0 && repoCapacity <= 0) {
            capacityFreed.await(settings.pollInterval());
            return;
        }
        ClaimedWork work;
        long sent = System.nanoTime();
        try {
            work = queue.claimWork(settings.workerId(), capacity, repoCapacity, settings.lease(), shares.saturated());
            backoff.reset();
        } catch (RuntimeException e) {
            metrics.databaseErrors.increment();
            Duration pause = backoff.next();
            log.warn("claim failed (attempt {}), retrying in {} ms: {}", backoff.attempts(), pause.toMillis(),
                    DatabaseErrors.brief(e));
            workArrived.await(pause);
            return;
        }
        List<Claim> claims = work.changesets();
        counted(claims, sent);
        for (RepoClaim repo : work.repos()) {
            if (!repoSyncs.start(repo, InFlight.deadline(sent, repo.claimedAt(), repo.leaseUntil()))) {
                return; // stopping: the claims not started are left to their leases
            }
        }
        for (Claim claim : claims) {
            if (!launcher.start(claim, InFlight.deadline(sent, claim.claimedAt(), claim.leaseUntil()), Lane.REGULAR)) {
                return; // stopping: the claims not started are left to their leases
            }
        }
        if (!work.isEmpty()) {
            contendedPause = FIRST_CONTENDED_PAUSE;
        }
        if (capacity == 0) {
            // every slot busy: only repository syncs were asked for; look again when a sync ends (or soon)
            capacityFreed.await(min(settings.pollInterval(), BUSY_REPOSITORY_CLAIMS));
        } else if (claims.size() < capacity) {
            idle(work.isEmpty());
        }
    }

    /**
     * Requested changesets only, into the express slots: taken at once on a NOTIFY even when every
     * regular slot is busy or write-backs are queued. A failure here is left to the regular claim.
     */
    private void claimExpress() {
        int free = launcher.freeSlots(Lane.EXPRESS);
        if (free == 0) {
            return;
        }
        long sent = System.nanoTime();
        try {
            List<Claim> claims = queue.claim(settings.workerId(), free, settings.lease(), shares.saturated(), true);
            counted(claims, sent);
            for (Claim claim : claims) {
                launcher.start(claim, InFlight.deadline(sent, claim.claimedAt(), claim.leaseUntil()), Lane.EXPRESS);
            }
        } catch (RuntimeException e) {
            metrics.databaseErrors.increment();
            log.debug("express claim failed; the regular claim will pick the requests up: {}", DatabaseErrors.brief(e));
        }
    }

    /** The claim's round trip and size, and for each requested changeset how long its request waited. */
    private void counted(List<Claim> claims, long sentNanos) {
        metrics.claimed(claims.size(), System.nanoTime() - sentNanos);
        for (Claim claim : claims) {
            if (claim.requestedAt() != null) {
                metrics.requestStarted(claim.target().codeHostName(),
                        Duration.between(claim.requestedAt(), claim.claimedAt()));
            }
        }
    }

    /** Nothing (more) is due: sleep until the earliest next changeset, a NOTIFY, or the poll interval. */
    private void idle(boolean claimedNothing) throws InterruptedException {
        Duration sleep = settings.pollInterval();
        try {
            Optional<Duration> untilDue = queue.nextClaimDelay(shares.saturated(), repoSyncs.freeSlots() > 0);
            if (untilDue.isPresent() && untilDue.get().compareTo(sleep) < 0) {
                sleep = untilDue.get();
            }
        } catch (RuntimeException e) {
            metrics.databaseErrors.increment();
            log.warn("could not read the next due time, sleeping the poll interval: {}", DatabaseErrors.brief(e));
        }
        if (sleep.isZero()) {
            if (!claimedNothing) {
                contendedPause = FIRST_CONTENDED_PAUSE;
                return; // the batch came up short but more is due: claim again at once
            }
            sleep = contendedPause;
            contendedPause = min(contendedPause.multipliedBy(2), settings.pollInterval());
        } else {
            contendedPause = FIRST_CONTENDED_PAUSE;
        }
        workArrived.await(sleep);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
