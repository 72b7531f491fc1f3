package dev.changesetsyncer.worker;

import dev.changesetsyncer.queue.Claim;
import dev.changesetsyncer.queue.ClaimRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The claims this replica holds: syncs running, and finished ones until their result is written
 * back (their leases are kept alive meanwhile, so a slow write-back does not lose them). Deadlines
 * are measured on this JVM's monotonic clock from just before the claim (or heartbeat) was sent, so
 * they are never later than the database's {@code lease_until}, whatever the wall clocks say.
 */
final class InFlight {
    /** A held claim. {@code lost} is set once its lease can no longer be trusted; its result is dropped. */
    static final class Running {
        final Claim claim;
        volatile long deadlineNanos;
        volatile boolean lost;
        /** The sync has handed its result to the writer; the claim ends when that is written. */
        volatile boolean writing;
        private volatile Thread syncThread;

        Running(Claim claim, long deadlineNanos) {
            this.claim = claim;
            this.deadlineNanos = deadlineNanos;
        }

        ClaimRef ref() {
            return claim.ref();
        }

        /** Called by the sync's thread as it starts; false if the claim was lost before that. */
        boolean begin() {
            syncThread = Thread.currentThread();
            return !lost;
        }

        /**
         * Gives up on this claim: a running sync is interrupted (it still frees its slot), and its
         * result will not be written.
         */
        void lose() {
            lost = true;
            Thread thread = syncThread;
            if (thread != null && !writing) {
                thread.interrupt();
            }
        }
    }

    private final Map<Long, Running> running = new ConcurrentHashMap<>();

    Running add(Claim claim, long deadlineNanos) {
        Running entry = new Running(claim, deadlineNanos);
        running.put(claim.changesetId(), entry);
        return entry;
    }

    void remove(Running entry) {
        running.remove(entry.claim.changesetId(), entry);
    }

    /** The claim's result was written back (or will not be): it is no longer held. */
    void remove(ClaimRef ref) {
        running.computeIfPresent(ref.changesetId(), (id, entry) -> entry.ref().equals(ref) ? null : entry);
    }

    /** Claims whose sync is still running (not yet handed to the writer). */
    List<Running> syncing() {
        return running.values().stream().filter(entry -> !entry.writing).toList();
    }

    Collection<Running> all() {
        return running.values();
    }

    int size() {
        return running.size();
    }

    /** Running syncs whose lease ends within {@code horizonNanos}. */
    List<Running> expiringWithin(long nowNanos, long horizonNanos) {
        List<Running> result = new ArrayList<>();
        for (Running entry : running.values()) {
            if (!entry.lost && entry.deadlineNanos - nowNanos < horizonNanos) {
                result.add(entry);
            }
        }
        return result;
    }
}
