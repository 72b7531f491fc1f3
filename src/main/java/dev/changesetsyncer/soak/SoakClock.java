package dev.changesetsyncer.soak;

/** Seconds relative to when the faults begin (negative during the warm-up), on this JVM's monotonic clock. */
final class SoakClock {
    private volatile long faultsBeginNanos;

    SoakClock(long faultsBeginNanos) {
        this.faultsBeginNanos = faultsBeginNanos;
    }

    void faultsBeginAt(long nanos) {
        faultsBeginNanos = nanos;
    }

    double seconds() {
        return (System.nanoTime() - faultsBeginNanos) / 1e9;
    }

    long nanosUntil(double seconds) {
        return faultsBeginNanos + (long) (seconds * 1e9) - System.nanoTime();
    }
}
