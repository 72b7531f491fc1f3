package dev.changesetsyncer.codehost.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What hosts say about their limits, read without overflow and capped at the longest pause a host may impose. */
class RateLimitHeadersTest {
    static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void aRetryAfterBeyondAnHourIsAnHourAndOneBeyondALongIsNoError() {
        assertThat(RateLimitHeaders.retryAfter(answer(Map.of("Retry-After", "999999999")), NOW)).hasValue(Duration.ofHours(1));
        assertThat(RateLimitHeaders.retryAfter(answer(Map.of("Retry-After", "99999999999999999999999")), NOW))
                .hasValue(Duration.ofHours(1));
        assertThat(RateLimitHeaders.retryAfter(answer(Map.of("Retry-After", "Mon, 21 Oct 2058 07:28:00 GMT")), NOW))
                .hasValue(Duration.ofHours(1));
        assertThat(RateLimitHeaders.retryAfter(answer(Map.of("Retry-After", "30")), NOW)).hasValue(Duration.ofSeconds(30));
    }

    @Test
    void numbersTooLongToHoldAndResetsNoHostMeansAreIgnored() {
        var status = RateLimitHeaders.status(answer(Map.of("x-ratelimit-limit", "5000",
                "x-ratelimit-remaining", "99999999999999999999999", "x-ratelimit-reset", "9223372036854775807")));

        assertThat(status.limit()).isEqualTo(5000);
        assertThat(status.remaining()).isNull();
        assertThat(status.resetAt()).isNull();
        assertThat(RateLimitHeaders.status(answer(Map.of("x-ratelimit-reset", "1900000000"))).resetAt())
                .isEqualTo(Instant.ofEpochSecond(1_900_000_000L));
    }

    static HostResponse answer(Map<String, String> headers) {
        Map<String, List<String>> multi = new HashMap<>();
        headers.forEach((name, value) -> multi.put(name, List.of(value)));
        return new HostResponse("GET", URI.create("https://api.github.com/x"), 429, HttpHeaders.of(multi, (a, b) -> true),
                new byte[0]);
    }
}
