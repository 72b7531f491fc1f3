package dev.changesetsyncer.cli;

import java.time.Duration;

/** Checks of option values against their bounds, with messages that name the option as typed. */
final class OptionBounds {
    private OptionBounds() {}

    static Duration within(String option, Duration value, Duration min, Duration max) {
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(option + " must be between " + Formats.duration(min) + " and "
                    + Formats.duration(max) + ", got " + Formats.duration(value));
        }
        return value;
    }

    static int within(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be within [" + min + ", " + max + "], got " + value);
        }
        return value;
    }
}
