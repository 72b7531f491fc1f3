package dev.changesetsyncer.worker;

import dev.changesetsyncer.codehost.CodeHostClients;
import dev.changesetsyncer.queue.Claim;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the sync of each claim on its own virtual thread, in a free slot: a regular one, or one
 * of the few express slots kept for requested changesets. When a sync ends it frees its slot and
 * its host's share and says so ({@code capacityFreed}); a claim with no result to write ends there.
 */
final class SyncLauncher {
    private static final Logger log = LoggerFactory.getLogger(SyncLauncher.class);

    /** Which slots a sync runs in. */
    enum Lane {
        REGULAR,
        /** Requested changesets only, so that a request need not wait for a busy replica. */
        EXPRESS
    }

    private final String workerId;
    private final CodeHostClients clients;
    private final CompletionWriter writer;
    private final InFlight inFlight;
    private final HostShares shares;
    private final ExecutorService syncs;
    private final Wakeup capacityFreed;
    private final Semaphore slots;
    private final Semaphore expressSlots;
    private final long requestMarginNanos;
    private final WorkerMetrics metrics;

    SyncLauncher(WorkerSettings settings, CodeHostClients clients, CompletionWriter writer, InFlight inFlight,
            HostShares shares, ExecutorService syncs, Wakeup capacityFreed, WorkerMetrics metrics) {
        this.workerId = settings.workerId();
        this.clients = clients;
        this.writer = writer;
        this.inFlight = inFlight;
        this.shares = shares;
        this.syncs = syncs;
        this.capacityFreed = capacityFreed;
        this.slots = new Semaphore(settings.concurrency());
        this.expressSlots = new Semaphore(settings.expressConcurrency());
        this.requestMarginNanos = settings.requestMargin().toNanos();
        this.metrics = metrics;
    }

    int freeSlots(Lane lane) {
        return permits(lane).availablePermits();
    }

    /** Starts the sync of a claim in a slot of {@code lane}; false if the replica is shutting down. */
    boolean start(Claim claim, long deadlineNanos, Lane lane) {
        Semaphore permits = permits(lane);
        permits.acquireUninterruptibly();
        long codeHostId = claim.target().codeHostId();
        shares.started(codeHostId);
        InFlightSync sync = inFlight.add(claim, deadlineNanos);
        log.trace("changeset={} claim={} claimed", claim.changesetId(), claim.ref().claimToken());
        SyncTask.Finished finished = resultQueued -> {
            if (!resultQueued) {
                inFlight.remove(sync); // no result to write: the claim ends here
            }
            shares.ended(codeHostId);
            permits.release();
            capacityFreed.signal();
        };
        try {
            syncs.execute(new SyncTask(workerId, sync, clients, writer, finished, requestMarginNanos, metrics));
            return true;
        } catch (RejectedExecutionException e) { // shut down: the replica is stopping
            finished.run(false);
            return false;
        }
    }

    private Semaphore permits(Lane lane) {
        return switch (lane) {
            case REGULAR -> slots;
            case EXPRESS -> expressSlots;
        };
    }
}
