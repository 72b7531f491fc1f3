package dev.changesetsyncer.worker;

import java.util.concurrent.atomic.AtomicReference;

/**
 * One held claim (of a changeset, or of a repository) and where its sync stands. The state only
 * moves forward, by compare-and-set, so the sync's thread, the lease keeper and a stopping replica
 * never both win a race:
 *
 * <pre>
 * RUNNING ──handOver()──▶ WRITING ──lose()──▶ LOST
 *    └──────────────lose()───────────────────▶ LOST
 * </pre>
 *
 * A sync lost while RUNNING is interrupted and its result dropped. A result already handed to the
 * writer is still written; losing it only stops its heartbeats (the database fences the write off
 * if another replica claimed it since).
 */
abstract sealed class HeldClaim<C> permits InFlightSync, HeldRepoSync {
    enum State {
        /** Claimed; the sync is starting or fetching. */
        RUNNING,
        /** The result is with the writer; the claim ends when it is written. */
        WRITING,
        /** The lease can no longer be vouched for: no more heartbeats. */
        LOST
    }

    private final C claim;
    private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
    private volatile long deadlineNanos;
    /** The thread running the sync, to interrupt if it is lost; set by that thread as it begins. */
    private volatile Thread syncThread;

    HeldClaim(C claim, long deadlineNanos) {
        this.claim = claim;
        this.deadlineNanos = deadlineNanos;
    }

    final C claim() {
        return claim;
    }

    State state() {
        return state.get();
    }

    /** On this JVM's monotonic clock: when the lease runs out unless extended. */
    long deadlineNanos() {
        return deadlineNanos;
    }

    /** A heartbeat got through: the lease holds until {@code nanos}. */
    void extendTo(long nanos) {
        deadlineNanos = nanos;
    }

    /** Called by the sync's thread as it starts; false if the claim was lost before that. */
    boolean begin() {
        syncThread = Thread.currentThread();
        return state.get() == State.RUNNING;
    }

    /** RUNNING → WRITING: the sync may hand its result to the writer; false if it was lost (drop the result). */
    boolean handOver() {
        return state.compareAndSet(State.RUNNING, State.WRITING);
    }

    /**
     * RUNNING → LOST by the sync's own thread, which found its lease deadline passed before a request:
     * nothing to interrupt, no result to write. False if the sync was no longer running.
     */
    boolean abandon() {
        return state.compareAndSet(State.RUNNING, State.LOST);
    }

    /**
     * → LOST: gives up on this claim. A running sync is interrupted (it still frees its slot) and its
     * result will not be written.
     *
     * @return the state it was lost from: RUNNING or WRITING; LOST if it already was
     */
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
