package dev.changesetsyncer.codehost.http;

import dev.changesetsyncer.codehost.SyncResult;

/** Ends a sync, from deep inside a client, with the result a host's answer (or a bad target) means. */
public final class HostProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient SyncResult result;

    public HostProblem(SyncResult result) {
        super(null, null, false, false);
        this.result = result;
    }

    public SyncResult result() {
        return result;
    }
}
