package dev.changesetsyncer.codehost.http;

/** A request that got no answer: connection refused or reset, timeout, TLS failure. */
public final class HostCallException extends Exception {
    private static final long serialVersionUID = 1L;

    public HostCallException(String message, Throwable cause) {
        super(message, cause);
    }
}
