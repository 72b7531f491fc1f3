package dev.changesetsyncer.codehost;

import java.util.Locale;

/** The combined state of the head commit's checks. */
public enum CheckState {
    NONE, PENDING, PASSED, FAILED;

    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CheckState fromSqlName(String sqlName) {
        return valueOf(sqlName.toUpperCase(Locale.ROOT));
    }
}
