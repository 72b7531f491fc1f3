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
 */
public final class RateLimitHeaders {
    private RateLimitHeaders() {}

    /** The limit, remaining requests and reset time, or null if the response said nothing about them. */
    public static RateLimitStatus status(HostResponse response) {
        Long limit = number(response, "x-ratelimit-limit").or(() -> number(response, "ratelimit-limit")).orElse(null);
        Long remaining = number(response, "x-ratelimit-remaining").or(() -> number(response, "ratelimit-remaining"))
                .orElse(null);
        Instant reset = number(response, "x-ratelimit-reset").or(() -> number(response, "ratelimit-reset"))
                .map(Instant::ofEpochSecond).orElse(null);
        if (limit == null && remaining == null && reset == null) {
            return null;
        }
        return new RateLimitStatus(limit, remaining, reset);
    }

    /** How long the host asked us to wait ({@code Retry-After}), if it did. */
    public static Optional<Duration> retryAfter(HostResponse response, Instant now) {
        Optional<String> header = response.header("retry-after").map(String::strip);
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get();
        if (value.matches("\\d+")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<Long> number(HostResponse response, String header) {
        return response.header(header).map(String::strip).filter(v -> v.matches("-?\\d+")).map(Long::parseLong);
    }
}
