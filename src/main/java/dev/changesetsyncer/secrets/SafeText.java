package dev.changesetsyncer.secrets;

/**
 * Text from outside (a host's answer, a parser's complaint, an operator's reason) made fit to log,
 * store or print: known secrets masked ({@link Secrets#scrub}) and control characters made visible,
 * so that a host cannot move a terminal's cursor, clear its screen or forge a log line.
 */
public final class SafeText {
    private SafeText() {}

    /** One line: secrets masked; tabs and line breaks become spaces, other control characters {@code \x1B}-style escapes. */
    public static String of(String text) {
        return printable(Secrets.scrub(text), false);
    }

    /** As {@link #of}, keeping line breaks and tabs (stack traces). */
    public static String multiline(String text) {
        return printable(Secrets.scrub(text), true);
    }

    /** Control characters (C0, DEL, C1) and the bidirectional overrides escaped; null stays null. */
    public static String printable(String text, boolean keepLineBreaks) {
        if (text == null) {
            return null;
        }
        int first = 0;
        while (first < text.length() && !escaped(text.charAt(first), keepLineBreaks)) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!escaped(c, keepLineBreaks)) {
                out.append(c);
            } else if (c == '\n' || c == '\r' || c == '\t') {
                out.append(' ');
            } else if (c < 0x100) {
                out.append(String.format("\\x%02X", (int) c));
            } else {
                out.append(String.format("\\u%04X", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean escaped(char c, boolean keepLineBreaks) {
        if (c == '\n' || c == '\t' || c == '\r') {
            return !keepLineBreaks;
        }
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || bidiControl(c);
    }

    /** Characters that reorder what a terminal shows (Trojan Source): the embeddings, overrides and isolates. */
    private static boolean bidiControl(char c) {
        return (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u200E' || c == '\u200F'
                || c == '\u061C';
    }
}
