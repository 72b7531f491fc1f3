package dev.changesetsyncer.codehost.http;

import dev.changesetsyncer.codehost.FailureKind;
import dev.changesetsyncer.codehost.RateLimitStatus;
import dev.changesetsyncer.codehost.SyncResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * What an HTTP answer that is not a success means for the sync, the same way for every host:
 * 404/410 gone; 401 unauthorised; 429, and 403 that says so, rate limited; other 403 unauthorised;
 * 5xx and anything else transient. Messages name the host and the request, never the token.
 */
public final class ResponseProblems {
    /** GitHub's advice for a secondary rate limit without Retry-After: wait at least a minute. */
    static final Duration DEFAULT_RATE_LIMIT_WAIT = Duration.ofMinutes(1);

    private ResponseProblems() {}

    /**
     * @param host how to name the host in messages, e.g. "GitHub (https://api.github.com)"
     * @return empty for 2xx and 304, else the result the sync ends with
     */
    public static Optional<SyncResult> classify(HostResponse response, String host, Instant now) {
        int status = response.status();
        if ((status >= 200 && status < 300) || status == 304) {
            return Optional.empty();
        }
        RateLimitStatus limit = RateLimitHeaders.status(response);
        String request = response.describe();
        if (status == 404 || status == 410) {
            return Optional.of(new SyncResult.Gone(host + " answered " + status + " to " + request
                    + ": the changeset or its repository no longer exists (or the token cannot see it)", limit));
        }
        if (status == 429 || (status == 403 && rateLimited(response, limit))) {
            // Retry-After first; else, with the quota spent, the reset time the host gave (absolute,
            // on the host's clock, so the database can compare it with its own); else a minute.
            Optional<Duration> retryAfter = RateLimitHeaders.retryAfter(response, now);
            boolean untilReset = retryAfter.isEmpty() && limit != null && limit.resetAt() != null
                    && Long.valueOf(0).equals(limit.remaining());
            Duration wait = retryAfter.orElse(untilReset ? null : DEFAULT_RATE_LIMIT_WAIT);
            String when = untilReset ? "until the quota resets at " + limit.resetAt() : "retry in " + wait.toSeconds() + " s";
            return Optional.of(new SyncResult.Failed(FailureKind.RATE_LIMITED, host + " rate-limited " + request + " ("
                    + status + "); " + when, wait, limit));
        }
        if (status == 401) {
            return Optional.of(new SyncResult.Failed(FailureKind.UNAUTHORIZED, host + " rejected the credentials (401) for "
                    + request + ": check this code host's token", null, limit));
        }
        if (status == 403) {
            return Optional.of(new SyncResult.Failed(FailureKind.UNAUTHORIZED, host + " refused " + request
                    + " (403): the token lacks access or a scope", null, limit));
        }
        String kind = status >= 500 ? "server error" : "unexpected answer";
        return Optional.of(new SyncResult.Failed(FailureKind.TRANSIENT, host + " " + kind + " " + status + " to " + request,
                null, limit));
    }

    private static boolean rateLimited(HostResponse response, RateLimitStatus limit) {
        if (limit != null && Long.valueOf(0).equals(limit.remaining())) {
            return true;
        }
        if (response.header("retry-after").isPresent()) {
            return true;
        }
        String body = new String(response.body(), 0, Math.min(response.body().length, 2000), StandardCharsets.UTF_8)
                .toLowerCase(Locale.ROOT);
        return body.contains("rate limit");
    }
}
