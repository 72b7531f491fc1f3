package dev.changesetsyncer.codehost;

/** Why a fetch failed, which decides what happens next. */
public enum FailureKind {
    /** Network trouble, timeouts, 5xx, unreadable bodies: retry with backoff. */
    TRANSIENT,
    /** The host refused because of its rate limit: wait until it resets. */
    RATE_LIMITED,
    /** The host refused the credentials, or they lack a permission: retry with backoff, do not hammer. */
    UNAUTHORIZED,
    /**
     * This replica is not set up for the host (no token, or no client for its kind): nothing was
     * sent. Retried with backoff until an operator configures it and restarts the replica.
     */
    UNCONFIGURED
}
