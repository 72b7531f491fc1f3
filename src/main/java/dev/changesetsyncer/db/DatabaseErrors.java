package dev.changesetsyncer.db;

import java.sql.SQLException;
import org.jooq.exception.DataAccessException;

/** Short descriptions of database failures for log lines (jOOQ's messages repeat the whole SQL). */
public final class DatabaseErrors {
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
}
