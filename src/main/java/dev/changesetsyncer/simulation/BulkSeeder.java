package dev.changesetsyncer.simulation;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates millions of changesets quickly, for benchmarks, the demo and plan tests: it loads with the
 * secondary indexes dropped and the per-row triggers off, and computes each queue row with the same
 * SQL functions the trigger uses ({@code changeset_next_sync_at}, {@code sync_claim_at}), so the
 * result is indistinguishable from rows inserted one by one.
 *
 * <p>Seeded changesets look synced before: they have metadata and an ETag, so a simulated host
 * answers "unchanged" unless its change rate says otherwise. Seeded repositories were read within
 * their host's last {@code repo_sync_interval}.
 *
 * <p>It takes exclusive locks on the queue tables for the duration: not for a database that
 * workers are using.
 */
public final class BulkSeeder {
    private static final Logger log = LoggerFactory.getLogger(BulkSeeder.class);
    private static final int REPOS_PER_STATEMENT = 500;
    private static final List<String> TABLES = List.of("changesets", "changeset_sync_state", "repo_sync_state");

    private final DataSource dataSource;

    public BulkSeeder(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void seed(SeedPlan plan) {
        long started = System.nanoTime();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<String> indexes = dropSecondaryIndexes(connection);
                if (isSuperuser(connection)) {
                    // also skips the foreign-key checks, which hold by construction here
                    execute(connection, "SET LOCAL session_replication_role = replica");
                }
                setTriggers(connection, false);
                for (int first = 1; first <= plan.repos(); first += REPOS_PER_STATEMENT) {
                    insertChunk(connection, plan, first, Math.min(plan.repos(), first + REPOS_PER_STATEMENT - 1));
                }
                setTriggers(connection, true);
                execute(connection, "SET LOCAL session_replication_role = DEFAULT");
                for (String definition : indexes) {
                    execute(connection, definition);
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
            connection.setAutoCommit(true);
            for (String table : TABLES) {
                execute(connection, "VACUUM (ANALYZE) " + table);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("seeding failed: " + e.getMessage(), e);
        }
        log.info("seeded {} changesets in {} repositories in {} ms", plan.changesets(), plan.repos(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private static void insertChunk(Connection connection, SeedPlan plan, int firstRepo, int lastRepo)
            throws SQLException {
        execute(connection, "CREATE TEMP TABLE IF NOT EXISTS seeded_repos (id bigint PRIMARY KEY) ON COMMIT DROP");
        execute(connection, "TRUNCATE seeded_repos");
        try (PreparedStatement repos = connection.prepareStatement("""
                WITH inserted AS (
                    INSERT INTO repos (code_host_id, external_id, name)
                    SELECT ?, ? || '-' || n, ? || '-' || n FROM generate_series(?::int, ?::int) n
                    RETURNING id)
                INSERT INTO seeded_repos SELECT id FROM inserted""")) {
            repos.setLong(1, plan.codeHostId());
            repos.setString(2, plan.repoNamePrefix());
            repos.setString(3, plan.repoNamePrefix());
            repos.setInt(4, firstRepo);
            repos.setInt(5, lastRepo);
            repos.executeUpdate();
        }
        // Repositories were read within the last repo_sync_interval, spread over it: none is due yet.
        try (PreparedStatement repoQueue = connection.prepareStatement("""
                INSERT INTO repo_sync_state (repo_id, code_host_id, enqueued_at, last_synced_at, last_attempt_at,
                       next_sync_at)
                SELECT r.id, h.id, now(), s.at, s.at,
                       repo_next_sync_at(r.id, now(), s.at, 0, NULL, 'none', NULL, h.repo_sync_interval, h.max_sync_delay)
                  FROM seeded_repos r
                  JOIN code_hosts h ON h.id = ?
                 CROSS JOIN LATERAL (
                       SELECT now() - (hashint8extended(r.id, 10) & 1023) / 1024.0 * h.repo_sync_interval AS at) s""")) {
            repoQueue.setLong(1, plan.codeHostId());
            repoQueue.executeUpdate();
        }
        try (PreparedStatement changesets = connection.prepareStatement("""
                INSERT INTO changesets (repo_id, external_id, state, check_state, review_state, title, head_sha, change_markers)
                SELECT r.id, n::text, 'open', 'passed', 'none', 'seeded change ' || n, md5(r.id || '/' || n),
                       jsonb_build_object('pull', '"seeded"')
                  FROM seeded_repos r, generate_series(1, ?) n""")) {
            changesets.setInt(1, plan.changesetsPerRepo());
            changesets.executeUpdate();
        }
        // Due rows were last synced 9 h ago after a month of quiet (past the 8 h cap); the others
        // were synced within the last half hour after days of quiet, so they wait about 8 h.
        try (PreparedStatement queue = connection.prepareStatement("""
                WITH inputs AS MATERIALIZED (
                SELECT c.id, h.id AS code_host_id, t.synced, t.updated, h.min_sync_delay, h.max_sync_delay,
                       h.checks_pending_max_delay, h.finished_max_delay
                  FROM seeded_repos sr
                  JOIN changesets c ON c.repo_id = sr.id
                  JOIN code_hosts h ON h.id = ?
                 CROSS JOIN LATERAL (
                       SELECT CASE WHEN (hashint8extended(c.id, 7) & 65535) < ? * 65536
                                   THEN now() - interval '9 hours'
                                   ELSE now() - (hashint8extended(c.id, 8) & 1023) * interval '1.7 seconds'
                              END AS synced) s
                 CROSS JOIN LATERAL (
                       SELECT s.synced, s.synced - interval '1 day'
                              - (hashint8extended(c.id, 9) & 1023) * interval '1 hour' AS updated) t),
                -- plain columns as arguments, so that the SQL functions are inlined
                scheduled AS (
                SELECT i.*, changeset_next_sync_at(i.id, 'active', now(), i.synced, i.synced, i.updated, NULL, 0,
                           NULL, NULL, i.min_sync_delay, i.max_sync_delay, i.checks_pending_max_delay,
                           i.finished_max_delay) AS next_sync_at
                  FROM inputs i)
                INSERT INTO changeset_sync_state (changeset_id, code_host_id, cadence, enqueued_at,
                       last_synced_at, last_attempt_at, synced_updated_at, next_sync_at, claim_at)
                SELECT id, code_host_id, 'active', now(), synced, synced, updated, next_sync_at,
                       sync_claim_at(next_sync_at, 0::smallint, NULL)
                  FROM scheduled""")) {
            queue.setLong(1, plan.codeHostId());
            queue.setDouble(2, plan.dueFraction());
            queue.executeUpdate();
        }
    }

    private static List<String> dropSecondaryIndexes(Connection connection) throws SQLException {
        List<String> definitions = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("""
                        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                          FROM pg_index i
                         WHERE i.indrelid IN ('changesets'::regclass, 'changeset_sync_state'::regclass)
                           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""")) {
            while (rows.next()) {
                names.add(rows.getString(1));
                definitions.add(rows.getString(2));
            }
        }
        for (String name : names) {
            execute(connection, "DROP INDEX " + name);
        }
        return definitions;
    }

    private static boolean isSuperuser(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
            return row.next() && row.getBoolean(1);
        }
    }

    private static void setTriggers(Connection connection, boolean enabled) throws SQLException {
        String action = enabled ? "ENABLE" : "DISABLE";
        execute(connection, "ALTER TABLE repos " + action + " TRIGGER repos_enqueue_sync");
        execute(connection, "ALTER TABLE changesets " + action + " TRIGGER changesets_enqueue");
        execute(connection, "ALTER TABLE changeset_sync_state " + action + " TRIGGER sync_state_compute_schedule_on_insert");
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
