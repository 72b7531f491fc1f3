package dev.changesetsyncer.soak;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.RateLimitSettings;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.db.DatabaseConfig;
import dev.changesetsyncer.db.Migrations;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/** The soak's own database: setting it up, asking for syncs, and reading what the fleet did. */
final class SoakDatabase implements AutoCloseable {
    /** {@code sync_requests.requested_by} of the soak's requests. */
    static final String REQUESTER = "soak";

    private final String url;
    private final HikariDataSource pool;
    private final DSLContext dsl;

    SoakDatabase(String url) {
        this.url = url;
        this.pool = DataSources.open(new DatabaseConfig(url, "soak-harness", 4), DataSources.WhenDown.TOLERATE);
        this.dsl = DSL.using(pool, SQLDialect.POSTGRES);
    }

    void migrate() {
        Migrations.migrate(pool);
    }

    /**
     * A GitHub code host row for the simulated host, with no request budget of ours (the soak
     * measures the fleet, not the throttle) and a schedule that syncs every changeset at least every
     * {@code syncEvery}.
     */
    CodeHost createHost(String name, String baseUrl, Duration syncEvery) {
        CatalogStore catalog = new CatalogStore(dsl);
        Duration min = syncEvery.dividedBy(6);
        Duration checks = syncEvery.dividedBy(3);
        CodeHost host = catalog.createCodeHost(name, CodeHostKind.GITHUB, baseUrl,
                new ScheduleSettings(min, syncEvery, checks, syncEvery));
        catalog.updateRateLimits(host.id(), new RateLimitSettings(null, null, 1, null));
        return host;
    }

    Repo createRepo(long hostId, String externalId, String name) {
        return new CatalogStore(dsl).createRepo(hostId, externalId, name);
    }

    List<Long> createChangesets(long repoId, List<String> numbers) {
        return new CatalogStore(dsl).createChangesets(repoId, numbers);
    }

    /** Asks for a sync of one changeset, as anyone may: a plain INSERT. */
    long requestSync(long changesetId) {
        return dsl.fetchSingle("INSERT INTO sync_requests (changeset_id, reason, requested_by) VALUES (?, ?, ?) RETURNING id",
                changesetId, "soak: a request during faults", REQUESTER).get(0, Long.class);
    }

    /** A changeset that has work owed: due (claimed or not), held by an expired lease, or swept after one. */
    record Owed(long changesetId, Instant dueSince) {}

    /** The database's time and every changeset owed work at that time. */
    record OwedSample(Instant now, List<Owed> owed) {}

    /**
     * Changesets owed a sync now. A row whose lease expired and was swept gets a retry time by
     * backoff, which may lie ahead: it stays owed until a sync writes a result (its
     * {@code last_error} then no longer names the expired lease), so the wait it suffers is counted.
     */
    OwedSample owed() {
        var rows = dsl.fetch("""
                SELECT now() AS now, changeset_id, least(next_sync_at, now()) AS due_since
                  FROM changeset_sync_state
                 WHERE next_sync_at <= now()
                    OR (claim_token IS NOT NULL AND lease_until < now())
                    OR (failures > 0 AND last_error LIKE 'lease of % expired at %')""");
        Instant now = rows.isEmpty() ? dsl.fetchSingle("SELECT now()").get(0, OffsetDateTime.class).toInstant()
                : rows.getFirst().get("now", OffsetDateTime.class).toInstant();
        return new OwedSample(now, rows.map(r -> new Owed(r.get("changeset_id", Long.class),
                r.get("due_since", OffsetDateTime.class) == null ? now
                        : r.get("due_since", OffsetDateTime.class).toInstant())));
    }

    /** {@code changeset_sync_state}'s tuples and size, as Postgres's statistics have them. */
    record TableStats(long deadTuples, long liveTuples, long tableBytes, long totalBytes, long autovacuums) {}

    TableStats tableStats() {
        Record r = dsl.fetchSingle("""
                SELECT n_dead_tup, n_live_tup, pg_relation_size(relid) AS table_bytes,
                       pg_total_relation_size(relid) AS total_bytes, autovacuum_count
                  FROM pg_stat_user_tables WHERE relname = 'changeset_sync_state'""");
        return new TableStats(r.get(0, Long.class), r.get(1, Long.class), r.get(2, Long.class), r.get(3, Long.class),
                r.get(4, Long.class));
    }

