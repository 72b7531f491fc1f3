package dev.changesetsyncer.admin;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How the admin page writes times and durations (UTC, to the second). */
public final class Show {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Show() {}

    public static String time(Instant instant) {
        return instant == null ? "–" : TIME.format(instant);
    }

    public static String duration(Duration d) {
        if (d == null) {
            return "–";
        }
        String sign = d.isNegative() ? "-" : "";
        Duration a = d.abs();
        if (a.compareTo(Duration.ofSeconds(1)) < 0) {
            return sign + a.toMillis() + " ms";
        }
        if (a.compareTo(Duration.ofMinutes(1)) < 0) {
            return sign + String.format("%.1f s", a.toMillis() / 1000.0);
        }
        if (a.compareTo(Duration.ofHours(1)) < 0) {
            return sign + a.toMinutes() + " min " + a.toSecondsPart() + " s";
        }
        if (a.compareTo(Duration.ofDays(2)) < 0) {
            return sign + a.toHours() + " h " + a.toMinutesPart() + " min";
        }
        return sign + a.toDays() + " d";
    }

    public static String number(Double value) {
        return value == null ? "–" : String.format("%.0f", value);
    }

    /** A value for a link's query string. */
    public static String param(String value) {
        return value == null ? "" : FormFields.encode(value);
    }

    public static String text(String value) {
        return value == null || value.isEmpty() ? "–" : value;
    }
}
