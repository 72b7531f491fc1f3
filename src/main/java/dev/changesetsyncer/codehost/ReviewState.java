package dev.changesetsyncer.codehost;

import java.util.Locale;

/** The combined review verdict. */
public enum ReviewState {
    NONE, PENDING, APPROVED, CHANGES_REQUESTED;

    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ReviewState fromSqlName(String sqlName) {
        return valueOf(sqlName.toUpperCase(Locale.ROOT));
    }
}
