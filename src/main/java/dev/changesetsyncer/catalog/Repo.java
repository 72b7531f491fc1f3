package dev.changesetsyncer.catalog;

/** A registered repository. */
public record Repo(long id, long codeHostId, String externalId, String name) {}
