package dev.changesetsyncer.codehost.http;

import dev.changesetsyncer.codehost.RateLimitStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads what a response says about the host's rate limit. GitHub sends {@code x-ratelimit-limit,
 * -remaining, -reset} (reset in epoch seconds); GitLab sends {@code RateLimit-Limit, -Remaining,
 * -Reset} (also epoch seconds); both may send {@code Retry-After} (seconds, or an HTTP date).
 * Values no host means — numbers too long to hold, a reset outside 1970..3000 — are ignored, and a
 * wait longer than {@link #MAX_PAUSE} is cut to it (the database caps a host's pause the same way:
 * {@code code_host_max_pause()}).
 */
public final class RateLimitHeaders {
    /** The longest a host may pause us by itself; equals the schema's {@code code_host_max_pause()}. */
    public static final Duration MAX_PAUSE = Duration.ofHours(1);
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("3000-01-01T00:00:00Z");

    private RateLimitHeaders() {}

    /** The limit, remaining requests and reset time, or null if the response said nothing about them. */
    public static RateLimitStatus status(HostResponse response) {
        Long limit = number(response, "x-ratelimit-limit").or(() -> number(response, "ratelimit-limit")).orElse(null);
        Long remaining = number(response, "x-ratelimit-remaining").or(() -> number(response, "ratelimit-remaining"))
                .orElse(null);
        Instant reset = number(response, "x-ratelimit-reset").or(() -> number(response, "ratelimit-reset"))
                .filter(seconds -> seconds >= EARLIEST.getEpochSecond() && seconds < LATEST.getEpochSecond())
                .map(Instant::ofEpochSecond).orElse(null);
        if (limit == null && remaining == null && reset == null) {
            return null;
        }
        return new RateLimitStatus(limit, remaining, reset);
    }

    /** How long the host asked us to wait ({@code Retry-After}), if it did: at most {@link #MAX_PAUSE}. */
    public static Optional<Duration> retryAfter(HostResponse response, Instant now) {
        Optional<String> header = response.header("retry-after").map(String::strip);
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get();
        if (value.matches("\\d+")) {
            // more digits than a long holds is more than the cap anyway
            boolean huge = value.replaceFirst("^0+(?=.)", "").length() > 18;
            return Optional.of(huge ? MAX_PAUSE : capped(Duration.ofSeconds(Long.parseLong(value))));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Optional.of(at.isAfter(now) ? capped(Duration.between(now, at)) : Duration.ZERO);
        } catch (DateTimeParseException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    private static Duration capped(Duration wait) {
        return wait.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : wait;
    }

    private static Optional<Long> number(HostResponse response, String header) {
        return response.header(header).map(String::strip).filter(v -> v.matches("-?\\d{1,18}")).map(Long::parseLong);
    }
}
