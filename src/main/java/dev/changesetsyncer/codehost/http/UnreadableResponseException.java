package dev.changesetsyncer.codehost.http;

/** A code host answered with a body we cannot read (truncated, not JSON, or missing required fields). */
public final class UnreadableResponseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnreadableResponseException(String message) {
        super(message);
    }

    public UnreadableResponseException(String message, Throwable cause) {
        super(message, cause);
    }
}
