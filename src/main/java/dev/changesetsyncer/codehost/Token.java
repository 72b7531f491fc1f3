package dev.changesetsyncer.codehost;

import java.util.Objects;

/**
 * A code-host access token. Its {@code toString} never shows it, and neither does any message about
 * it, so it cannot leak into logs or messages. Surrounding whitespace (a pasted line break) is
 * dropped; inside, only printable ASCII is allowed, which is what every host issues and what an HTTP
 * header may carry (a zero-width space or a control character pasted along would otherwise make the
 * HTTP client quote the whole header, token included, in its error).
 */
public final class Token {
    private final String value;

    /** @throws IllegalArgumentException saying what is wrong and where, never the value */
    public Token(String value) {
        Objects.requireNonNull(value, "token");
        String stripped = value.strip();
        if (stripped.isEmpty()) {
            throw new IllegalArgumentException("the token is blank");
        }
        for (int i = 0; i < stripped.length(); i++) {
            char c = stripped.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                throw new IllegalArgumentException("the token has " + describe(c) + " at character " + (i + 1) + " of "
                        + stripped.length() + ": a token is printable ASCII without spaces (copy it again)");
            }
        }
        this.value = stripped;
    }

    private static String describe(char c) {
        String code = String.format("U+%04X", (int) c);
        if (c == ' ') {
            return "a space";
        }
        if (Character.isISOControl(c)) {
            return "a control character (" + code + ")";
        }
        if (Character.getType(c) == Character.FORMAT || Character.isWhitespace(c) || Character.isSpaceChar(c)) {
            return "an invisible character (" + code + ")";
        }
        return "a non-ASCII character (" + code + ")";
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
