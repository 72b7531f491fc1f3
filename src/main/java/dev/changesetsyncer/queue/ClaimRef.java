package dev.changesetsyncer.queue;

/** One claim of one changeset: the fencing token every write-back must present. */
public record ClaimRef(long changesetId, long claimToken) {}
