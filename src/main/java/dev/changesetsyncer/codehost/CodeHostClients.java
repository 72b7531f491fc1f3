package dev.changesetsyncer.codehost;

import dev.changesetsyncer.catalog.CodeHostKind;

/** Finds the client for a claimed changeset's code host. */
@FunctionalInterface
public interface CodeHostClients {
    /**
     * @throws UnsupportedCodeHostException when this worker cannot talk to that host (for example
     *     no credentials are configured for it)
     */
    CodeHostClient forHost(long codeHostId, CodeHostKind kind, String baseUrl);

    /** This worker has no client for a host; the sync fails with this message and backs off. */
    final class UnsupportedCodeHostException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UnsupportedCodeHostException(String message) {
            super(message);
        }
    }
}
