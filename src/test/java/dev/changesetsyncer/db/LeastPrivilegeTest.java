package dev.changesetsyncer.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.http.HttpSettings;
import dev.changesetsyncer.requests.SyncRequestStore;
import dev.changesetsyncer.service.HttpService;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.testing.CommandProcess;
import dev.changesetsyncer.testing.Fixtures;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import dev.changesetsyncer.testing.TestDatabases;
import dev.changesetsyncer.webhooks.WebhookSecrets;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The roles {@code roles --create} makes, each used by a log-in role that is its member: each can do
 * its job, and is refused the rest. Roles belong to the whole server: their names carry a prefix of
 * this test run, and they are dropped afterwards.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeastPrivilegeTest {
    static final String INSUFFICIENT_PRIVILEGE = "42501";
    static final String WEBHOOK_SECRET = "least-privilege-webhook-secret";
    final TestDatabase database;
    final CatalogStore catalog;
    final String prefix = "cs" + ProcessHandle.current().pid() + "_" + ThreadLocalRandom.current().nextInt(1 << 20) + "_";
    final List<String> logins = List.of("migrate", "work", "ask", "read");

    LeastPrivilegeTest(TestDatabase database) {
        this.database = database;
        this.catalog = new CatalogStore(database.dsl());
        database.execute("SELECT create_syncer_roles('" + prefix + "')");
        database.execute("CREATE ROLE " + prefix + "migrate LOGIN PASSWORD 'x' IN ROLE " + prefix + "migrator");
        database.execute("ALTER ROLE " + prefix + "migrate SET role = '" + prefix + "migrator'");
        database.execute("CREATE ROLE " + prefix + "work LOGIN PASSWORD 'x' IN ROLE " + prefix + "worker");
        database.execute("CREATE ROLE " + prefix + "ask LOGIN PASSWORD 'x' IN ROLE " + prefix + "requester");
        database.execute("CREATE ROLE " + prefix + "read LOGIN PASSWORD 'x' IN ROLE " + prefix + "reader");
    }

    @AfterAll
    void dropTheRoles() {
        for (String login : logins) {
            database.execute("DROP OWNED BY " + prefix + login);
            database.execute("DROP ROLE " + prefix + login);
        }
        database.execute("SELECT drop_syncer_roles('" + prefix + "')");
    }

    @Test
    void theMigratorOwnsTheSchemaAndMigratesItsChangesKeepingEveryRolesGrants() throws Exception {
        CodeHost host = catalog.createCodeHost("migrated", CodeHostKind.SIMULATED, "http://simulated.test", ScheduleSettings.DEFAULTS);
        catalog.createChangesets(catalog.createRepo(host.id(), "m1", "org/migrated").id(), List.of("1"));
        // as if this version changed the views: their file runs again, dropping and re-creating them
        database.execute("DELETE FROM databasechangelog WHERE id = 'views-schedule'");

        Migrations.migrate(dataSource("migrate"));

        assertThat(database.value(String.class, "SELECT viewowner::text FROM pg_views WHERE viewname = 'changeset_schedule'"))
                .isEqualTo(prefix + "migrator");
        assertThat(count("read", "SELECT count(*) FROM changeset_schedule")).as("the reader still reads the new view")
                .isPositive();
        assertRefused("migrate", "CREATE ROLE " + prefix + "intruder");
        assertRefused("migrate", "CREATE DATABASE " + prefix + "elsewhere");
    }

    @Test
    void theWorkerSyncsStoresWebhooksAndStartsWithoutMigratingButChangesNoSettingAndNoSchema(@TempDir Path workDir)
            throws Exception {
        CodeHost simulated = catalog.createCodeHost("worked", CodeHostKind.SIMULATED, "http://simulated.test",
                ScheduleSettings.DEFAULTS);
        List<Long> changesets = catalog.createChangesets(catalog.createRepo(simulated.id(), "w1", "org/worked").id(),
                List.of("1", "2", "3"));
        CodeHost github = catalog.createCodeHost("worked-github", CodeHostKind.GITHUB, "https://github.test",
                ScheduleSettings.DEFAULTS);
        Repo hello = catalog.createRepo(github.id(), "186853002", "Codertocat/Hello-World");
        catalog.createChangesets(hello.id(), List.of("7"));
        execute("ask", "INSERT INTO sync_requests (changeset_id, reason) VALUES (" + changesets.getFirst() + ", 'please')");

        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT.withLatency(Duration.ofMillis(1)));
        Replica replica = Replica.start(WorkerSettings.defaults("least-privilege").withPollInterval(Duration.ofMillis(200)),
                url("work"), codeHost -> simulator);
        try (HttpService http = HttpService.start("least-privilege", HttpSettings.onPort(0), url("work"),
                WebhookSecrets.of(Map.of("worked-github", WEBHOOK_SECRET)))) {
            await().atMost(Duration.ofMinutes(1)).until(() -> database.value(Long.class, "SELECT count(*) FROM "
                    + "changeset_sync_state WHERE code_host_id = " + simulated.id() + " AND last_synced_at IS NOT NULL") == 3);
            assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE served_at IS NOT NULL "
                    + "AND changeset_id = " + changesets.getFirst())).as("the request was served").isEqualTo(1);

            int status = deliver(http.port(), "repository", Fixtures.text("github/webhooks/from-docs/repository.archived.json"));

            assertThat(status).isEqualTo(200);
            assertThat(database.value(Boolean.class, "SELECT archived FROM repos WHERE id = " + hello.id())).isTrue();
            assertThat(database.value(Long.class, "SELECT count(*) FROM webhook_deliveries WHERE code_host_id = "
                    + github.id())).isEqualTo(1);
            assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests r JOIN changesets c ON c.id = "
                    + "r.changeset_id WHERE r.priority = 0 AND c.repo_id = " + hello.id()))
                    .as("the archived flip's trigger, run as the worker, asked for its changeset (a bulk request)").isEqualTo(1);
        } finally {
            replica.stop();
        }

        assertThat(Migrations.missingChangesets(dataSource("work"))).as("run --no-migrate's check").isEmpty();
        try (CommandProcess run = CommandProcess.start(workDir, Map.of(), null, "run", "--no-migrate", "--no-http",
                "--database-url", url("work"), "--worker-id", "no-migrate")) {
            await().atMost(Duration.ofMinutes(2)).until(() -> run.output().contains("replica no-migrate started")
                    || !run.isAlive());
            assertThat(run.output()).contains("replica no-migrate started");
        }
        assertRefused("work", "UPDATE code_hosts SET requests_per_hour = 1");
        assertRefused("work", "INSERT INTO code_hosts (name, kind, base_url) VALUES ('x', 'simulated', 'http://x.test')");
        assertRefused("work", "DELETE FROM changesets");
        assertRefused("work", "CREATE TABLE intruder (id int)");
        assertThatThrownBy(() -> Migrations.migrate(dataSource("work"))).as("only the migrator migrates")
                .hasMessageContaining("permission denied");
    }

    @Test
    void theRequesterAsksForSyncsAndReadsTheViewsButCannotTouchTheQueue() throws Exception {
        CodeHost host = catalog.createCodeHost("asked", CodeHostKind.SIMULATED, "http://simulated.test", ScheduleSettings.DEFAULTS);
        Repo repo = catalog.createRepo(host.id(), "a1", "org/asked");
        List<Long> changesets = catalog.createChangesets(repo.id(), List.of("1", "2"));

        execute("ask", "INSERT INTO sync_requests (changeset_id, reason) VALUES (" + changesets.getFirst() + ", 'by hand')");
        int asked = new SyncRequestStore(DSL.using(dataSource("ask"), SQLDialect.POSTGRES))
                .requestRepository("org/asked", "asked", "the request command", "an operator", SyncRequestStore.Priority.URGENT);

        assertThat(asked).isEqualTo(2);
        assertThat(count("ask", "SELECT count(*) FROM changeset_schedule WHERE repo_id = " + repo.id() + " AND priority = 2"))
                .as("its trigger made them due, as the schema's owner").isEqualTo(2);
        assertRefused("ask", "UPDATE changeset_sync_state SET gone_at = now(), failures = 99");
        assertRefused("ask", "INSERT INTO sync_requests (changeset_id, reason, served_at, served_by_claim, served_by) "
                + "VALUES (" + changesets.getFirst() + ", 'forged', now(), 1, 'me')");
        assertRefused("ask", "INSERT INTO sync_requests (changeset_id, reason, requested_at) "
                + "VALUES (" + changesets.getFirst() + ", 'backdated', now() - interval '1 day')");
        assertRefused("ask", "SELECT base_url FROM code_hosts");
        assertRefused("ask", "SELECT last_error FROM changeset_sync_state");
        assertRefused("ask", "SELECT reason FROM sync_requests");
    }

    @Test
    void aTemporaryTableCannotStandInForTheQueueInTheRequestTrigger() throws Exception {
        CodeHost host = catalog.createCodeHost("shadowed", CodeHostKind.SIMULATED, "http://simulated.test",
                ScheduleSettings.DEFAULTS);
        long changeset = catalog.createChangesets(catalog.createRepo(host.id(), "s1", "org/shadowed").id(), List.of("1")).getFirst();

        try (Connection connection = DriverManager.getConnection(url("ask")); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TEMP TABLE changeset_sync_state (changeset_id bigint, requested_at timestamptz, "
                    + "priority smallint, failures integer, last_attempt_at timestamptz, claim_token bigint)");
            statement.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (" + changeset + ", 'shadowed?')");
        }

        assertThat(database.value(Integer.class, "SELECT priority FROM changeset_sync_state WHERE changeset_id = " + changeset))
                .as("the real queue row").isEqualTo(1);
        assertThat(database.value(String.class, """
                SELECT array_to_string(proconfig, ',') FROM pg_proc WHERE proname = 'trg_sync_requests_mark_due' AND prosecdef"""))
                .isEqualTo("search_path=public, pg_temp");
    }

    @Test
    void theReaderReadsTheViewsOnly() throws Exception {
        CodeHost host = catalog.createCodeHost("read", CodeHostKind.SIMULATED, "http://simulated.test", ScheduleSettings.DEFAULTS);
        long changeset = catalog.createChangesets(catalog.createRepo(host.id(), "r1", "org/read").id(), List.of("1")).getFirst();

        assertThat(count("read", "SELECT count(*) FROM changeset_schedule WHERE changeset_id = " + changeset)).isEqualTo(1);
        assertThat(count("read", "SELECT count(*) FROM code_host_sync_summary WHERE name = 'read'")).isEqualTo(1);
        assertRefused("read", "SELECT * FROM changesets");
        assertRefused("read", "SELECT * FROM code_hosts");
        assertRefused("read", "INSERT INTO sync_requests (changeset_id, reason) VALUES (" + changeset + ", 'no')");
        assertRefused("read", "SELECT pause_code_host('read', now() + interval '1 hour', 'no')");
    }

    String url(String login) {
        String admin = TestDatabases.urlOf(database.name());
        String withoutUser = admin.replaceAll("([?&])(user|password)=[^&]*&?", "$1").replaceAll("[?&]$", "");
        return withoutUser + (withoutUser.contains("?") ? "&" : "?") + "user=" + prefix + login + "&password=x";
    }

    PGSimpleDataSource dataSource(String login) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url(login));
        return dataSource;
    }

    void execute(String login, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url(login)); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    long count(String login, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url(login)); Statement statement = connection.createStatement();
                var row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }

    void assertRefused(String login, String sql) {
        assertThatThrownBy(() -> execute(login, sql)).as("%s: %s", login, sql)
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE));
    }

    int deliver(int port, String event, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/github?code_host=worked-github"))
                .header("Content-Type", "application/json").header("X-GitHub-Event", event)
                .header("X-GitHub-Delivery", "least-privilege-1")
                .header("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(bytes)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
        }
    }
}
