package dev.changesetsyncer.service;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.admin.AdminCredentials;
import dev.changesetsyncer.admin.AdminPages;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.db.DatabaseConfig;
import dev.changesetsyncer.http.HttpServer;
import dev.changesetsyncer.http.HttpSettings;
import dev.changesetsyncer.http.Routes;
import dev.changesetsyncer.webhooks.WebhookCounts;
import dev.changesetsyncer.webhooks.WebhookSecrets;
import dev.changesetsyncer.webhooks.Webhooks;
import java.time.Duration;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a replica process ({@code run}, {@code demo}): one server with every endpoint,
 * and a small connection pool of its own (webhooks must not wait for the sync workers' pool, nor
 * they for it). Every route is one line in {@link #routes}.
 */
public final class HttpService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpService.class);
    /**
     * A delivery holds a connection for one short call; more deliveries at once wait for one. 8 stored
     * 1.2-1.6x more deliveries a second than 4 in the benchmark (more commits flushed together).
     */
    private static final int POOL_SIZE = 8;
    /** Longer than any webhook call takes, shorter than the hosts' own timeouts (GitHub: 10 s). */
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(8);

    private final HikariDataSource pool;
    private final Webhooks webhooks;
    private final HttpServer server;

    private HttpService(HikariDataSource pool, Webhooks webhooks, HttpServer server) {
        this.pool = pool;
        this.webhooks = webhooks;
        this.server = server;
    }

    /**
     * Opens the pool and starts listening. A database that is down does not stop the start: the
     * webhooks answer 503 until it is back.
     *
     * @param name names the server's threads and its connections ({@code <name>-http} in pg_stat_activity)
     * @throws IllegalStateException when the port cannot be bound
     */
    public static HttpService start(String name, HttpSettings settings, String jdbcUrl, WebhookSecrets secrets) {
        return start(name, settings, jdbcUrl, secrets, AdminCredentials.none());
    }

    /** As above, with the admin page open to {@code admin} (off, answering 403, without credentials). */
    public static HttpService start(String name, HttpSettings settings, String jdbcUrl, WebhookSecrets secrets,
            AdminCredentials admin) {
        HikariDataSource pool = DataSources.openForWorker(new DatabaseConfig(jdbcUrl, name + "-http", POOL_SIZE),
                SOCKET_TIMEOUT);
        try {
            DSLContext dsl = DSL.using(pool, SQLDialect.POSTGRES);
            Webhooks webhooks = new Webhooks(dsl, secrets);
            HttpServer server = HttpServer.start(name, settings, routes(webhooks, new AdminPages(admin, dsl)));
            log.info("webhooks: POST {}, {} or {} ?code_host=NAME on port {} ({} webhook secrets configured)",
                    Webhooks.GITHUB_PATH, Webhooks.GITLAB_PATH, Webhooks.BITBUCKET_SERVER_PATH, server.port(),
                    secrets.configured());
            log.info("admin page: http://localhost:{}{} ({})", server.port(), AdminPages.ROOT,
                    admin.enabled() ? "log-in required" : "off: set SYNCER_ADMIN_TOKEN or SYNCER_ADMIN_USER/SYNCER_ADMIN_PASSWORD");
            return new HttpService(pool, webhooks, server);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Everything the server answers. */
    private static Routes routes(Webhooks webhooks, AdminPages admin) {
        return new Routes()
                .post(Webhooks.GITHUB_PATH, webhooks.github())
                .post(Webhooks.GITLAB_PATH, webhooks.gitlab())
                .post(Webhooks.BITBUCKET_SERVER_PATH, webhooks.bitbucketServer())
                .get("/", AdminPages.redirectToAdmin())
                .add("GET", AdminPages.ROOT, admin)
                .under(AdminPages.ROOT + "/", admin);
    }

    /** The port listened on (the chosen one when the settings said 0). */
    public int port() {
        return server.port();
    }

    public WebhookCounts webhookCounts() {
        return webhooks.counts();
    }

    /** Stops the server (requests in flight finish first), then closes the pool. */
    @Override
    public void close() {
        server.close();
        pool.close();
    }
}
