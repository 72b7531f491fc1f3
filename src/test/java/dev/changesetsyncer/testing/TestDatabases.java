package dev.changesetsyncer.testing;

import dev.changesetsyncer.db.Migrations;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Freshly migrated databases, fast: the changelog runs once per JVM into a template database,
 * and each test class gets a {@code CREATE DATABASE ... TEMPLATE} clone of it.
 */
public final class TestDatabases {
    private static final Logger log = LoggerFactory.getLogger(TestDatabases.class);
    private static final String RUN_ID =
            ProcessHandle.current().pid() + "_" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
    private static final AtomicInteger counter = new AtomicInteger();
    private static String template;

    private TestDatabases() {}

    /** A new database with the current schema; the caller drops it. */
    public static String createMigrated(String purpose) {
        String name = "cs_" + sanitize(purpose) + "_" + RUN_ID + "_" + counter.incrementAndGet();
        execute("CREATE DATABASE " + name + " TEMPLATE " + template());
        return name;
    }

    /** A new, empty database (no schema); the caller drops it. */
    public static String createEmpty(String purpose) {
        String name = "cs_" + sanitize(purpose) + "_" + RUN_ID + "_" + counter.incrementAndGet();
        execute("CREATE DATABASE " + name);
        return name;
    }

    /** A pool on an existing database (one a test created some other way); the caller closes it. */
    public static TestDatabase open(String name) {
        return new TestDatabase(name);
    }

    public static void drop(String name) {
        execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    public static String urlOf(String name) {
        return PostgresServer.get().urlOf(name);
    }

    private static synchronized String template() {
        if (template == null) {
            String name = "cs_template_" + RUN_ID;
            execute("CREATE DATABASE " + name);
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setURL(urlOf(name));
            long started = System.nanoTime();
            Migrations.migrate(dataSource);
            log.info("migrated template database {} in {} ms", name, (System.nanoTime() - started) / 1_000_000);
            template = name;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(name)));
        }
        return template;
    }

    private static void execute(String sql) {
        try (Connection connection = PostgresServer.get().connect();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static String sanitize(String purpose) {
        String lower = purpose.toLowerCase().replaceAll("[^a-z0-9]+", "_");
        return lower.length() > 24 ? lower.substring(0, 24) : lower;
    }
}
