package dev.changesetsyncer.worker;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A sticky signal: a {@link #signal()} before {@link #await} is not lost. */
final class Wakeup {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signalled = lock.newCondition();
    private boolean pending;
    private int waiting;

    void signal() {
        lock.lock();
        try {
            pending = true;
            signalled.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until signalled (consuming the signal) or the timeout passes. @return true if signalled */
    boolean await(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        waiting++;
        try {
            while (!pending && nanos > 0) {
                nanos = signalled.awaitNanos(nanos);
            }
            boolean wasSignalled = pending;
            pending = false;
            return wasSignalled;
        } finally {
            waiting--;
            lock.unlock();
        }
    }

    /** A thread waits here and no signal is pending: only the next signal or its timeout wakes it (for tests). */
    boolean parked() {
        lock.lock();
        try {
            return waiting > 0 && !pending;
        } finally {
            lock.unlock();
        }
    }

}
