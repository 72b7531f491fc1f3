package dev.changesetsyncer.catalog;

import java.util.Locale;

/** Which pull requests of a repository its repository syncs import as changesets ({@code repos.track_changesets}). */
public enum Tracking {
    /** None: only the changesets inserted by hand (the default). */
    NONE,
    /** The open (and draft) ones. */
    OPEN,
    /** All of them, closed and merged included. */
    ALL;

    /** The value of {@code repos.track_changesets}. */
    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The constant for a {@code repos.track_changesets} value; null for null. */
    public static Tracking fromSqlName(String sqlName) {
        return sqlName == null ? null : valueOf(sqlName.toUpperCase(Locale.ROOT));
    }
}
