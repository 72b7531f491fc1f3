package dev.changesetsyncer.catalog;

import java.util.Locale;

/** The code hosts changeset-syncer can talk to. */
public enum CodeHostKind {
    GITHUB,
    GITLAB,
    BITBUCKET_SERVER,
    SIMULATED;

    /** The value of the {@code code_host_kind} SQL enum. */
    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The constant for a {@code code_host_kind} value, e.g. {@code bitbucket_server}. */
    public static CodeHostKind fromSqlName(String sqlName) {
        return valueOf(sqlName.toUpperCase(Locale.ROOT));
    }
}
