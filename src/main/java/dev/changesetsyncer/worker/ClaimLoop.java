package dev.changesetsyncer.worker;

import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.codehost.CodeHostClients;
import dev.changesetsyncer.queue.Claim;
import dev.changesetsyncer.queue.SyncQueue;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The replica's main loop: claim as many due changesets as there are free slots (one round trip),
 * start a sync for each, and when nothing more is due sleep until the earliest next one — or until
 * a NOTIFY says something became due now.
 */
final class ClaimLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);
    /**
     * First pause when rows are due but the claim got none (other replicas' claims hold them or
     * their host's budget row); it doubles while that lasts, up to the poll interval.
     */
    private static final Duration FIRST_CONTENDED_PAUSE = Duration.ofMillis(5);

    private final WorkerSettings settings;
    private final SyncQueue queue;
    private final CodeHostClients clients;
    private final CompletionWriter writer;
    private final InFlight inFlight;
    private final ExecutorService syncs;
    private final WorkerMetrics metrics;
    private final Semaphore slots;
    /** A few extra slots that only requested changesets may use, so a request need not wait for a busy replica. */
    private final Semaphore expressSlots;
    private final java.util.concurrent.atomic.AtomicBoolean requestsArrived = new java.util.concurrent.atomic.AtomicBoolean();
    private final Wakeup workArrived;
    private final Wakeup capacityFreed = new Wakeup();
    private final Map<Long, AtomicInteger> runningByHost = new ConcurrentHashMap<>();
    private volatile boolean severalHosts;
    private volatile boolean running = true;
    private Duration contendedPause = FIRST_CONTENDED_PAUSE;

    ClaimLoop(WorkerSettings settings, SyncQueue queue, CodeHostClients clients, CompletionWriter writer,
            InFlight inFlight, ExecutorService syncs, WorkerMetrics metrics, Wakeup workArrived) {
        this.settings = settings;
        this.queue = queue;
        this.clients = clients;
        this.writer = writer;
        this.inFlight = inFlight;
        this.syncs = syncs;
        this.metrics = metrics;
        this.workArrived = workArrived;
        this.slots = new Semaphore(settings.concurrency());
        this.expressSlots = new Semaphore(settings.expressConcurrency());
    }

    void stop() {
        running = false;
        workArrived.signal();
        capacityFreed.signal();
    }

    /** Called when a sync finished or a write-back made room. */
    void capacityFreed() {
        capacityFreed.signal();
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
        int capacity = Math.min(Math.min(slots.availablePermits(), settings.batchSize()),
                settings.maxPendingWrites() - writer.pending());
        if (capacity <= 0) {
            capacityFreed.await(settings.pollInterval());
            return;
        }
        List<Claim> claims;
        long sent = System.nanoTime();
        try {
            claims = queue.claim(settings.workerId(), capacity, settings.lease(), saturatedHosts());
            backoff.reset();
        } catch (RuntimeException e) {
            metrics.databaseErrors.increment();
            Duration pause = backoff.next();
            log.warn("claim failed (attempt {}), retrying in {} ms: {}", backoff.attempts(), pause.toMillis(),
                    DatabaseErrors.brief(e));
            workArrived.await(pause);
            return;
        }
        metrics.claimCalls.increment();
        metrics.claimed.add(claims.size());
        long deadline = sent + settings.lease().toNanos();
        for (Claim claim : claims) {
            if (!start(claim, deadline, slots)) {
                return; // stopping: what was not started is released with the rest of the claims
            }
        }
        if (!claims.isEmpty()) {
            contendedPause = FIRST_CONTENDED_PAUSE;
        }
        if (claims.size() < capacity) {
            idle(claims.isEmpty());
        }
    }

    /** Set by the replica's housekeeping: when there is more than one code host, no host may take every slot. */
    void severalHosts(boolean value) {
        severalHosts = value;
    }

    /**
     * Hosts using three quarters of this replica's slots are left out of the next claim, so that a
     * slow host cannot hold every slot while another host's changesets wait.
     */
    private Set<Long> saturatedHosts() {
        if (!severalHosts) {
            return Set.of();
        }
        int share = Math.max(1, settings.concurrency() * 3 / 4);
        Set<Long> saturated = new HashSet<>();
        runningByHost.forEach((host, count) -> {
            if (count.get() >= share) {
                saturated.add(host);
            }
        });
        return saturated;
    }

    /**
     * Requested changesets only, into the express slots: taken at once on a NOTIFY even when every
     * regular slot is busy or write-backs are queued. A failure here is left to the regular claim.
     */
    private void claimExpress() {
        int free = expressSlots.availablePermits();
        if (free == 0) {
            return;
        }
        long sent = System.nanoTime();
        try {
            List<Claim> claims = queue.claim(settings.workerId(), free, settings.lease(), saturatedHosts(), true);
            metrics.claimCalls.increment();
            metrics.claimed.add(claims.size());
            for (Claim claim : claims) {
                start(claim, sent + settings.lease().toNanos(), expressSlots);
            }
        } catch (RuntimeException e) {
            metrics.databaseErrors.increment();
            log.debug("express claim failed; the regular claim will pick the requests up: {}", DatabaseErrors.brief(e));
        }
    }

    /** Starts the sync of a claim in a slot; false if the replica is shutting down. */
    private boolean start(Claim claim, long deadlineNanos, Semaphore permits) {
        permits.acquireUninterruptibly();
        AtomicInteger hostCount = runningByHost.computeIfAbsent(claim.target().codeHostId(), id -> new AtomicInteger());
        hostCount.incrementAndGet();
        InFlight.Running entry = inFlight.add(claim, deadlineNanos);
        log.trace("changeset={} claim={} claimed", claim.changesetId(), claim.ref().claimToken());
        Runnable done = () -> {
            if (!entry.writing) {
                inFlight.remove(entry); // no result to write: the claim ends here
            }
            hostCount.decrementAndGet();
            permits.release();
            capacityFreed.signal();
        };
        try {
            syncs.execute(new SyncTask(settings.workerId(), entry, clients, writer, done));
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) { // shut down: the replica is stopping
            done.run();
            return false;
        }
    }

    /** Nothing (more) is due: sleep until the earliest next changeset, a NOTIFY, or the poll interval. */
    private void idle(boolean claimedNothing) throws InterruptedException {
        Duration sleep = settings.pollInterval();
        try {
            Optional<Duration> untilDue = queue.nextClaimDelay(saturatedHosts());
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
