package dev.changesetsyncer.db;

import java.sql.SQLException;
import java.util.Optional;
import org.jooq.exception.DataAccessException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * The database refused a write because it breaks one of the schema's named rules (a check,
 * foreign key, unique or not-null constraint, or a trigger's check). The constraint names say
 * what the rule is, e.g. {@code code_hosts_min_sync_delay_at_most_max}.
 */
public final class SchemaViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Which kind of rule was broken, from the SQLSTATE. */
    public enum Kind { CHECK, FOREIGN_KEY, UNIQUE, NOT_NULL }

    private final Kind kind;
    private final String constraint;

    SchemaViolation(Kind kind, String constraint, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.constraint = constraint;
    }

    public Kind kind() {
        return kind;
    }

    /** The constraint's name, or null when the server did not say (e.g. a trigger's check). */
    public String constraint() {
        return constraint;
    }

    /**
     * The exception as a {@code SchemaViolation} when it is one (SQLSTATE class 23), else empty.
     * Stores call this on jOOQ's {@link DataAccessException} to give callers a readable error.
     */
    public static Optional<SchemaViolation> from(RuntimeException exception) {
        if (!(exception instanceof DataAccessException dataAccess)) {
            return Optional.empty();
        }
        SQLException sql = dataAccess.getCause(SQLException.class);
        if (sql == null || sql.getSQLState() == null) {
            return Optional.empty();
        }
        Kind kind = switch (sql.getSQLState()) {
            case "23514" -> Kind.CHECK;
            case "23503" -> Kind.FOREIGN_KEY;
            case "23505" -> Kind.UNIQUE;
            case "23502" -> Kind.NOT_NULL;
            default -> null;
        };
        if (kind == null) {
            return Optional.empty();
        }
        ServerErrorMessage server = sql instanceof PSQLException psql ? psql.getServerErrorMessage() : null;
        String constraint = server == null ? null : server.getConstraint();
        StringBuilder message = new StringBuilder(server == null ? sql.getMessage() : server.getMessage());
        if (server != null && server.getDetail() != null) {
            // the failing row may quote a URL with a password in it
            message.append(" (").append(JdbcUrls.redactUserInfo(server.getDetail())).append(')');
        }
        if (server != null && server.getHint() != null) {
            message.append(". ").append(server.getHint());
        }
        return Optional.of(new SchemaViolation(kind, constraint, message.toString(), exception));
    }

    /** Rethrows {@code exception} as a {@link SchemaViolation} if it is one, else unchanged. */
    public static RuntimeException translate(RuntimeException exception) {
        return from(exception).<RuntimeException>map(violation -> violation).orElse(exception);
    }
}
