package dev.changesetsyncer.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.sql.SQLException;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * One line for a lost database connection instead of HikariCP's: when Postgres terminates a backend
 * (an operator's {@code pg_terminate_backend}, a restart) HikariCP logs, per connection, a WARN
 * with the driver's whole stack trace ({@code ProxyConnection ... marked as broken}) or a hint to
 * "consider using a shorter maxLifetime value" ({@code PoolBase ... Failed to validate connection}),
 * which is not the cause here. Both are replaced by one WARN line of this logger that says which
 * pool lost a connection and why; the pool replaces the connection and the replica retries the call.
 * Every other HikariCP line passes unchanged.
 */
public final class ConnectionLossLines extends TurboFilter {
    private static final String BROKEN_LOGGER = "com.zaxxer.hikari.pool.ProxyConnection";
    private static final String VALIDATION_LOGGER = "com.zaxxer.hikari.pool.PoolBase";
    private static final org.slf4j.Logger log = LoggerFactory.getLogger(ConnectionLossLines.class);

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format == null || params == null || params.length == 0 || !level.isGreaterOrEqual(Level.WARN)) {
            return FilterReply.NEUTRAL;
        }
        String name = logger.getName();
        if (name.equals(BROKEN_LOGGER) && format.contains("marked as broken because of SQLSTATE")) {
            Throwable cause = t != null ? t : params[params.length - 1] instanceof Throwable last ? last : null;
            String sqlState = params.length > 2 ? String.valueOf(params[2]) : "?";
            log.warn("database pool {} lost a connection in use: {}; the pool replaces it and the call is retried",
                    params[0], why(sqlState, cause));
            return FilterReply.DENY;
        }
        if (name.equals(VALIDATION_LOGGER) && format.contains("Failed to validate connection")) {
            log.warn("database pool {} found an idle connection dead ({}): the server closed it (terminated "
                    + "backend or restart); the pool replaces it", params[0], params.length > 2 ? params[2] : "?");
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }

    /** What the SQLSTATE means, with the driver's first message line. */
    static String why(String sqlState, Throwable cause) {
        String meaning = switch (sqlState) {
            case "57P01" -> "the server terminated its backend (pg_terminate_backend, or a shutdown)";
            case "57P02" -> "the server crashed";
            case "57P03" -> "the server is not accepting connections yet";
            default -> sqlState.startsWith("08") ? "the connection failed" : "SQLSTATE " + sqlState;
        };
        String message = cause == null ? null : cause instanceof SQLException sql ? sql.getMessage() : cause.toString();
        if (message == null || message.isBlank()) {
            return meaning + " [" + sqlState + "]";
        }
        String firstLine = message.strip().lines().findFirst().orElse("");
        return meaning + " [" + sqlState + "]: " + firstLine;
    }
}
