package dev.changesetsyncer.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Postgres server for the demo and the benchmark: the one the URL points at when it answers, else
 * (when the URL is only the default) an embedded one started for this process.
 */
public final class LocalPostgres implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalPostgres.class);
    private final String serverUrl;
    private final EmbeddedPostgres embedded;

    private LocalPostgres(String serverUrl, EmbeddedPostgres embedded) {
        this.serverUrl = serverUrl;
        this.embedded = embedded;
    }

    /**
     * @param url where to look
     * @param embeddedIfUnreachable start an embedded server when nothing answers there
     */
    public static LocalPostgres find(String url, boolean embeddedIfUnreachable) {
        String maintenance = JdbcUrls.withDatabase(url, "postgres");
        try (Connection ignored = DriverManager.getConnection(maintenance)) {
            return new LocalPostgres(url, null);
        } catch (SQLException e) {
            if (!embeddedIfUnreachable) {
                throw new IllegalStateException("no Postgres answers at " + JdbcUrls.redact(maintenance) + ": "
                        + e.getMessage(), e);
            }
            log.info("no Postgres at {} ({}); starting an embedded one", JdbcUrls.redact(maintenance), e.getMessage());
        }
        try {
            EmbeddedPostgres started = EmbeddedPostgres.builder().start();
            String embeddedUrl = JdbcUrls.withDatabase(started.getJdbcUrl("postgres", "postgres"), JdbcUrls.database(url));
            return new LocalPostgres(embeddedUrl, started);
        } catch (IOException e) {
            throw new UncheckedIOException("the embedded Postgres did not start", e);
        }
    }

    /**
     * A database of its own for a command that recreates it (the demo, the benchmark): the given URL,
     * else {@code defaultUrl} on the local server, else on an embedded one; its name must contain
     * {@code marker} so that no one loses a real database to a typo. The database is recreated empty.
     */
    public static LocalPostgres dedicated(String givenUrl, String defaultUrl, String marker) {
        String url = givenUrl != null ? givenUrl : defaultUrl;
        if (!JdbcUrls.database(url).contains(marker)) {
            throw new IllegalArgumentException("this command drops and recreates its database: give it one whose name "
                    + "contains '" + marker + "', not " + JdbcUrls.database(url));
        }
        LocalPostgres postgres = find(url, givenUrl == null);
        try {
            postgres.recreateDatabase();
        } catch (RuntimeException e) {
            postgres.close();
            throw e;
        }
        return postgres;
    }

    /** The URL to use: the given one, or the embedded server's with the same database name. */
    public String url() {
        return serverUrl;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    /** Drops (disconnecting everyone) and re-creates the URL's database. */
    public void recreateDatabase() {
        String name = JdbcUrls.database(serverUrl);
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("refusing to recreate a database named " + name);
        }
        try (Connection connection = DriverManager.getConnection(JdbcUrls.withDatabase(serverUrl, "postgres"));
                var statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not recreate database " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                log.warn("the embedded Postgres did not stop cleanly: {}", e.getMessage());
            }
        }
    }
}
