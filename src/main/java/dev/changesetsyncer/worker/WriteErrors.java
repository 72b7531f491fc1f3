package dev.changesetsyncer.worker;

import java.sql.SQLException;
import org.jooq.exception.DataAccessException;

/** Tells a write-back the database refused for its data from one that failed for the database's sake. */
final class WriteErrors {
    private WriteErrors() {}

    /**
     * True when retrying the same data cannot help: the database rejected a value (SQLSTATE class 22,
     * data exception, e.g. a time out of range or a NUL byte) or a constraint (class 23), or the
     * request could not even be built from it. Connection loss, deadlocks, timeouts, a database
     * shutting down are false: the same write will succeed later.
     */
    static boolean isCausedByData(RuntimeException e) {
        if (!(e instanceof DataAccessException dataAccess)) {
            return true; // failed while turning the results into the request
        }
        SQLException sql = dataAccess.getCause(SQLException.class);
        String state = sql == null ? null : sql.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }
}
