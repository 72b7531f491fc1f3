package dev.changesetsyncer.queue;

/**
 * A sync's result, to be written back under its claim: a {@link Completion} (the changeset's new
 * state), a {@link FailedAttempt} (retried with backoff) or a {@link Deferral} (its host refused it
 * for its rate limit). Writing it ends the claim.
 */
public sealed interface WriteBack permits Completion, FailedAttempt, Deferral {
    ClaimRef ref();
}
