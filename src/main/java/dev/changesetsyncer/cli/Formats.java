package dev.changesetsyncer.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Compact renderings of times and durations for tables. */
final class Formats {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private Formats() {}

    static String time(Instant instant) {
        return instant == null ? "-" : TIME.format(instant);
    }

    static String duration(Duration d) {
        if (d == null) {
            return "-";
        }
        String sign = d.isNegative() ? "-" : "";
        Duration a = d.abs();
        if (a.compareTo(Duration.ofSeconds(1)) < 0 && !a.isZero()) {
            return sign + (a.toNanos() % 1_000_000 == 0 ? a.toMillis() + "ms" : a.toNanos() + "ns");
        }
        if (a.compareTo(Duration.ofMinutes(1)) < 0) {
            return sign + (a.toMillis() % 1000 == 0 ? a.toSeconds() + "s" : String.format("%.1fs", a.toMillis() / 1000.0));
        }
        if (a.compareTo(Duration.ofHours(1)) < 0) {
            return sign + a.toMinutes() + "m" + (a.toSecondsPart() == 0 ? "" : a.toSecondsPart() + "s");
        }
        if (a.compareTo(Duration.ofDays(2)) < 0) {
            return sign + a.toHours() + "h" + (a.toMinutesPart() == 0 ? "" : a.toMinutesPart() + "m");
        }
        return sign + a.toDays() + "d";
    }
}
