package dev.changesetsyncer.db;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.List;
import org.jooq.exception.DataAccessException;

/** Short descriptions of database failures for log lines (jOOQ's messages repeat the whole SQL), and their kind. */
public final class DatabaseErrors {
    /**
     * SQLSTATEs (or their classes) that say the database is not there yet, or not now: the connection
     * failed or was lost (08), the server is starting, stopping or restarting (57P), it has no
     * connection or resource to spare (53), a transaction lost a race (40), a lock is taken (55P03).
     */
    private static final List<String> TRANSIENT_STATES = List.of("08", "57P", "53", "40", "55P03", "58");

    private DatabaseErrors() {}

    /** The innermost cause: what actually went wrong, under the layers that wrapped it. */
    public static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    public static String brief(Throwable e) {
        SQLException sql = e instanceof DataAccessException dataAccess ? dataAccess.getCause(SQLException.class) : null;
        if (sql == null && e instanceof SQLException direct) {
            sql = direct;
        }
        if (sql == null) {
            return e.toString();
        }
        String state = sql.getSQLState() == null ? "" : " [" + sql.getSQLState() + "]";
        return sql.getMessage() + state;
    }

    /**
     * Whether waiting may cure this failure: the database is unreachable, starting, restarting, or
     * busy. Everything else — a URL that is not Postgres's, a database or role that does not exist, a
     * wrong password, a permission refused, a migration that fails — is a mistake that waiting
     * repeats for ever: it is permanent. The first SQLSTATE found down the causes decides; without
     * one, a network failure is transient.
     */
    public static boolean isTransient(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return TRANSIENT_STATES.stream().anyMatch(state::startsWith);
            }
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SQLTransientException || cause instanceof SQLRecoverableException
                    || cause instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
