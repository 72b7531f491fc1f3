package dev.changesetsyncer.queue;

/**
 * What writing back one repository sync did.
 *
 * @param outcome synced, not_found, failed or deferred
 * @param repoChanged the repository's archived flag, name or deletion changed
 * @param imported changesets imported from its listing
 */
public record RepoSyncOutcome(long repoId, String outcome, boolean repoChanged, int imported) {}
