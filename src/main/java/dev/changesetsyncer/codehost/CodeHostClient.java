package dev.changesetsyncer.codehost;

/**
 * Fetches a changeset's current state from its code host. Implementations never throw for what the
 * host answers (errors, 404s, rate limits): they return a {@link SyncResult} that says what
 * happened. They must be safe to call from many threads at once.
 */
public interface CodeHostClient {
    /**
     * @throws InterruptedException if the sync was cancelled (shutdown, or its lease was lost)
     */
    SyncResult fetch(SyncTarget target) throws InterruptedException;
}
