package dev.changesetsyncer.codehost;

import dev.changesetsyncer.catalog.CodeHost;

/** Finds the client for a claimed changeset's code host. */
@FunctionalInterface
public interface CodeHostClients {
    /**
     * The client of {@code host}. A host this worker is not set up for (no token, no client for its
     * kind) still gets one: it answers every fetch with an {@link FailureKind#UNCONFIGURED} failure
     * that says what to configure.
     */
    CodeHostClient forHost(CodeHost host);
}
