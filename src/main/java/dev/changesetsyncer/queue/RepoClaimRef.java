package dev.changesetsyncer.queue;

/** One claim of one repository sync: the fencing token its write-back must present. */
public record RepoClaimRef(long repoId, long claimToken) {}
