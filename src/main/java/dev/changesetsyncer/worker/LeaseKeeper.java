package dev.changesetsyncer.worker;

import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.queue.ClaimRef;
import dev.changesetsyncer.queue.SyncQueue;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the leases of long syncs alive, and gives up on syncs whose lease it can no longer vouch
 * for. Runs every third of the lease: extends every lease that would end before the next run but
 * one; a sync whose claim the database no longer returns (swept and claimed by another replica),
 * or whose local deadline passed because heartbeats kept failing, is cancelled and its result
 * dropped — so that a changeset never runs twice at once.
 */
final class LeaseKeeper implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final String workerId;
    private final SyncQueue queue;
    private final InFlight inFlight;
    private final Duration lease;
    private final WorkerMetrics metrics;

    LeaseKeeper(String workerId, SyncQueue queue, InFlight inFlight, Duration lease, WorkerMetrics metrics) {
        this.workerId = workerId;
        this.queue = queue;
        this.inFlight = inFlight;
        this.lease = lease;
        this.metrics = metrics;
    }

    static Duration period(Duration lease) {
        return lease.dividedBy(3);
    }

    @Override
    public void run() {
        giveUpOnExpired();
        long sent = System.nanoTime();
        List<InFlightSync> expiring = inFlight.expiringWithin(sent, 2 * period(lease).toNanos());
        if (expiring.isEmpty()) {
            return;
        }
        Set<Long> kept;
        try {
            kept = queue.extendLeases(workerId, expiring.stream().map(InFlightSync::ref).toList(), lease);
        } catch (RuntimeException e) {
            metrics.databaseErrors.increment();
            log.warn("could not extend {} leases, will retry: {}", expiring.size(), DatabaseErrors.brief(e));
            return;
        }
        long deadline = sent + lease.toNanos();
        for (InFlightSync sync : expiring) {
            if (kept.contains(sync.ref().changesetId())) {
                sync.extendTo(deadline);
            } else {
                lose(sync, "the database no longer has this claim");
            }
        }
    }

    private void giveUpOnExpired() {
        long now = System.nanoTime();
        for (InFlightSync sync : inFlight.all()) {
            if (sync.state() != InFlightSync.State.LOST && sync.deadlineNanos() - now <= 0) {
                lose(sync, "its lease ran out before a heartbeat got through");
            }
        }
    }

    private void lose(InFlightSync sync, String why) {
        ClaimRef ref = sync.ref();
        switch (sync.lose()) {
            case RUNNING -> log.warn("cancelling the sync of changeset={} claim={}: {}", ref.changesetId(),
                    ref.claimToken(), why);
            case WRITING -> log.warn("no longer keeping the lease of changeset={} claim={} while its result waits to "
                    + "be written (the write is fenced off if the changeset was claimed again): {}", ref.changesetId(),
                    ref.claimToken(), why);
            case LOST -> {
                return; // lost meanwhile by someone else, who counted it
            }
        }
        metrics.lost.increment();
    }
}