    /** What autovacuum would do, for a server where it is off. */
    void vacuum() {
        dsl.execute("VACUUM changeset_sync_state");
    }

    /** Whether the server's autovacuum is on. */
    boolean autovacuumOn() {
        return "on".equals(dsl.fetchSingle("SHOW autovacuum").get(0, String.class));
    }

    /** Terminates every connection of the replicas (their application names start with the fleet's prefix). */
    int terminateReplicaBackends() {
        return dsl.fetchSingle("""
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE datname = current_database() AND application_name LIKE ?""", Fleet.PREFIX + "%")
                .get(0, Integer.class);
    }

    /** How many of these replicas have their connection pool open (their worker id as application name). */
    int replicasConnected(List<String> workerIds) {
        return dsl.fetchSingle("SELECT count(DISTINCT application_name) FROM pg_stat_activity WHERE application_name = ANY(?)",
                (Object) workerIds.toArray(String[]::new)).get(0, Integer.class);
    }

    /** Claims a replica holds (a killed one's stay until their lease expires and a sweep returns them). */
    long claimsHeldBy(String workerId) {
        return dsl.fetchSingle("SELECT count(*) FROM changeset_sync_state WHERE lease_holder = ?", workerId).get(0, Long.class);
    }

    /** Expired leases not swept yet. */
    long expiredLeases() {
        return dsl.fetchSingle("SELECT count(*) FROM changeset_sync_state WHERE claim_token IS NOT NULL AND lease_until < now()")
                .get(0, Long.class);
    }

    long unservedRequests() {
        return dsl.fetchSingle("SELECT count(*) FROM sync_requests WHERE requested_by = ? AND served_at IS NULL", REQUESTER)
                .get(0, Long.class);
    }

    /** The soak's requests not served yet, oldest first (a few, for the report). */
    List<String> unservedExamples() {
        return dsl.fetch("""
                SELECT r.id, r.changeset_id, r.requested_at, s.lease_holder, s.failures, s.last_error, s.next_sync_at
                  FROM sync_requests r JOIN changeset_sync_state s USING (changeset_id)
                 WHERE r.requested_by = ? AND r.served_at IS NULL
                 ORDER BY r.requested_at LIMIT 10""", REQUESTER)
                .map(r -> "request " + r.get(0) + " for changeset " + r.get(1) + " at " + r.get(2) + ": lease holder "
                        + r.get(3) + ", failures " + r.get(4) + ", next sync " + r.get(6) + ", last error " + r.get(5));
    }

    /** Request-to-sync latency of the soak's served requests, in milliseconds: p50, p99, max. */
    double[] requestLatencyMillis() {
        Record r = dsl.fetchSingle("""
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), max(ms)
                  FROM (SELECT extract(epoch FROM served_at - requested_at) * 1000 AS ms
                          FROM sync_requests WHERE requested_by = ? AND served_at IS NOT NULL) latencies""", REQUESTER);
        return new double[] {number(r.get(0)), number(r.get(1)), number(r.get(2))};
    }

    private static double number(Object value) {
        return value == null ? 0 : ((Number) value).doubleValue();
    }

    /**
     * A DBA's long report: a REPEATABLE READ transaction that reads {@code changeset_schedule} and
     * stays open for {@code length}, holding back the xmin horizon (vacuum cannot remove what it
     * might still see). Returns how long it was held; a restart of Postgres ends it early.
     */
    Duration pinXmin(Duration length) {
        long started = System.nanoTime();
        try (Connection connection = DriverManager.getConnection(url + (url.contains("?") ? "&" : "?")
                + "ApplicationName=soak-pin-xmin")) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement report = connection.createStatement()) {
                report.execute("SELECT count(*), min(next_sync_at), max(overdue_by) FROM changeset_schedule");
                try {
                    Thread.sleep(length);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // the soak is ending: close the report now
                }
                report.execute("SELECT count(*) FROM changeset_schedule WHERE due");
            }
            connection.commit();
        } catch (SQLException e) {
            // a terminated or restarted server ends the report early: that is what the caller reports
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    @Override
    public void close() {
        pool.close();
    }
}
