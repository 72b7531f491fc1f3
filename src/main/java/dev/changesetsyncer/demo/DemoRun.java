package dev.changesetsyncer.demo;

import static java.time.Duration.ofSeconds;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.admin.AdminCredentials;
import dev.changesetsyncer.admin.AdminPages;
import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.codehost.CodeHostClientRegistry;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.db.DatabaseConfig;
import dev.changesetsyncer.db.Migrations;
import dev.changesetsyncer.metrics.MeterRegistries;
import dev.changesetsyncer.service.HttpService;
import dev.changesetsyncer.service.Observability;
import dev.changesetsyncer.simulation.BulkSeeder;
import dev.changesetsyncer.simulation.SeedPlan;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.webhooks.GitHubWebhookSender;
import dev.changesetsyncer.webhooks.WebhookSecrets;
import dev.changesetsyncer.webhooks.Webhooks;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerSettings;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * The demo: a simulated code host with a few thousand changesets, replicas syncing them, users
 * asking for syncs by SQL, a repository archived on the host and found by a repository sync — and a
 * live summary of the queue.
 */
public final class DemoRun {
    static final String HOST_NAME = "simulated-demo";
    /** Short delays so that a 20-second demo shows the schedule at work. */
    static final ScheduleSettings DEMO_SCHEDULE = new ScheduleSettings(ofSeconds(1), ofSeconds(15), ofSeconds(5), ofSeconds(30));
    /**
     * A plausible host: 20 ms per fetch, a few errors and deleted pull requests, and now and then a
     * 429 (which pauses the whole host for every replica for a second).
     */
    static final SimulationSettings DEMO_HOST = new SimulationSettings(Duration.ofMillis(20), 0.3, 0.02, 0.0003, 0.002, 7);
    /** Each repository is re-read every 2 s, so that a 20-second demo sees the archiving found by a read. */
    static final Duration DEMO_REPO_SYNC_INTERVAL = Duration.ofSeconds(2);
    /** The admin page's user during the demo; its password is made for each run and printed. */
    static final String ADMIN_USER = "admin";

    private final String jdbcUrl;
    private final int changesets;
    private final int replicaCount;
    private final WorkerSettings workerTemplate;
    private final Optional<DemoHttp> http;
    private final PrintStream out;

    /** @param http the demo's HTTP server, which receives the simulated host's webhooks; empty: none */
    public DemoRun(String jdbcUrl, int changesets, int replicaCount, WorkerSettings workerTemplate,
            Optional<DemoHttp> http, PrintStream out) {
        if (changesets < 100) {
            throw new IllegalArgumentException("the demo needs at least 100 changesets, got " + changesets);
        }
        if (replicaCount < 1) {
            throw new IllegalArgumentException("the demo needs at least one replica, got " + replicaCount);
        }
        this.jdbcUrl = jdbcUrl;
        this.changesets = changesets;
        this.replicaCount = replicaCount;
        this.workerTemplate = workerTemplate;
        this.http = http;
        this.out = out;
    }

    private HttpService startServer(DemoHttp settings, String secret, AdminCredentials admin, Observability observability) {
        WebhookSecrets secrets = WebhookSecrets.of(Map.of(HOST_NAME, secret));
        try {
            return HttpService.start("demo", settings.settings(), jdbcUrl, secrets, observability, admin);
        } catch (IllegalStateException busy) {
            if (!settings.anyPortIfBusy()) {
                throw busy;
            }
            out.printf("port %d is busy; the demo's HTTP server takes any free port instead%n", settings.settings().port());
            return HttpService.start("demo", settings.settings().withPort(0), jdbcUrl, secrets, observability, admin);
        }
    }

