package dev.changesetsyncer.cli;

import dev.changesetsyncer.db.DatabaseErrors;
import java.sql.SQLException;

/** A failure that stops a command's start, in one line: what went wrong and, for the usual mistakes, what to do. */
final class StartFailures {
    private StartFailures() {}

    static String describe(Throwable e) {
        SQLException sql = null;
        for (Throwable cause = e; cause != null && sql == null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SQLException found && found.getSQLState() != null) {
                sql = found;
            }
        }
        if (sql == null) {
            Throwable root = DatabaseErrors.rootCause(e);
            return root.getMessage() == null ? root.toString() : root.getMessage();
        }
        String hint = switch (sql.getSQLState()) {
            case "3D000" -> ": create it (changeset-syncer migrate --create-database) or correct the URL";
            case "28000", "28P01" -> ": correct the user or password in the URL (or the server's pg_hba.conf)";
            case "42501" -> ": this role may not do that (a worker without the migrator's rights runs with --no-migrate; "
                    + "see the roles in docs/operations.md)";
            default -> "";
        };
        return DatabaseErrors.brief(sql) + hint;
    }
}
