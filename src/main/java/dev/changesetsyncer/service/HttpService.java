package dev.changesetsyncer.service;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.admin.AdminCredentials;
import dev.changesetsyncer.admin.AdminPages;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.db.DatabaseConfig;
import dev.changesetsyncer.health.Health;
import dev.changesetsyncer.http.HttpServer;
import dev.changesetsyncer.http.HttpSettings;
import dev.changesetsyncer.http.Routes;
import dev.changesetsyncer.metrics.FleetGauges;
import dev.changesetsyncer.metrics.MetricsEndpoint;
import dev.changesetsyncer.webhooks.WebhookCounts;
import dev.changesetsyncer.webhooks.WebhookSecrets;
import dev.changesetsyncer.webhooks.Webhooks;
import dev.changesetsyncer.worker.Liveness;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
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
    private final Health health;
    private final Optional<FleetGauges> fleet;

    private HttpService(HikariDataSource pool, Webhooks webhooks, HttpServer server, Health health,
            Optional<FleetGauges> fleet) {
        this.pool = pool;
        this.webhooks = webhooks;
        this.server = server;
        this.health = health;
        this.fleet = fleet;
    }

    /**
     * Opens the pool and starts listening. A database that is down does not stop the start: the
     * webhooks answer 503 until it is back.
     *
     * @param name names the server's threads and its connections ({@code <name>-http} in pg_stat_activity)
     * @throws IllegalStateException when the port cannot be bound
     */
    public static HttpService start(String name, HttpSettings settings, String jdbcUrl, WebhookSecrets secrets) {
        return start(name, settings, jdbcUrl, secrets, Observability.fromEnvironment(System.getenv()),
                AdminCredentials.none());
    }

    /** As above, with the admin page open to {@code admin} (off, answering 403, without credentials). */
    public static HttpService start(String name, HttpSettings settings, String jdbcUrl, WebhookSecrets secrets,
            AdminCredentials admin) {
        return start(name, settings, jdbcUrl, secrets, Observability.fromEnvironment(System.getenv()), admin);
    }

    /** As above, with the admin page off. */
    public static HttpService start(String name, HttpSettings settings, String jdbcUrl, WebhookSecrets secrets,
            Observability observability) {
        return start(name, settings, jdbcUrl, secrets, observability, AdminCredentials.none());
    }

    /**
     * As {@link #start(String, HttpSettings, String, WebhookSecrets)}, serving {@code observability}'s
     * registry at {@code /metrics} (the replica's meters go in the same registry), starting the fleet
     * gauges' refresh, and with the admin page open to {@code admin}.
     */
    public static HttpService start(String name, HttpSettings settings, String jdbcUrl, WebhookSecrets secrets,
            Observability observability, AdminCredentials admin) {
        HikariDataSource pool = DataSources.openForWorker(new DatabaseConfig(jdbcUrl, name + "-http", POOL_SIZE),
                SOCKET_TIMEOUT, observability.registry());
        FleetGauges fleet = null;
        try {
            DSLContext dsl = DSL.using(pool, SQLDialect.POSTGRES);
            Webhooks webhooks = new Webhooks(dsl, secrets, observability.registry());
            Health health = new Health(pool);
            MetricsEndpoint metrics = new MetricsEndpoint(observability.registry(), observability.metricsToken());
            HttpServer server = HttpServer.start(name, settings, routes(webhooks, metrics, health, new AdminPages(admin, dsl)));
            fleet = FleetGauges.start(name, jdbcUrl, observability.registry(), observability.fleetRefresh());
            log.info("webhooks: POST {}, {} or {} ?code_host=NAME on port {} ({} webhook secrets configured)",
                    Webhooks.GITHUB_PATH, Webhooks.GITLAB_PATH, Webhooks.BITBUCKET_SERVER_PATH, server.port(),
                    secrets.configured());
            log.info("metrics: GET {} ({}); health: GET {} and {}", MetricsEndpoint.PATH,
                    observability.metricsToken().isPresent() ? "Bearer token of " + MetricsEndpoint.TOKEN_VARIABLE : "open",
                    Health.LIVENESS_PATH, Health.READINESS_PATH);
            log.info("admin page: http://localhost:{}{} ({})", server.port(), AdminPages.ROOT,
                    admin.enabled() ? "log-in required" : "off: set SYNCER_ADMIN_TOKEN or SYNCER_ADMIN_USER/SYNCER_ADMIN_PASSWORD");
            return new HttpService(pool, webhooks, server, health, Optional.of(fleet));
        } catch (RuntimeException e) {
            if (fleet != null) {
                fleet.close();
            }
            pool.close();
            throw e;
        }
    }

    /** Everything the server answers. */
    private static Routes routes(Webhooks webhooks, MetricsEndpoint metrics, Health health, AdminPages admin) {
        return new Routes()
                .post(Webhooks.GITHUB_PATH, webhooks.github())
                .post(Webhooks.GITLAB_PATH, webhooks.gitlab())
                .post(Webhooks.BITBUCKET_SERVER_PATH, webhooks.bitbucketServer())
                .get(MetricsEndpoint.PATH, metrics)
                .get(Health.LIVENESS_PATH, health.liveness())
                .get(Health.READINESS_PATH, health.readiness())
                .get("/", AdminPages.redirectToAdmin())
                .add("GET", AdminPages.ROOT, admin)
                .under(AdminPages.ROOT + "/", admin);
    }

    /** {@code /healthz} reports on these parts from now on (the replica's, once it has started). */
    public void watch(Supplier<List<Liveness>> liveness) {
        health.watch(liveness);
    }

    /** The start of a shutdown: {@code /readyz} answers 503 from now on, while everything else still works. */
    public void shuttingDown() {
        health.shuttingDown();
    }

    /** Whether this replica exports the fleet's per-host gauges now (it holds their advisory lock). */
    public boolean exportsFleetGauges() {
        return fleet.map(FleetGauges::exporting).orElse(false);
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
        health.shuttingDown();
        fleet.ifPresent(FleetGauges::close);
        server.close();
        pool.close();
    }
}
