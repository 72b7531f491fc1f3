package dev.changesetsyncer.codehost;

/**
 * Reads changesets and repositories from a code host. Implementations never throw for what the host
 * answers (errors, 404s, rate limits): they return a result that says what happened. They must be
 * safe to call from many threads at once.
 */
public interface CodeHostClient {
    /**
     * Fetches a changeset's current state.
     *
     * @throws InterruptedException if the sync was cancelled (shutdown, or its lease was lost)
     */
    SyncResult fetch(SyncTarget target) throws InterruptedException;

    /**
     * Reads a repository (archived, renamed, gone) and, when it is tracked, lists the pull requests
     * updated since its last listing.
     *
     * @throws InterruptedException if the sync was cancelled (shutdown, or its lease was lost)
     */
    RepoSyncResult syncRepository(RepoTarget target) throws InterruptedException;
}
