package dev.changesetsyncer.queue;

import java.util.Objects;

/** A sync that failed; the changeset is retried with backoff. */
public record FailedAttempt(ClaimRef ref, String message) implements WriteBack {
    public FailedAttempt {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(message, "message");
    }
}
