package dev.changesetsyncer.codehost;

import java.util.Locale;

/** A changeset's normalised state; READ_ONLY means its repository is archived. */
public enum ChangesetState {
    OPEN, DRAFT, CLOSED, MERGED, READ_ONLY;

    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ChangesetState fromSqlName(String sqlName) {
        return valueOf(sqlName.toUpperCase(Locale.ROOT));
    }
}
