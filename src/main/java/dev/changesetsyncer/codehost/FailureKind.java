package dev.changesetsyncer.codehost;

/** Why a fetch failed, which decides what happens next. */
public enum FailureKind {
    /** Network trouble, timeouts, 5xx, unreadable bodies: retry with backoff. */
    TRANSIENT,
    /** The host refused because of its rate limit: wait until it resets. */
    RATE_LIMITED,
    /** Bad or missing credentials, or no permission: retry with backoff, do not hammer. */
    UNAUTHORIZED
}
