package dev.changesetsyncer.codehost;

import java.util.Objects;

/** A code-host access token. Its {@code toString} never shows it, so it cannot leak into logs or messages. */
public final class Token {
    private final String value;

    public Token(String value) {
        Objects.requireNonNull(value, "token");
        if (value.isBlank()) {
            throw new IllegalArgumentException("token must not be blank");
        }
        this.value = value.strip();
    }

    /** The secret itself: only for the Authorization header. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "Token[***]";
    }
}
