package dev.changesetsyncer.codehost;

import java.time.Instant;

/**
 * What the host said about its rate limit on the last response.
 *
 * @param limit requests allowed per window (null if not said)
 * @param remaining requests left in the window (null if not said)
 * @param resetAt when the window resets (null if not said)
 */
public record RateLimitStatus(Long limit, Long remaining, Instant resetAt) {}
