package dev.changesetsyncer.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;
import java.sql.ResultSet;
import liquibase.Scope;
import liquibase.UpdateSummaryEnum;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.command.core.helpers.ShowSummaryArgument;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.ResourceAccessor;
import liquibase.ui.LoggerUIService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Applies the Liquibase changelog under {@code db/}.
 *
 * <p>Several replicas may start at once on an empty database. Liquibase's own lock lives in a
 * table that it creates on first use, and two processes creating it at once have raced. So the
 * whole update runs under a session-level {@code pg_advisory_lock} taken on the same connection:
 * the second replica waits, then finds nothing left to do.
 */
public final class Migrations {
    /** Classpath location of the master changelog; part of every changeset's identity. */
    public static final String CHANGELOG = "db/changelog.xml";

    /** Arbitrary but fixed key of the migration lock ("csyncmig" in ASCII). */
    static final long ADVISORY_LOCK_KEY = 0x637379_6e636d69L;

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    static {
        // Liquibase 4.30+ would otherwise try to send usage analytics and print a banner.
        System.setProperty("liquibase.analytics.enabled", "false");
        System.setProperty("liquibase.showBanner", "false");
        // Liquibase logs through java.util.logging; send that to SLF4J like everything else.
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    private Migrations() {}

    /** Brings the database up to date with the changelog; safe to call from many processes at once. */
    public static void migrate(DataSource dataSource) {
        migrate(dataSource, new ClassLoaderResourceAccessor(Migrations.class.getClassLoader()));
    }

    /**
     * As {@link #migrate(DataSource)}, with {@link #CHANGELOG} and the files it includes read through
     * {@code changelogs} (the upgrade test applies a released changelog first).
     */
    static void migrate(DataSource dataSource, ResourceAccessor changelogs) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            lock(connection);
            try {
                long before = lastOrderExecuted(connection);
                update(connection, changelogs);
                long applied = countExecutedAfter(connection, before);
                if (applied > 0) {
                    log.info("applied {} schema changesets", applied);
                } else {
                    log.debug("schema already up to date");
                }
            } finally {
                unlock(connection);
            }
        } catch (SQLException e) {
            throw new MigrationException("could not migrate the database: " + e.getMessage(), e);
        }
    }

    private static void update(Connection connection, ResourceAccessor changelogs) {
        try {
            Scope.child(Map.of(
                    Scope.Attr.resourceAccessor.name(), changelogs,
                    Scope.Attr.ui.name(), new LoggerUIService()), () -> {
                Database database = DatabaseFactory.getInstance()
                        .findCorrectDatabaseImplementation(new JdbcConnection(connection));
                new CommandScope(UpdateCommandStep.COMMAND_NAME)
                        .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                        .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, CHANGELOG)
                        .addArgumentValue(ShowSummaryArgument.SHOW_SUMMARY, UpdateSummaryEnum.OFF)
                        .addArgumentValue(ShowSummaryArgument.SHOW_SUMMARY_OUTPUT, UpdateSummaryOutputEnum.LOG)
                        .execute();
            });
        } catch (Exception e) {
            throw new MigrationException("migration failed: " + DatabaseErrors.rootCause(e).getMessage(), e);
        }
    }

    /** The highest ORDEREXECUTED so far (0 on an empty database); runOnChange re-runs get new ones. */
    private static long lastOrderExecuted(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(
                        "SELECT to_regclass('databasechangelog') IS NOT NULL")) {
            row.next();
            if (!row.getBoolean(1)) {
                return 0;
            }
        }
        return countOrMax(connection, "SELECT coalesce(max(orderexecuted), 0) FROM databasechangelog");
    }

    private static long countExecutedAfter(Connection connection, long order) throws SQLException {
        return countOrMax(connection, "SELECT count(*) FROM databasechangelog WHERE orderexecuted > " + order);
    }

    private static long countOrMax(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    private static void lock(Connection connection) throws SQLException {
        log.debug("waiting for the migration lock");
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + ADVISORY_LOCK_KEY + ")");
        }
    }

    private static void unlock(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_unlock(" + ADVISORY_LOCK_KEY + ")");
        }
    }

    /** The database could not be brought up to date; the message says why. */
    public static final class MigrationException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MigrationException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
