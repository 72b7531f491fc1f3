package dev.changesetsyncer.webhooks;

/**
 * A repository event: archived or unarchived ({@code archived} non-null), renamed or moved
 * ({@code renamedTo} non-null), or deleted.
 */
record RepositoryChange(RepoRef repo, Boolean archived, String renamedTo, boolean deleted) {
    static RepositoryChange archived(RepoRef repo, boolean archived) {
        return new RepositoryChange(repo, archived, null, false);
    }

    static RepositoryChange renamed(RepoRef repo, String newName) {
        return new RepositoryChange(repo, null, newName, false);
    }

    static RepositoryChange deleted(RepoRef repo) {
        return new RepositoryChange(repo, null, null, true);
    }
}
