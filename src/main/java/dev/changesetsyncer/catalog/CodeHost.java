package dev.changesetsyncer.catalog;

/** A registered code host. */
public record CodeHost(long id, String name, CodeHostKind kind, String baseUrl) {}
