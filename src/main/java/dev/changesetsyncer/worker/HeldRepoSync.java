package dev.changesetsyncer.worker;

import dev.changesetsyncer.queue.RepoClaim;
import dev.changesetsyncer.queue.RepoClaimRef;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One held repository claim and where its sync stands; the state only moves forward, by
 * compare-and-set, as for changesets ({@link InFlightSync}): RUNNING, then WRITING (its result is
 * being written back, which ends the claim) or LOST (the lease can no longer be vouched for: a
 * running sync is interrupted and its result dropped).
 */
final class HeldRepoSync {
    enum State { RUNNING, WRITING, LOST }

    private final RepoClaim claim;
    private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
    private volatile long deadlineNanos;
    private volatile Thread syncThread;

    HeldRepoSync(RepoClaim claim, long deadlineNanos) {
        this.claim = claim;
        this.deadlineNanos = deadlineNanos;
    }

    RepoClaim claim() {
        return claim;
    }

    RepoClaimRef ref() {
        return claim.ref();
    }

    State state() {
        return state.get();
    }

    /** On this JVM's monotonic clock: when the lease runs out unless extended. */
    long deadlineNanos() {
        return deadlineNanos;
    }

    void extendTo(long nanos) {
        deadlineNanos = nanos;
    }

    /** Called by the sync's thread as it starts; false if the claim was lost before that. */
    boolean begin() {
        syncThread = Thread.currentThread();
        return state.get() == State.RUNNING;
    }

    /** RUNNING → WRITING: the sync may write its result back; false if it was lost (drop the result). */
    boolean handOver() {
        return state.compareAndSet(State.RUNNING, State.WRITING);
    }

    /** → LOST; a running sync is interrupted. @return the state it was lost from (LOST if it already was) */
    /** RUNNING → LOST by the sync's own thread, whose lease deadline passed before a request; false if not running. */
    boolean abandon() {
        return state.compareAndSet(State.RUNNING, State.LOST);
    }

    State lose() {
        if (state.compareAndSet(State.RUNNING, State.LOST)) {
            Thread thread = syncThread;
            if (thread != null) {
                thread.interrupt();
            }
            return State.RUNNING;
        }
        return state.compareAndSet(State.WRITING, State.LOST) ? State.WRITING : State.LOST;
    }
}
