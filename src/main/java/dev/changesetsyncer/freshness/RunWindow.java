package dev.changesetsyncer.freshness;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The simulated period: {@code days} days from {@code start}. Calls are counted for attempts within it; the
 * changes of its last minutes are followed past its end until they reach the mirror.
 */
record RunWindow(Instant start, int days) {
    /** A Monday; nothing in the model depends on the weekday. */
    static final Instant DEFAULT_START = Instant.parse("2026-01-05T00:00:00Z");

    RunWindow {
        if (days < 1 || days > 365) {
            throw new IllegalArgumentException("days must be between 1 and 365, got " + days);
        }
    }

    Instant end() {
        return start.plus(Duration.ofDays(days));
    }

    Instant at(double secondsFromStart) {
        long micros = Math.round(secondsFromStart * 1e6);
        return start.plusSeconds(Math.floorDiv(micros, 1_000_000)).plusNanos(Math.floorMod(micros, 1_000_000) * 1000L);
    }

    /** The placeholders every SQL file of the simulation may use. */
    Map<String, String> sqlValues() {
        return Map.of(
                "start", "timestamptz '" + start + "'",
                "end", "timestamptz '" + end() + "'",
                "days", Integer.toString(days));
    }
}
