package dev.changesetsyncer.testing;

import dev.changesetsyncer.db.JdbcUrls;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The one place that decides which Postgres server the tests use, in this order:
 * <ol>
 *   <li>{@code SYNCER_TEST_DATABASE_URL}: a JDBC URL to any database of a server on which the user
 *       may create databases;</li>
 *   <li>Testcontainers, when a Docker engine is available;</li>
 *   <li>the local server on 127.0.0.1:5432 as user {@code postgres};</li>
 *   <li>an embedded Postgres (zonky), started for this JVM.</li>
 * </ol>
 *
 * @param adminUrl URL of a maintenance database on the server (used to create and drop databases)
 * @param source which of the above it is, for the log
 */
public record PostgresServer(String adminUrl, String source) {
    public static final String URL_VARIABLE = "SYNCER_TEST_DATABASE_URL";
    static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres&connectTimeout=2";

    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
    private static PostgresServer instance;

    /** The server for this JVM, located (and if need be started) on first use. */
    public static synchronized PostgresServer get() {
        if (instance == null) {
            instance = locate();
            log.info("tests use Postgres from {}: {}", instance.source, JdbcUrls.redact(instance.adminUrl));
        }
        return instance;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(adminUrl);
    }

    /** URL of another database on the same server. */
    public String urlOf(String database) {
        return JdbcUrls.withDatabase(adminUrl, database);
    }

    private static PostgresServer locate() {
        String fromEnvironment = System.getenv(URL_VARIABLE);
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return new PostgresServer(fromEnvironment, URL_VARIABLE);
        }
        if (dockerAvailable()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:15-alpine");
            container.start();
            String url = container.getJdbcUrl() + (container.getJdbcUrl().contains("?") ? "&" : "?")
                    + "user=" + container.getUsername() + "&password=" + container.getPassword();
            return new PostgresServer(url, "Testcontainers");
        }
        if (reachable(LOCAL_URL)) {
            return new PostgresServer(LOCAL_URL, "localhost:5432");
        }
        return startEmbedded();
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static boolean reachable(String url) {
        try (Connection ignored = DriverManager.getConnection(url)) {
            return true;
        } catch (SQLException e) {
            log.debug("no Postgres at {}: {}", url, e.getMessage());
            return false;
        }
    }

    private static PostgresServer startEmbedded() {
        try {
            EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    embedded.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
            return new PostgresServer(embedded.getJdbcUrl("postgres", "postgres"), "embedded Postgres");
        } catch (IOException e) {
            throw new UncheckedIOException("no Postgres reachable and the embedded one did not start", e);
        }
    }
}
