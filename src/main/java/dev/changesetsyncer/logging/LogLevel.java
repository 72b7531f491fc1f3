package dev.changesetsyncer.logging;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code SYNCER_LOG_LEVEL}, checked before anything logs: Logback reads a level it does not know
 * as DEBUG, without a word.
 */
public final class LogLevel {
    public static final String VARIABLE = "SYNCER_LOG_LEVEL";
    static final List<String> LEVELS = List.of("OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE");

    private LogLevel() {}

    /** A problem with the variable, in words; empty when it is unset or names a level. */
    public static Optional<String> problem(Map<String, String> environment) {
        String value = environment.get(VARIABLE);
        if (value == null || LEVELS.contains(value.strip().toUpperCase(Locale.ROOT))) {
            return Optional.empty();
        }
        return Optional.of(VARIABLE + " must be one of " + String.join(", ", LEVELS) + ", got \""
                + value.replaceAll("\\p{Cntrl}", "?") + "\"");
    }
}
