package dev.changesetsyncer.worker;

import dev.changesetsyncer.queue.Claim;
import dev.changesetsyncer.queue.ClaimRef;
import java.time.Duration;
import java.time.Instant;
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
    private final Map<Long, InFlightSync> held = new ConcurrentHashMap<>();

    /**
     * The deadline of a claim on this JVM's monotonic clock: the lease the database granted
     * ({@code lease_until - claimed_at}, both its own times), counted from {@code sentNanos}, just
     * before the claim was sent — so never later than {@code lease_until}, whatever the wall clocks say.
     */
    static long deadline(long sentNanos, Instant claimedAt, Instant leaseUntil) {
        return sentNanos + Duration.between(claimedAt, leaseUntil).toNanos();
    }

    InFlightSync add(Claim claim, long deadlineNanos) {
        InFlightSync sync = new InFlightSync(claim, deadlineNanos);
        held.put(claim.changesetId(), sync);
        return sync;
    }

    /** The code host of a claim this replica holds, for the meters; "unknown" once it is no longer held. */
    String codeHostName(ClaimRef ref) {
        InFlightSync sync = held.get(ref.changesetId());
        return sync != null && sync.ref().equals(ref) ? sync.claim().target().codeHostName() : "unknown";
    }

    /** The sync ended without a result to write: the claim ends here. */
    void remove(InFlightSync sync) {
        held.remove(sync.claim().changesetId(), sync);
    }

    /** The claim's result was written back (or will not be): it is no longer held. */
    void remove(ClaimRef ref) {
        held.computeIfPresent(ref.changesetId(), (id, sync) -> sync.ref().equals(ref) ? null : sync);
    }

    /** Claims whose sync is still running (not yet handed to the writer). */
    List<InFlightSync> running() {
        return held.values().stream().filter(sync -> sync.state() == InFlightSync.State.RUNNING).toList();
    }

    Collection<InFlightSync> all() {
        return held.values();
    }

    int size() {
        return held.size();
    }

    /** Claims not lost whose lease ends within {@code horizonNanos}. */
    List<InFlightSync> expiringWithin(long nowNanos, long horizonNanos) {
        return held.values().stream()
                .filter(sync -> sync.state() != InFlightSync.State.LOST && sync.deadlineNanos() - nowNanos < horizonNanos)
                .toList();
    }
}
