package dev.changesetsyncer.cli;

import dev.changesetsyncer.freshness.Strategy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads {@code simulate --try NAME:SETTING=VALUE,...} into a rule strategy with those code_hosts settings. */
final class CandidateOption {
    private static final Map<String, String> SHORT_NAMES = Map.of(
            "min", "min_sync_delay", "max", "max_sync_delay",
            "checks_pending", "checks_pending_max_delay", "finished", "finished_max_delay");
    private static final Pattern SHORT_DURATION = Pattern.compile("\\d+(ms|s|m|h|d)");

    private CandidateOption() {}

    static Strategy.Rule parse(String text, double failureRate) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--try " + text + ": write NAME:SETTING=VALUE,..., e.g. "
                    + "short_min:min=1m,finished=3d");
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (String pair : text.substring(colon + 1).split(",")) {
            String[] parts = pair.split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("--try " + text + ": \"" + pair + "\" is not SETTING=VALUE");
            }
            String column = SHORT_NAMES.getOrDefault(parts[0].trim(), parts[0].trim());
            settings.put(column, interval(parts[1].trim()));
        }
        return Strategy.candidate(text.substring(0, colon).trim(), settings, failureRate);
    }

    /** 90s, 5m, 8h, 3d become seconds for Postgres; anything else goes to Postgres as written ('1 day 2 hours'). */
    private static String interval(String value) {
        if (SHORT_DURATION.matcher(value.toLowerCase(Locale.ROOT)).matches()) {
            Duration duration = new DurationConverter().convert(value);
            return duration.toMillis() / 1000.0 + " seconds";
        }
        return value;
    }
}