    /** A webhook secret for this run only: 32 random bytes, hex. */
    private static String newSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Runs until {@code duration} passes or {@code stopRequested} says so; returns the final summary line. */
    public String run(Duration duration, BooleanSupplier stopRequested) throws InterruptedException {
        try (HikariDataSource pool = DataSources.open(new DatabaseConfig(jdbcUrl, "demo", 4))) {
            Migrations.migrate(pool);
            DSLContext dsl = DSL.using(pool, SQLDialect.POSTGRES);
            CatalogStore catalog = new CatalogStore(dsl);
            CodeHost host = catalog.createCodeHost(HOST_NAME, CodeHostKind.SIMULATED, "https://code.example.test",
                    DEMO_SCHEDULE);
            catalog.updateRepoSyncInterval(host.id(), DEMO_REPO_SYNC_INTERVAL);
            int repos = Math.max(1, changesets / 100);
            new BulkSeeder(pool).seed(new SeedPlan(host.id(), "demo/repo", repos, changesets / repos, 0.5));
            out.printf("demo: %d changesets in %d repositories on a simulated host (20 ms per fetch, 2%% errors); "
                    + "%d replicas; schedule min %ds, max %ds; each repository re-read every %ds%n",
                    changesets / repos * repos, repos, replicaCount, DEMO_SCHEDULE.minSyncDelay().toSeconds(),
                    DEMO_SCHEDULE.maxSyncDelay().toSeconds(), DEMO_REPO_SYNC_INTERVAL.toSeconds());

            String secret = newSecret();
            String adminPassword = newSecret().substring(0, 20);
            // one registry for the server and the in-process replicas: /metrics shows their syncs too
            Observability observability = Observability.fromEnvironment(System.getenv());
            Optional<HttpService> server = http.map(settings -> startServer(settings, secret,
                    AdminCredentials.of(null, ADMIN_USER, adminPassword), observability));
            Optional<DemoWebhooks> webhooks = server.map(s -> new DemoWebhooks(dsl,
                    new GitHubWebhookSender("http://127.0.0.1:" + s.port(), HOST_NAME, secret), out));
            out.println(server.map(s -> String.format("webhooks: POST http://localhost:%d%s?code_host=%s, in GitHub's "
                            + "format, signed with a secret made for this run; the simulated host sends one now and then",
                            s.port(), Webhooks.GITHUB_PATH, HOST_NAME))
                    .orElse("webhooks: off (--no-http)"));
            server.ifPresent(s -> out.printf("admin page: http://localhost:%d%s (user %s, password %s, made for this run; "
                    + "open it while the demo runs)%n", s.port(), AdminPages.ROOT, ADMIN_USER, adminPassword));

            SimulatedCodeHost simulator = new SimulatedCodeHost(DEMO_HOST);
            CodeHostClientRegistry clients = new CodeHostClientRegistry()
                    .register(CodeHostKind.SIMULATED, codeHost -> simulator);
            List<Replica> replicas = new ArrayList<>();
            long started = System.nanoTime();
            try {
                for (int i = 1; i <= replicaCount; i++) {
                    String workerId = "demo-" + i;
                    replicas.add(Replica.start(workerTemplate.withWorkerId(workerId), jdbcUrl, clients,
                            MeterRegistries.forReplica(observability.registry(), workerId)));
                }
                List<Replica> running = List.copyOf(replicas);
                server.ifPresent(s -> s.watch(() -> running.stream().flatMap(r -> r.liveness().stream()).toList()));
                new DemoScript(dsl, out, replicas, webhooks, simulator.repositories()).play(duration, stopRequested);
            } finally {
                replicas.forEach(Replica::stop);
                server.ifPresent(HttpService::close);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long synced = replicas.stream().mapToLong(r -> r.metrics().snapshot().synced()).sum();
            long repoSyncs = replicas.stream().mapToLong(Replica::repoSyncsWritten).sum();
            QueueReport report = QueueReport.read(dsl);
            return String.format("demo finished: %d syncs in %.1f s (%.0f/s) by %d replicas, and %d repository syncs; "
                            + "%d requests served (p50 %d ms, p99 %d ms); webhooks: %d stored; %d failing, %d gone; "
                            + "%d overlapping syncs of one changeset, %d of one repository",
                    synced, seconds, synced / seconds, replicaCount, repoSyncs, report.requestsServed(),
                    report.requestP50().toMillis(), report.requestP99().toMillis(),
                    webhooks.map(DemoWebhooks::stored).orElse(0), report.failing(), report.gone(), simulator.overlaps(),
                    simulator.repositories().overlaps());
        }
    }
}
