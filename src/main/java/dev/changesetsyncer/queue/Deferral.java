package dev.changesetsyncer.queue;

import dev.changesetsyncer.codehost.RateLimitStatus;
import java.time.Duration;
import java.util.Objects;

/**
 * A sync its host refused for its rate limit: the host is paused for all replicas and the claim is
 * given back, without counting against the changeset.
 *
 * @param retryAfter what the host's Retry-After said (null if it did not)
 * @param rateLimit what its rate-limit headers said (null if nothing)
 */
public record Deferral(ClaimRef ref, long codeHostId, Duration retryAfter, RateLimitStatus rateLimit, String message)
        implements WriteBack {
    public Deferral {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(message, "message");
    }
}
