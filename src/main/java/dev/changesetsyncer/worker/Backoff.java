package dev.changesetsyncer.worker;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter for retrying database calls: 100 ms doubling to 5 s. */
final class Backoff {
    private static final long FIRST_MILLIS = 100;
    private static final long MAX_MILLIS = 5_000;
    private int attempts;

    Duration next() {
        long ceiling = Math.min(MAX_MILLIS, FIRST_MILLIS << Math.min(attempts++, 10));
        return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }

    void reset() {
        attempts = 0;
    }

    int attempts() {
        return attempts;
    }
}
