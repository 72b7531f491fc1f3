package dev.changesetsyncer.worker;

import dev.changesetsyncer.queue.Claim;
import dev.changesetsyncer.queue.ClaimRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

/**
 * The syncs this replica is running, each with the local deadline of its lease. Deadlines are
 * measured on this JVM's monotonic clock from just before the claim (or heartbeat) was sent, so
 * they are never later than the database's {@code lease_until}, whatever the wall clocks say.
 */
final class InFlight {
    /** A running sync. {@code lost} is set once its lease can no longer be trusted; its result is dropped. */
    static final class Running {
        final Claim claim;
        volatile long deadlineNanos;
        volatile boolean lost;
        volatile Future<?> future;

        Running(Claim claim, long deadlineNanos) {
            this.claim = claim;
            this.deadlineNanos = deadlineNanos;
        }

        ClaimRef ref() {
            return claim.ref();
        }

        /** Gives up on this sync: cancels it, and its result will not be written. */
        void lose() {
            lost = true;
            Future<?> running = future;
            if (running != null) {
                running.cancel(true);
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
