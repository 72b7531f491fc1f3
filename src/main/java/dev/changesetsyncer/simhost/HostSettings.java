package dev.changesetsyncer.simhost;

import java.time.Duration;
import java.util.Objects;

/**
 * How the simulated GitHub behaves. The population and its changes are drawn from the seed, one
 * draw per pull request per second of host time, so two hosts with the same settings evolve alike.
 *
 * @param port TCP port on 127.0.0.1 (0: any free port, printed on start)
 * @param owner the organisation owning every repository
 * @param repos repositories, named {@code repo-001}, {@code repo-002}, ...
 * @param pullsPerRepo pull requests per repository, numbered 1..n
 * @param latency how long each answer takes
 * @param changeRate share of the pull requests that change each minute (a push, a review, a merge...)
 * @param goneRate share of the pull requests deleted each minute (answered 404 from then on)
 * @param errorRate share of requests answered 502 Bad Gateway
 * @param checksTake how long the checks of a new head commit run before they conclude
 * @param rateLimitEvery how often a window of 429 answers opens (null: never)
 * @param rateLimitFor how long each such window lasts
 * @param quotaPerHour the primary rate limit (x-ratelimit-limit); 304s do not count, as on GitHub
 * @param token the token clients must send as {@code Authorization: Bearer ...}
 * @param seed makes the population and its changes reproducible
 */
public record HostSettings(
        int port,
        String owner,
        int repos,
        int pullsPerRepo,
        Duration latency,
        double changeRate,
        double goneRate,
        double errorRate,
        Duration checksTake,
        Duration rateLimitEvery,
        Duration rateLimitFor,
        long quotaPerHour,
        String token,
        long seed) {
    public static final String DEFAULT_TOKEN = "simulated-token";

    public HostSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be within [0, 65535], got " + port);
        }
        Objects.requireNonNull(owner, "owner");
        if (!owner.matches("[A-Za-z0-9][A-Za-z0-9-]{0,38}")) {
            throw new IllegalArgumentException("owner must be a GitHub login (letters, digits, dashes), got \"" + owner + "\"");
        }
        if (repos < 1 || repos > 10_000) {
            throw new IllegalArgumentException("repos must be within [1, 10000], got " + repos);
        }
        if (pullsPerRepo < 1 || pullsPerRepo > 100_000) {
            throw new IllegalArgumentException("pullsPerRepo must be within [1, 100000], got " + pullsPerRepo);
        }
        if ((long) repos * pullsPerRepo > 1_000_000) {
            throw new IllegalArgumentException("at most 1,000,000 pull requests, got " + (long) repos * pullsPerRepo);
        }
        requireNotNegative("latency", latency);
        requireShare("changeRate", changeRate);
        requireShare("goneRate", goneRate);
        requireShare("errorRate", errorRate);
        requireNotNegative("checksTake", checksTake);
        if (rateLimitEvery != null) {
            requireNotNegative("rateLimitEvery", rateLimitEvery);
            requireNotNegative("rateLimitFor", rateLimitFor);
            if (rateLimitEvery.compareTo(rateLimitFor) <= 0) {
                throw new IllegalArgumentException("rateLimitEvery (" + rateLimitEvery + ") must be longer than rateLimitFor ("
                        + rateLimitFor + ")");
            }
        }
        if (quotaPerHour < 1) {
            throw new IllegalArgumentException("quotaPerHour must be at least 1, got " + quotaPerHour);
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("token must not be blank");
        }
    }

    /** 2,000 pull requests in 20 repositories, 20 ms per answer, 1 % changing a minute, no errors. */
    public static HostSettings defaults() {
        return new HostSettings(0, "soak-org", 20, 100, Duration.ofMillis(20), 0.01, 0.0005, 0, Duration.ofSeconds(20),
                null, Duration.ZERO, 1_000_000, DEFAULT_TOKEN, 42);
    }

    public int pulls() {
        return repos * pullsPerRepo;
    }

    public HostSettings withPort(int value) {
        return new HostSettings(value, owner, repos, pullsPerRepo, latency, changeRate, goneRate, errorRate, checksTake,
                rateLimitEvery, rateLimitFor, quotaPerHour, token, seed);
    }

    public HostSettings withPopulation(int repoCount, int pullsEach) {
        return new HostSettings(port, owner, repoCount, pullsEach, latency, changeRate, goneRate, errorRate, checksTake,
                rateLimitEvery, rateLimitFor, quotaPerHour, token, seed);
    }

    public HostSettings withRates(double change, double gone, double error) {
        return new HostSettings(port, owner, repos, pullsPerRepo, latency, change, gone, error, checksTake,
                rateLimitEvery, rateLimitFor, quotaPerHour, token, seed);
    }

    public HostSettings withLatency(Duration value) {
        return new HostSettings(port, owner, repos, pullsPerRepo, value, changeRate, goneRate, errorRate, checksTake,
                rateLimitEvery, rateLimitFor, quotaPerHour, token, seed);
    }

    public HostSettings withRateLimitWindows(Duration every, Duration length) {
        return new HostSettings(port, owner, repos, pullsPerRepo, latency, changeRate, goneRate, errorRate, checksTake,
                every, length, quotaPerHour, token, seed);
    }

    public HostSettings withQuotaPerHour(long value) {
        return new HostSettings(port, owner, repos, pullsPerRepo, latency, changeRate, goneRate, errorRate, checksTake,
                rateLimitEvery, rateLimitFor, value, token, seed);
    }

    public HostSettings withToken(String value) {
        return new HostSettings(port, owner, repos, pullsPerRepo, latency, changeRate, goneRate, errorRate, checksTake,
                rateLimitEvery, rateLimitFor, quotaPerHour, value, seed);
    }

    public HostSettings withSeed(long value) {
        return new HostSettings(port, owner, repos, pullsPerRepo, latency, changeRate, goneRate, errorRate, checksTake,
                rateLimitEvery, rateLimitFor, quotaPerHour, token, value);
    }

    private static void requireNotNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
    }

    private static void requireShare(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be within [0, 1], got " + value);
        }
    }
}
