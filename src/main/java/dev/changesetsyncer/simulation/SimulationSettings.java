package dev.changesetsyncer.simulation;

import java.time.Duration;
import java.util.Objects;

/**
 * How the simulated code host behaves. Outcomes are drawn per (changeset, n-th fetch) from the seed,
 * so a run is reproducible whatever the thread interleaving.
 *
 * @param latency how long each fetch takes
 * @param changeRate share of re-fetches that find the changeset changed (the rest answer "unchanged", like a 304)
 * @param errorRate share of fetches that fail transiently (a 5xx)
 * @param rateLimitRate share of fetches refused by a rate limit (a 429 with retry-after)
 * @param goneRate share of re-fetches that find the changeset deleted (a 404)
 * @param seed makes the outcomes reproducible
 */
public record SimulationSettings(
        Duration latency, double changeRate, double errorRate, double rateLimitRate, double goneRate, long seed) {
    /** A well-behaved host: no latency, 20% of re-fetches changed, no errors. */
    public static final SimulationSettings DEFAULT = new SimulationSettings(Duration.ZERO, 0.2, 0, 0, 0, 42);

    public SimulationSettings {
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, got " + latency);
        }
        requireRate("changeRate", changeRate);
        requireRate("errorRate", errorRate);
        requireRate("rateLimitRate", rateLimitRate);
        requireRate("goneRate", goneRate);
        if (errorRate + rateLimitRate + goneRate + changeRate > 1) {
            throw new IllegalArgumentException("changeRate + errorRate + rateLimitRate + goneRate must not exceed 1, got "
                    + (errorRate + rateLimitRate + goneRate + changeRate));
        }
    }

    public SimulationSettings withLatency(Duration value) {
        return new SimulationSettings(value, changeRate, errorRate, rateLimitRate, goneRate, seed);
    }

    public SimulationSettings withChangeRate(double value) {
        return new SimulationSettings(latency, value, errorRate, rateLimitRate, goneRate, seed);
    }

    private static void requireRate(String name, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(name + " must be within [0, 1], got " + rate);
        }
    }
}
