package dev.changesetsyncer.logging;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code SYNCER_LOG_FORMAT}: {@code text} (the default) or {@code json}, one JSON object per line
 * ({@link ScrubbedJsonEncoder}). logback.xml picks the appender named by the variable; checked before
 * anything logs, since Logback would otherwise drop every line for a name it has no appender for.
 */
public final class LogFormat {
    public static final String VARIABLE = "SYNCER_LOG_FORMAT";
    static final List<String> FORMATS = List.of("text", "json");

    private LogFormat() {}

    /** A problem with the variable, in words; empty when it is unset or names a format. */
    public static Optional<String> problem(Map<String, String> environment) {
        String value = environment.get(VARIABLE);
        if (value == null || FORMATS.contains(value)) {
            return Optional.empty();
        }
        return Optional.of(VARIABLE + " must be " + String.join(" or ", FORMATS) + " (lower case), got \""
                + value.replaceAll("\\p{Cntrl}", "?") + "\"");
    }
}
