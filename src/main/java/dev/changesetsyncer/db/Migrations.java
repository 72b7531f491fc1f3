package dev.changesetsyncer.db;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import liquibase.Scope;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.UpdateSummaryEnum;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.command.core.helpers.ShowSummaryArgument;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.parser.ChangeLogParserFactory;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.DirectoryResourceAccessor;
import liquibase.resource.ResourceAccessor;
import liquibase.resource.ZipResourceAccessor;
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
 * the second replica waits (saying so at INFO), then finds nothing left to do.
 *
 * <p>The changelog is read from the one class-path root that holds {@link #CHANGELOG} first (the
 * jar, or the classes directory), never by scanning every root: an empty class-path entry means the
 * working directory, and from the project's root that is a second {@code db/changelog.xml}, which
 * Liquibase refuses ("Found 2 files with the path").
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
        try (ResourceAccessor changelogs = changelogs()) {
            migrate(dataSource, changelogs);
        } catch (MigrationException e) {
            throw e;
        } catch (Exception e) {
            throw new MigrationException("could not close the changelog's files: " + e.getMessage(), e);
        }
    }

    /**
     * The ids of this version's changesets the database has not recorded ({@code id} in {@code file});
     * empty when its schema is this version's. Reads {@code databasechangelog} only (changed
     * function files, applied again by each migration, are not compared): for workers that must not
     * migrate ({@code run --no-migrate}).
     */
    public static List<String> missingChangesets(DataSource dataSource) {
        List<String> missing = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); ResourceAccessor changelogs = changelogs()) {
            Set<String> recorded = new HashSet<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT id, filename FROM databasechangelog");
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    recorded.add(rows.getString(1) + " " + rows.getString(2));
                }
            } catch (SQLException e) {
                if (!"42P01".equals(e.getSQLState())) { // undefined_table: never migrated, everything is missing
                    throw e;
                }
            }
            for (ChangeSet changeSet : changeSets(changelogs)) {
                if (!recorded.contains(changeSet.getId() + " " + changeSet.getFilePath())) {
                    missing.add(changeSet.getId() + " in " + changeSet.getFilePath());
                }
            }
        } catch (SQLException e) {
            throw new MigrationException("could not read the schema's version: " + e.getMessage(), e);
        } catch (MigrationException e) {
            throw e;
        } catch (Exception e) {
            throw new MigrationException("could not close the changelog's files: " + e.getMessage(), e);
        }
        return missing;
    }

    private static List<ChangeSet> changeSets(ResourceAccessor changelogs) {
        try {
            return Scope.child(Map.of(Scope.Attr.resourceAccessor.name(), changelogs), () -> {
                DatabaseChangeLog changeLog = ChangeLogParserFactory.getInstance().getParser(CHANGELOG, changelogs)
                        .parse(CHANGELOG, new ChangeLogParameters(), changelogs);
                return changeLog.getChangeSets();
            });
        } catch (Exception e) {
            throw new MigrationException("cannot read the changelog " + CHANGELOG + ": " + DatabaseErrors.rootCause(e).getMessage(), e);
        }
    }

    /** {@link #CHANGELOG} and its includes, from the class-path root the class loader finds it in first. */
    static ResourceAccessor changelogs() {
        ClassLoader loader = Migrations.class.getClassLoader();
        URL changelog = loader.getResource(CHANGELOG);
        if (changelog == null) {
            throw new MigrationException(CHANGELOG + " is not on the class path", null);
        }
        try {
            return switch (changelog.getProtocol()) {
                case "jar" -> new ZipResourceAccessor(
                        Path.of(((JarURLConnection) changelog.openConnection()).getJarFileURL().toURI()));
                case "file" -> new DirectoryResourceAccessor(Path.of(changelog.toURI()).getParent().getParent());
                default -> new ClassLoaderResourceAccessor(loader);
            };
        } catch (IOException | URISyntaxException e) {
            throw new MigrationException("cannot open the class-path root of " + changelog + ": " + e.getMessage(), e);
        }
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
                connection.setAutoCommit(true); // (Liquibase leaves it off: what follows would never be committed)
                long applied = countExecutedAfter(connection, before);
                if (applied > 0) {
                    log.info("applied {} schema changesets", applied);
                    grantRoles(connection);
                } else {
                    log.debug("schema already up to date");
                }
            } finally {
                if (!connection.getAutoCommit()) { // a failed update leaves its transaction open and aborted
                    connection.rollback();
                    connection.setAutoCommit(true);
                }
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

    /**
     * Grants the roles made by {@code roles --create} what this version needs: a migration may have
     * added a table, or dropped and re-created a view (which takes its grants with it).
     */
    private static void grantRoles(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet present = statement.executeQuery("""
                        SELECT to_regclass('syncer_roles') IS NOT NULL AND to_regprocedure('grant_syncer_roles(text)') IS NOT NULL""")) {
            present.next();
            if (!present.getBoolean(1)) {
                return; // a changelog from before the roles
            }
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT grant_syncer_roles(r.prefix) FROM syncer_roles r");
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
        try (Statement statement = connection.createStatement();
                ResultSet taken = statement.executeQuery("SELECT pg_try_advisory_lock(" + ADVISORY_LOCK_KEY + ")")) {
            taken.next();
            if (taken.getBoolean(1)) {
                return;
            }
        }
        log.info("waiting for the migration lock: {} is migrating this database", holder(connection));
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + ADVISORY_LOCK_KEY + ")");
        }
        log.info("got the migration lock");
    }

    /** Who holds the migration lock, in words (its application name and pid), as far as this role may see. */
    private static String holder(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT l.pid, nullif(a.application_name, '')
                  FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
                 WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND l.classid::bigint = ? AND l.objid::bigint = ? AND l.objsubid = 1""")) {
            statement.setLong(1, ADVISORY_LOCK_KEY >>> 32);
            statement.setLong(2, ADVISORY_LOCK_KEY & 0xFFFF_FFFFL);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return "another process";
                }
                return (row.getString(2) == null ? "another process" : row.getString(2)) + " (pid " + row.getInt(1) + ")";
            }
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
