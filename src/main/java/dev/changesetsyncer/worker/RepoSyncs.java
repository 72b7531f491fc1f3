package dev.changesetsyncer.worker;

import dev.changesetsyncer.codehost.CodeHostClients;
import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.queue.RepoClaim;
import dev.changesetsyncer.queue.RepoClaimRef;
import dev.changesetsyncer.queue.SyncQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repository syncs a replica runs: claimed with its changesets (the claim loop asks for as many as
 * there are free repository slots), each on its own virtual thread, their leases kept alive by
 * {@link #heartbeat()} and given up when they cannot be, like changesets' ({@link LeaseKeeper}).
 */
final class RepoSyncs {
    private static final Logger log = LoggerFactory.getLogger(RepoSyncs.class);

    private final String workerId;
    private final Duration lease;
    private final long requestMarginNanos;
    private final CodeHostClients clients;
    private final SyncQueue queue;
    private final CompletionWriter writer;
    private final ExecutorService executor;
    private final Wakeup capacityFreed;
    private final Semaphore slots;
    private final Map<Long, HeldRepoSync> held = new ConcurrentHashMap<>();
    private final LongAdder written = new LongAdder();

    RepoSyncs(WorkerSettings settings, CodeHostClients clients, SyncQueue queue, CompletionWriter writer,
            ExecutorService executor, Wakeup capacityFreed) {
        this.workerId = settings.workerId();
        this.lease = settings.lease();
        this.requestMarginNanos = settings.requestMargin().toNanos();
        this.clients = clients;
        this.queue = queue;
        this.writer = writer;
        this.executor = executor;
        this.capacityFreed = capacityFreed;
        this.slots = new Semaphore(settings.repoConcurrency());
    }

    int freeSlots() {
        return slots.availablePermits();
    }

    /** Repository syncs written back so far. */
    long written() {
        return written.sum();
    }

    /** Repository syncs held right now. */
    int running() {
        return held.size();
    }

    /** Starts the sync of a claim in a free slot; false if the replica is shutting down. */
    boolean start(RepoClaim claim, long deadlineNanos) {
        slots.acquireUninterruptibly();
        HeldRepoSync sync = new HeldRepoSync(claim, deadlineNanos);
        held.put(claim.repoId(), sync);
        RepoSyncTask.Finished finished = wasWritten -> {
            held.remove(claim.repoId(), sync);
            if (wasWritten) {
                written.increment();
            }
            slots.release();
            capacityFreed.signal();
        };
        try {
            executor.execute(new RepoSyncTask(workerId, sync, clients, queue, writer, finished, requestMarginNanos));
            return true;
        } catch (RejectedExecutionException e) { // the replica is stopping
            finished.run(false);
            return false;
        }
    }

    /**
     * Every third of the lease: extends the leases that would end before the next run but one, and
     * gives up (interrupting the sync) on a claim the database no longer has or whose lease ran out.
     */
    void heartbeat() {
        long now = System.nanoTime();
        for (HeldRepoSync sync : held.values()) {
            if (sync.state() != HeldRepoSync.State.LOST && sync.deadlineNanos() - now <= 0) {
                lose(sync, "its lease ran out before a heartbeat got through");
            }
        }
        long horizon = 2 * LeaseKeeper.period(lease).toNanos();
        List<HeldRepoSync> expiring = held.values().stream()
                .filter(sync -> sync.state() != HeldRepoSync.State.LOST && sync.deadlineNanos() - now < horizon)
                .toList();
        if (expiring.isEmpty()) {
            return;
        }
        long sent = System.nanoTime();
        Set<Long> kept;
        try {
            kept = queue.extendRepoLeases(workerId, expiring.stream().map(HeldRepoSync::ref).toList(), lease);
        } catch (RuntimeException e) {
            log.warn("could not extend {} repository leases, will retry: {}", expiring.size(), DatabaseErrors.brief(e));
            return;
        }
        for (HeldRepoSync sync : expiring) {
            if (kept.contains(sync.ref().repoId())) {
                sync.extendTo(sent + lease.toNanos());
            } else {
                lose(sync, "the database no longer has this claim");
            }
        }
    }

    /** Gives back the claims whose sync is still running (graceful stop); no failure is counted. */
    void releaseUnfinished() {
        List<RepoClaimRef> unfinished = new ArrayList<>();
        for (HeldRepoSync sync : held.values()) {
            if (sync.lose() == HeldRepoSync.State.RUNNING) { // else its result is being written
                unfinished.add(sync.ref());
            }
        }
        if (unfinished.isEmpty()) {
            return;
        }
        try {
            log.info("gave {} unfinished repository claims back to the queue", queue.releaseRepoClaims(unfinished));
        } catch (RuntimeException e) {
            log.warn("could not give {} unfinished repository claims back; their leases will expire: {}",
                    unfinished.size(), DatabaseErrors.brief(e));
        }
    }

    /** A crash: stops vouching for every claim at once (they expire and are swept). */
    void loseAll() {
        held.values().forEach(HeldRepoSync::lose);
    }

    private void lose(HeldRepoSync sync, String why) {
        if (sync.lose() != HeldRepoSync.State.LOST) {
            log.warn("giving up the sync of repo={} claim={}: {}", sync.ref().repoId(), sync.ref().claimToken(), why);
        }
    }
}
