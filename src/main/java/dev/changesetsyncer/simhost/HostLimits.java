package dev.changesetsyncer.simhost;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * GitHub's limits, simulated: a primary quota per hour (reported in the {@code x-ratelimit-*}
 * headers of every answer; a 304 costs nothing) and, if configured, windows during which every
 * request is refused with 429 and a {@code Retry-After}, like a secondary rate limit.
 */
final class HostLimits {
    private static final Duration HOUR = Duration.ofHours(1);

    private final HostSettings settings;
    private final long startNanos;
    private final Instant start;
    private long hour;
    private long used;

    HostLimits(HostSettings settings, long startNanos, Instant start) {
        this.settings = settings;
        this.startNanos = startNanos;
        this.start = start;
    }

    /** How long the current 429 window still lasts, or empty outside one. */
    Optional<Duration> refusedFor(long nowNanos) {
        if (settings.rateLimitEvery() == null || settings.rateLimitFor().isZero()) {
            return Optional.empty();
        }
        long sinceStart = nowNanos - startNanos;
        long every = settings.rateLimitEvery().toNanos();
        long intoWindow = sinceStart - (sinceStart / every) * every;
        if (sinceStart < every || intoWindow >= settings.rateLimitFor().toNanos()) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(settings.rateLimitFor().toNanos() - intoWindow));
    }

    /** 429 windows opened so far. */
    long windowsOpened(long nowNanos) {
        if (settings.rateLimitEvery() == null || settings.rateLimitFor().isZero()) {
            return 0;
        }
        return (nowNanos - startNanos) / settings.rateLimitEvery().toNanos();
    }

    /**
     * Counts one request against the quota (unless {@code free}) and returns the headers to send.
     * Empty when the quota is spent: the caller answers 403 with the headers of {@link #spent}.
     */
    synchronized Optional<Map<String, String>> take(long nowNanos, boolean free) {
        rollOver(nowNanos);
        if (!free) {
            if (used >= settings.quotaPerHour()) {
                return Optional.empty();
            }
            used++;
        }
        return Optional.of(headers());
    }

    /** The headers of an answer that costs nothing (errors, refusals). */
    synchronized Map<String, String> current(long nowNanos) {
        rollOver(nowNanos);
        return headers();
    }

    private void rollOver(long nowNanos) {
        long currentHour = (nowNanos - startNanos) / HOUR.toNanos();
        if (currentHour != hour) {
            hour = currentHour;
            used = 0;
        }
    }

    private Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-ratelimit-limit", String.valueOf(settings.quotaPerHour()));
        headers.put("x-ratelimit-remaining", String.valueOf(Math.max(0, settings.quotaPerHour() - used)));
        headers.put("x-ratelimit-reset", String.valueOf(start.plus(HOUR.multipliedBy(hour + 1)).getEpochSecond()));
        headers.put("x-ratelimit-used", String.valueOf(used));
        headers.put("x-ratelimit-resource", "core");
        return headers;
    }
}
