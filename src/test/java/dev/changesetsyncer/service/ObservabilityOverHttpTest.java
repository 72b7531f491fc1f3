package dev.changesetsyncer.service;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.codehost.CodeHostClient;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.RepoTarget;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.SyncTarget;
import dev.changesetsyncer.http.HttpSettings;
import dev.changesetsyncer.metrics.MeterRegistries;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import dev.changesetsyncer.webhooks.WebhookSecrets;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operators' surface of a real replica over real HTTP: {@code /metrics} moves with the syncs,
 * its token, the fleet gauges exported by exactly one replica, {@code /healthz} and {@code /readyz}.
 */
@ExtendWith(PostgresExtension.class)
class ObservabilityOverHttpTest {
    static final Duration FAST_REFRESH = ofMillis(100);
    final TestDatabase database;
    final Catalog catalog;
    final HttpClient http = HttpClient.newHttpClient();
    final List<AutoCloseable> started = new ArrayList<>();

    ObservabilityOverHttpTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
    }

    @BeforeEach
    void emptyQueue() {
        database.truncateAll();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : started.reversed()) {
            c.close();
        }
    }

    @Test
    void metricsAfterSyncsCarryEverySeriesAndMoveWithTheSyncs() throws Exception {
        CodeHost host = catalog.host();
        Repo repo = catalog.repo(host);
        List<Long> ids = catalog.changesets(repo, 5);
        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (" + ids.getFirst() + ", 'now')");
        Observability observability = observability(Optional.empty());
        HttpService server = server("m", observability);
        Replica replica = replica("m", new SimulatedCodeHost(SimulationSettings.DEFAULT.withLatency(ofMillis(1))),
                observability);
        server.watch(replica::liveness);

        await().atMost(ofMinutes(1)).until(() -> database.value(Long.class, "SELECT count(*) FROM sync_requests "
                + "WHERE served_at IS NOT NULL") == 1 && database.value(Long.class, "SELECT count(*) FROM "
                + "changeset_sync_state WHERE last_synced_at IS NOT NULL") == 5);
        Map<String, String> onHost = Map.of("code_host", host.name());
        await().atMost(ofSeconds(30)).until(() -> scrape(server, null).sum("syncer_syncs_total", onHost) >= 5);
        Scrape first = scrape(server, null);

        assertThat(first.sum("syncer_syncs_total", Map.of("code_host", host.name(), "outcome", "changed"))
                + first.sum("syncer_syncs_total", Map.of("code_host", host.name(), "outcome", "unchanged")))
                .isEqualTo(5);
        assertThat(first.sum("syncer_sync_duration_seconds_count", onHost)).isGreaterThanOrEqualTo(5);
        assertThat(first.find("syncer_sync_duration_seconds_bucket", onHost)).as("a histogram").isNotEmpty();
        assertThat(first.sum("syncer_claim_duration_seconds_count", Map.of())).isGreaterThanOrEqualTo(1);
        assertThat(first.sum("syncer_claim_batch_size_sum", Map.of())).isGreaterThanOrEqualTo(5);
        assertThat(first.sum("syncer_write_duration_seconds_count", Map.of())).isGreaterThanOrEqualTo(1);
        assertThat(first.sum("syncer_write_batch_size_sum", Map.of())).isGreaterThanOrEqualTo(5);
        assertThat(first.sum("syncer_request_start_latency_seconds_count", onHost)).isEqualTo(1);
        assertThat(first.find("syncer_replica_in_flight", Map.of("worker", "m"))).hasSize(1);
        assertThat(first.find("syncer_database_errors_total", Map.of())).hasSize(1);
        assertThat(first.find("syncer_syncs_lost_total", Map.of())).hasSize(1);
        assertThat(first.find("syncer_claims_released_total", Map.of())).hasSize(1);
        assertThat(first.find("syncer_results_unwritable_total", Map.of())).hasSize(1);
        for (String standard : List.of("hikaricp_connections_active", "jvm_memory_used_bytes", "jvm_threads_live_threads",
                "jvm_classes_loaded_classes", "system_cpu_count", "process_uptime_seconds", "jvm_gc_memory_allocated_bytes_total")) {
            assertThat(first.has(standard)).as(standard).isTrue();
        }
        assertThat(first.find("hikaricp_connections_active", Map.of("pool", "m"))).as("the replica's pool").hasSize(1);
        assertThat(first.find("hikaricp_connections_active", Map.of("pool", "m-http"))).as("the server's pool").hasSize(1);
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE sync_started_at IS NOT NULL "
                + "AND sync_started_at >= requested_at AND sync_started_at <= served_at"))
                .as("the serving sync's start is stored").isEqualTo(1);

        // the fleet's gauges, from the summary view: this is the only replica, so it exports them
        await().atMost(ofSeconds(30)).until(() -> scrape(server, null).sum("syncer_fleet_exporter", Map.of()) == 1);
        assertThat(scrape(server, null).find("syncer_due", onHost)).hasSize(1);

        // a webhook for a host we do not know is counted under "unknown"
        HttpResponse<String> webhook = http.send(HttpRequest.newBuilder(uri(server, "/webhooks/github?code_host=nope"))
                .header("X-GitHub-Event", "ping").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());

        // more syncs: the counters move
        for (long id : ids) {
            database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (" + id + ", 'again')");
        }
        await().atMost(ofMinutes(1)).until(() -> scrape(server, null).sum("syncer_syncs_total", onHost) >= 10);
        Scrape second = scrape(server, null);
        assertThat(second.sum("syncer_request_start_latency_seconds_count", onHost)).isGreaterThan(1);
        assertThat(second.sum("syncer_claim_batch_size_sum", Map.of()))
                .isGreaterThan(first.sum("syncer_claim_batch_size_sum", Map.of()));
        assertThat(second.sum("syncer_webhook_deliveries_total",
                Map.of("code_host", "unknown", "status", String.valueOf(webhook.statusCode())))).isEqualTo(1);
        assertThat(replica.metrics().snapshot().completed()).as("the status line reads the same meters")
                .isEqualTo((long) second.sum("syncer_syncs_total", Map.of("outcome", "changed"))
                        + (long) second.sum("syncer_syncs_total", Map.of("outcome", "unchanged"))
                        + (long) second.sum("syncer_syncs_total", Map.of("outcome", "gone")));
    }

    @Test
    void aMetricsTokenKeepsOutScrapersWithoutIt() throws Exception {
        HttpService server = server("t", observability(Optional.of("metrics-token-for-the-test")));

        assertThat(get(server, "/metrics", null).statusCode()).isEqualTo(401);
        assertThat(get(server, "/metrics", "Bearer wrong-token").statusCode()).isEqualTo(401);
        assertThat(get(server, "/metrics", "Basic bWV0cmljcy10b2tlbi1mb3ItdGhlLXRlc3Q=").statusCode()).isEqualTo(401);
        HttpResponse<String> allowed = get(server, "/metrics", "Bearer metrics-token-for-the-test");
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(allowed.body()).contains("jvm_memory_used_bytes");
        assertThat(get(server, "/healthz", null).statusCode()).as("health stays open").isEqualTo(200);
        assertThat(get(server, "/readyz", null).statusCode()).isEqualTo(200);
    }

    @Test
    void exactlyOneReplicaExportsTheFleetGaugesAndAnotherTakesOverWhenItGoes() throws Exception {
        CodeHost host = catalog.host();
        catalog.changesets(catalog.repo(host), 3);
        long due = database.value(Long.class, "SELECT due_now FROM code_host_sync_summary WHERE name = '" + host.name() + "'");
        HttpService a = server("fleet-a", observability(Optional.empty()));
        HttpService b = server("fleet-b", observability(Optional.empty()));
        Map<String, String> onHost = Map.of("code_host", host.name());

        await().atMost(ofSeconds(30)).until(() -> a.exportsFleetGauges() || b.exportsFleetGauges());
        HttpService exporter = a.exportsFleetGauges() ? a : b;
        HttpService other = exporter == a ? b : a;
        await().atMost(ofSeconds(30)).until(() -> scrape(exporter, null).has("syncer_due"));
        Scrape exported = scrape(exporter, null);
        Scrape notExported = scrape(other, null);

        assertThat(exported.sum("syncer_due", onHost)).isEqualTo(due).isEqualTo(3);
        for (String gauge : List.of("syncer_oldest_overdue_seconds", "syncer_in_flight", "syncer_failing", "syncer_gone",
                "syncer_paused_until_seconds")) {
            assertThat(exported.find(gauge, onHost)).as(gauge).hasSize(1);
        }
        assertThat(exported.sum("syncer_fleet_exporter", Map.of())).isEqualTo(1);
        assertThat(other.exportsFleetGauges()).isFalse();
        assertThat(notExported.has("syncer_due")).isFalse();
        assertThat(notExported.has("syncer_oldest_overdue_seconds")).isFalse();
        assertThat(notExported.sum("syncer_fleet_exporter", Map.of())).isZero();

        exporter.close();
        await().atMost(ofSeconds(30)).until(other::exportsFleetGauges);
        await().atMost(ofSeconds(30)).until(() -> scrape(other, null).sum("syncer_due", onHost) == 3);
    }

    @Test
    void theBudgetGaugeShowsWhatIsLeftOfAHostsBudget() throws Exception {
        CodeHost host = catalog.host();
        catalog.changesets(catalog.repo(host), 1);
        database.execute("UPDATE code_hosts SET requests_per_hour = 3600 WHERE id = " + host.id());
        HttpService server = server("budget", observability(Optional.empty()));

        await().atMost(ofSeconds(30)).until(() -> scrape(server, null).has("syncer_budget_left"));
        double left = scrape(server, null).sum("syncer_budget_left", Map.of("code_host", host.name()));
        assertThat(left).isEqualTo(database.value(Double.class, "SELECT budget_left FROM code_host_sync_summary WHERE "
                + "code_host_id = " + host.id()), org.assertj.core.data.Offset.offset(5.0));
    }

    @Test
    void readinessFailsFromTheStartOfAShutdownWhileLivenessAndWebhooksStillAnswer() throws Exception {
        CodeHost host = catalog.host();
        catalog.changesets(catalog.repo(host), 1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch fetching = new CountDownLatch(1);
        CodeHostClient blocking = new CodeHostClient() {
            @Override
            public SyncResult fetch(SyncTarget target) throws InterruptedException {
                fetching.countDown();
                release.await();
                return new SyncResult.Unchanged(null, 0);
            }

            @Override
            public RepoSyncResult syncRepository(RepoTarget target) {
                throw new UnsupportedOperationException("no repository syncs here");
            }
        };
        Observability observability = observability(Optional.empty());
        HttpService server = HttpService.start("stopping", HttpSettings.onPort(0), database.url(), WebhookSecrets.of(Map.of()),
                observability);
        Replica replica = Replica.start(WorkerSettings.defaults("stopping").withShutdownGrace(ofMinutes(1)),
                database.url(), h -> blocking, observability.registry());
        server.watch(replica::liveness);
        try {
            assertThat(fetching.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            HttpResponse<String> alive = get(server, "/healthz", null);
            assertThat(alive.statusCode()).isEqualTo(200);
            assertThat(alive.body()).contains("claim loop", "writer", "listener");
            assertThat(get(server, "/readyz", null).statusCode()).isEqualTo(200);

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> GracefulStop.stop(replica, Optional.of(server)));
            await().atMost(ofSeconds(30)).until(() -> get(server, "/readyz", null).statusCode() == 503);
            assertThat(get(server, "/readyz", null).body()).contains("shutting down");
            assertThat(stopping).as("the replica still drains its sync").isNotDone();
            assertThat(get(server, "/metrics", null).statusCode()).as("metrics still answer").isEqualTo(200);

            release.countDown();
            stopping.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(database.value(Long.class, "SELECT count(*) FROM changeset_sync_state WHERE last_synced_at IS NOT NULL"))
                    .as("the sync in flight was written back").isEqualTo(1);
        } finally {
            release.countDown();
            replica.stop();
            server.close();
        }
    }

    @Test
    void livenessNamesEachDeadPart() throws Exception {
        Observability observability = observability(Optional.empty());
        HttpService server = server("dying", observability);
        Replica replica = Replica.start(WorkerSettings.defaults("dying"), database.url(),
                h -> new SimulatedCodeHost(SimulationSettings.DEFAULT), observability.registry());
        server.watch(replica::liveness);
        assertThat(get(server, "/healthz", null).statusCode()).isEqualTo(200);

        replica.kill();

        await().atMost(ofSeconds(30)).until(() -> get(server, "/healthz", null).statusCode() == 503);
        assertThat(get(server, "/healthz", null).body()).startsWith("dead: ").contains("claim loop (its thread",
                "writer (its thread", "listener (its thread");
    }

    @Test
    void readinessNeedsEveryChangeOfTheSchema() throws Exception {
        HttpService server = server("schema", observability(Optional.empty()));
        database.execute("CREATE TABLE changelog_backup AS SELECT * FROM databasechangelog WHERE id = "
                + "'010-sync-requests-sync-started-at'");
        try {
            database.execute("DELETE FROM databasechangelog WHERE id = '010-sync-requests-sync-started-at'");
            HttpResponse<String> missing = get(server, "/readyz", null);
            assertThat(missing.statusCode()).isEqualTo(503);
            assertThat(missing.body()).contains("the schema lacks 1 of this version's changes",
                    "010-sync-requests-sync-started-at");
        } finally {
            database.execute("INSERT INTO databasechangelog SELECT * FROM changelog_backup; DROP TABLE changelog_backup");
        }
        assertThat(get(server, "/readyz", null).statusCode()).isEqualTo(200);
    }

    private Observability observability(Optional<String> token) {
        return new Observability(MeterRegistries.prometheus(), token, FAST_REFRESH);
    }

    private HttpService server(String name, Observability observability) {
        HttpService server = HttpService.start(name, HttpSettings.onPort(0), database.url(), WebhookSecrets.of(Map.of()),
                observability);
        started.add(server);
        return server;
    }

    private Replica replica(String name, CodeHostClient client, Observability observability) {
        Replica replica = Replica.start(WorkerSettings.defaults(name).withPollInterval(ofMillis(200)), database.url(),
                h -> client, observability.registry());
        started.add(replica::stop);
        return replica;
    }

    private Scrape scrape(HttpService server, String authorization) throws Exception {
        HttpResponse<String> response = get(server, "/metrics", authorization);
        assertThat(response.statusCode()).isEqualTo(200);
        return Scrape.parse(response.body());
    }

    private HttpResponse<String> get(HttpService server, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(server, path)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(HttpService server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
