package dev.changesetsyncer.db;

import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.ChangesetState;
import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.queue.ClaimRef;
import dev.changesetsyncer.queue.Completion;
import dev.changesetsyncer.queue.SyncQueue;
import dev.changesetsyncer.testing.SchemaFingerprint;
import dev.changesetsyncer.testing.TestDatabases;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import liquibase.resource.DirectoryResourceAccessor;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * An installation made by the changelog as released at commit f5b3764 (a copy under
 * {@code src/test/resources/upgrade/f5b3764}, served at the same {@code db/...} paths), in use —
 * hosts with budgets and a pause, repositories archived and deleted, changesets synced, failing,
 * requested and leased right now — upgrades to the current changelog with every row kept, every
 * schedule what the current rule computes, nothing re-run that must not be, and ends up with the schema
 * of a fresh install. What the upgrade means to change, it changes: the pending requests an archived flip
 * made become bulk requests (priority 0), every repository gets its repository sync (due at once), and
 * the schedule recomputation runs again (rule version 4: the rule as designed, bounded; times in UTC).
 */
class UpgradeFromF5b3764Test {
    static final String RELEASE = "upgrade/f5b3764";
    /** Changesets that must never run twice: the tables. (The schedule recomputation runs again: its rule version changed.) */
    static final String RUN_ONCE = "(id ~ '^00[1-3]-')";
    static final String RUN_ONCE_IDS = "^(00[1-3]-.*)$";

    String database;
    PGSimpleDataSource dataSource;
    DSLContext sql;

    @BeforeEach
    void theReleasedSchemaInUse() throws Exception {
        database = TestDatabases.createEmpty("upgrade");
        dataSource = new PGSimpleDataSource();
        dataSource.setURL(TestDatabases.urlOf(database));
        sql = DSL.using(dataSource, SQLDialect.POSTGRES);
        Migrations.migrate(dataSource, new DirectoryResourceAccessor(releasedChangelog()));
        fillThroughTheReleasedFunctions();
    }

    @AfterEach
    void dropIt() {
        TestDatabases.drop(database);
    }

    @Test
    void everyRowIsKeptAndEverySchedulesStaysWhatItWas() {
        Map<String, String> before = tables(true);

        Migrations.migrate(dataSource);

        assertThat(tables(false)).isEqualTo(before);
        assertThat(value(Long.class, """
                SELECT count(*) FROM changeset_sync_state s
                 WHERE s.priority IS DISTINCT FROM coalesce((SELECT max(q.priority) FROM sync_requests q
                                                              WHERE q.changeset_id = s.changeset_id AND q.served_at IS NULL), 0)"""))
                .as("each queue row's priority is its pending requests' highest").isZero();
        assertThat(value(Long.class, "SELECT count(*) FROM sync_requests WHERE priority = 0 AND reason = 'repository org/repo-2 was archived'"))
                .as("the flip's requests, bulk now").isPositive();
        assertThat(value(Long.class, "SELECT count(*) FROM repo_sync_state WHERE next_sync_at <= now()"))
                .as("every repository is due for its first repository sync").isEqualTo(value(Long.class, "SELECT count(*) FROM repos"));
        assertThat(value(Long.class, """
                SELECT count(*) FROM changeset_sync_state s JOIN code_hosts h ON h.id = s.code_host_id
                 WHERE s.next_sync_at IS DISTINCT FROM changeset_next_sync_at(s.changeset_id, s.cadence,
                           s.enqueued_at, s.last_synced_at, s.last_attempt_at, s.synced_updated_at,
                           s.latest_event_at, s.failures, s.gone_at, s.requested_at, h.min_sync_delay,
                           h.max_sync_delay, h.checks_pending_max_delay, h.finished_max_delay, h.event_quiet_period)
                    OR s.claim_at IS DISTINCT FROM sync_claim_at(s.next_sync_at, s.priority, s.requested_at)"""))
                .as("stored schedules are what the new functions compute").isZero();
        assertThat(value(Long.class, "SELECT count(*) FROM changeset_sync_state WHERE next_sync_at IS NULL"))
                .as("the gone changesets stay gone").isPositive();
    }

    @Test
    void nothingThatMustRunOnceRunsAgainAndTheOldQueueChangesetStaysOnRecord() {
        List<String> before = changelog("true");
        List<String> identities = values(String.class, "SELECT id || ' ' || filename FROM databasechangelog");
        long lastOrderBefore = value(Long.class, "SELECT max(orderexecuted) FROM databasechangelog");

        Migrations.migrate(dataSource);

        assertThat(changelog(RUN_ONCE + " AND orderexecuted <= " + lastOrderBefore))
                .as("the tables").isEqualTo(changelog(before, RUN_ONCE_IDS));
        assertThat(changelog("id = 'recompute-schedules' AND exectype = 'RERAN'")).as("the new rule version").hasSize(1);
        assertThat(changelog("id = 'functions-queue'")).as("the split file's record, kept as history")
                .isEqualTo(changelog(before, "functions-queue"));
        assertThat(values(String.class, "SELECT id || ' ' || filename FROM databasechangelog"))
                .as("every old record is kept").containsAll(identities);
        assertThat(values(String.class, "SELECT id FROM databasechangelog WHERE exectype = 'RERAN'"))
                .as("only runOnChange files run again").allMatch(id -> id.matches("(functions|triggers|views)-.*|recompute-schedules"));
        assertThat(values(String.class, "SELECT id FROM databasechangelog WHERE exectype NOT IN ('EXECUTED', 'RERAN')"))
                .isEmpty();

        long lastOrder = value(Long.class, "SELECT max(orderexecuted) FROM databasechangelog");
        Migrations.migrate(dataSource);
        assertThat(value(Long.class, "SELECT max(orderexecuted) FROM databasechangelog"))
                .as("a second migration has nothing to do").isEqualTo(lastOrder);
    }

    @Test
    void theUpgradedSchemaIsTheFreshOneWithNoOldSignatureLeft() {
        Migrations.migrate(dataSource);

        String fresh = TestDatabases.createMigrated("upgrade_fresh");
        try {
            PGSimpleDataSource freshSource = new PGSimpleDataSource();
            freshSource.setURL(TestDatabases.urlOf(fresh));
            assertThat(SchemaFingerprint.of(DSL.using(freshSource, SQLDialect.POSTGRES)))
                    .containsExactlyElementsOf(SchemaFingerprint.of(sql));
        } finally {
            TestDatabases.drop(fresh);
        }
        assertThat(values(String.class, """
                SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
                 GROUP BY proname HAVING count(*) > 1""")).as("overloads left behind").isEmpty();
    }

    @Test
    void claimsMadeBeforeTheUpgradeAreWrittenBackSweptAndClaimedAfterIt() {
        List<ClaimRef> inFlight = sql.fetch("SELECT changeset_id, claim_token FROM changeset_sync_state "
                        + "WHERE lease_holder = 'old-1' ORDER BY changeset_id")
                .map(r -> new ClaimRef(r.get(0, Long.class), r.get(1, Long.class)));
        assertThat(inFlight).hasSize(15);

        Migrations.migrate(dataSource);

        SyncQueue queue = new SyncQueue(sql);
        List<Completion> finished = inFlight.subList(0, 10).stream()
                .map(ref -> new Completion(ref, new SyncResult.Fetched(snapshot(),
                        Map.of("pull", "\"after\""), List.of(), null)))
                .toList();
        assertThat(queue.complete(finished)).hasSize(10);
        assertThat(value(String.class, "SELECT change_markers ->> 'pull' FROM changesets WHERE id = "
                + inFlight.getFirst().changesetId())).isEqualTo("\"after\"");
        Instant afterTheLeases = value(Instant.class, "SELECT max(lease_until) FROM changeset_sync_state")
                .plusSeconds(1);
        assertThat(queue.at(afterTheLeases).releaseExpiredLeases()).isEqualTo(5);
        sql.execute("""
                INSERT INTO sync_requests (changeset_id, reason)
                SELECT max(s.changeset_id), 'after the upgrade' FROM changeset_sync_state s
                  JOIN code_host_budgets b USING (code_host_id)
                 WHERE s.claim_token IS NULL AND b.paused_until IS NULL""");
        assertThat(queue.claim("new-1", 1, ofMinutes(5))).as("requests first, as before")
                .singleElement().satisfies(claim -> assertThat(claim.priority()).isPositive());
    }

    // --- the released schema, filled through its own functions ---

    /**
     * Two hosts (one with a budget, a concurrency cap and a pause), six repositories (one archived, one
     * deleted), 120 changesets: 30 synced, 15 failed, 15 leased right now, events, requests pending,
     * served and made during a sync.
     */
    void fillThroughTheReleasedFunctions() {
        sql.execute("""
                INSERT INTO code_hosts (name, kind, base_url, min_sync_delay)
                VALUES ('github.example', 'github', 'https://api.github.example', interval '2 minutes'),
                       ('simulated', 'simulated', 'http://simulated.test', interval '1 minute')""");
        sql.execute("UPDATE code_hosts SET max_in_flight = 50 WHERE name = 'github.example'");
        sql.execute("""
                INSERT INTO repos (code_host_id, external_id, name)
                SELECT h.id, h.name || '-' || n, 'org/repo-' || n FROM code_hosts h, generate_series(1, 3) n""");
        sql.execute("""
                INSERT INTO changesets (repo_id, external_id, etags)
                SELECT r.id, n::text, CASE WHEN n % 2 = 0 THEN jsonb_build_object('pull', '"v1"') ELSE '{}' END
                  FROM repos r, generate_series(1, 20) n""");
        sql.execute("INSERT INTO sync_requests (changeset_id, reason) SELECT id, 'asked' FROM changesets WHERE id % 7 = 0");
        sql.execute("""
                CREATE TABLE claimed AS -- (each statement runs on a connection of its own; dropped below)
                SELECT row_number() OVER (ORDER BY changeset_id) AS n, changeset_id, claim_token
                  FROM claim_changesets('old-1', 60, interval '10 minutes')""");
        sql.execute("""
                SELECT count(*) FROM complete_syncs((
                    SELECT jsonb_agg(jsonb_build_object(
                               'changeset_id', changeset_id, 'claim_token', claim_token, 'outcome', 'changed',
                               'state', CASE WHEN n % 5 = 0 THEN 'merged' ELSE 'open' END, 'title', 'change ' || n,
                               'check_state', CASE WHEN n % 3 = 0 THEN 'pending' ELSE 'passed' END,
                               'updated_at', now() - n * interval '1 hour',
                               'etags', jsonb_build_object('pull', '"v2-' || n || '"'),
                               'events', jsonb_build_array(jsonb_build_object(
                                   'kind', 'review', 'occurred_at', now() - interval '5 minutes', 'dedupe_key', 'r' || n))))
                      FROM claimed WHERE n <= 30))""");
        sql.execute("""
                SELECT count(*) FROM fail_syncs((
                    SELECT jsonb_agg(jsonb_build_object('changeset_id', changeset_id, 'claim_token', claim_token,
                                                        'message', 'transient: 502'))
                      FROM claimed WHERE n BETWEEN 31 AND 45))""");
        sql.execute("""
                SELECT count(*) FROM extend_leases('old-1',
                    (SELECT array_agg(changeset_id) FROM claimed WHERE n > 45),
                    (SELECT array_agg(claim_token) FROM claimed WHERE n > 45), interval '10 minutes')""");
        // a request made while those syncs run stays pending for the next one
        sql.execute("""
                INSERT INTO sync_requests (changeset_id, reason)
                SELECT changeset_id, 'during the sync' FROM claimed WHERE n IN (46, 47)""");
        sql.execute("UPDATE repos SET archived = true WHERE name = 'org/repo-2' AND external_id LIKE 'simulated-%'");
        sql.execute("UPDATE repos SET deleted_at = now() WHERE name = 'org/repo-3' AND external_id LIKE 'simulated-%'");
        sql.execute("""
                INSERT INTO changeset_events (changeset_id, kind, source, occurred_at, dedupe_key)
                SELECT id, 'comment', 'webhook', now() - interval '1 minute', 'w' || id FROM changesets WHERE id % 11 = 0""");
        // the host said its quota is nearly spent, then refused one sync for an hour
        sql.execute("""
                SELECT observe_rate_limits(jsonb_build_array(jsonb_build_object('code_host_id', h.id,
                           'limit_value', 5000, 'remaining', 40, 'reset_at', now() + interval '30 minutes', 'seen', 1)))
                  FROM code_hosts h WHERE h.name = 'github.example'""");
        sql.execute("""
                SELECT count(*) FROM defer_syncs((
                    SELECT jsonb_agg(jsonb_build_object('changeset_id', c.changeset_id, 'claim_token', c.claim_token,
                               'code_host_id', c.code_host_id, 'retry_after_seconds', 3600, 'message', '429'))
                      FROM claim_changesets('old-2', 1, interval '1 minute') c))""");
        sql.execute("DROP TABLE claimed");
        assertThat(value(Long.class, "SELECT count(*) FROM changeset_sync_state WHERE lease_holder = 'old-1'"))
                .isEqualTo(15);
        assertThat(value(Long.class, "SELECT count(*) FROM code_host_budgets WHERE paused_until > now()"))
                .isEqualTo(1);
    }

    /**
     * Every row of every table, as JSON per table; before the upgrade, {@code etags} under its new name
     * and an archived flip's pending requests bulk (priority 0), as the upgrade makes them; after it, without
     * the columns it adds. A queue row's priority, schedule and claim key are checked against the rule instead (the
     * rule changed).
     */
    Map<String, String> tables(boolean released) {
        String changesets = released
                ? "to_jsonb(t) - 'etags' || jsonb_build_object('change_markers', t.etags)"
                : "to_jsonb(t)";
        String requests = released ? """
                to_jsonb(t) || CASE WHEN t.served_at IS NULL AND t.priority = 2
                                         AND t.requested_by LIKE '%(trigger repos_request_sync_on_archived_flip)'
                                    THEN jsonb_build_object('priority', 0) ELSE '{}' END""" : "to_jsonb(t) - 'sync_started_at'";
        // columns added since, null or default in every row the release wrote, are left out
        String added = released ? "" : "- 'repo_sync_interval' - 'track_changesets' - 'bulk_next' - 'paused_by' - 'event_quiet_period'";
        return sql.fetch("""
                SELECT 'code_hosts', (SELECT jsonb_agg(to_jsonb(t) %3$s ORDER BY id)::text FROM code_hosts t)
                UNION ALL SELECT 'code_host_budgets', (SELECT jsonb_agg(to_jsonb(t) %3$s ORDER BY code_host_id)::text FROM code_host_budgets t)
                UNION ALL SELECT 'repos', (SELECT jsonb_agg(to_jsonb(t) %3$s ORDER BY id)::text FROM repos t)
                UNION ALL SELECT 'changesets', (SELECT jsonb_agg(%1$s ORDER BY id)::text FROM changesets t)
                UNION ALL SELECT 'changeset_sync_state', (SELECT jsonb_agg(to_jsonb(t) - 'priority' - 'claim_at' - 'next_sync_at' ORDER BY changeset_id)::text FROM changeset_sync_state t)
                UNION ALL SELECT 'sync_requests', (SELECT jsonb_agg(%2$s ORDER BY id)::text FROM sync_requests t)
                UNION ALL SELECT 'changeset_events', (SELECT jsonb_agg(to_jsonb(t) ORDER BY id)::text FROM changeset_events t)
                UNION ALL SELECT 'sync_claim_tokens', (SELECT last_value::text FROM sync_claim_tokens)""".formatted(changesets, requests, added))
                .stream().collect(Collectors.toMap(r -> r.get(0, String.class), r -> r.get(1, String.class)));
    }

    <T> T value(Class<T> type, String query) {
        return sql.fetchSingle(query).get(0, type);
    }

    <T> List<T> values(Class<T> type, String query) {
        return sql.fetch(query).getValues(0, type);
    }

    /** The changelog's records matching a condition, one line each, in execution order. */
    List<String> changelog(String condition) {
        return values(String.class, """
                SELECT concat_ws(' | ', id, filename, exectype, orderexecuted, dateexecuted, md5sum)
                  FROM databasechangelog WHERE %s ORDER BY orderexecuted""".formatted(condition));
    }

    static List<String> changelog(List<String> records, String idPattern) {
        return records.stream().filter(line -> line.substring(0, line.indexOf(' ')).matches(idPattern)).toList();
    }

    static Path releasedChangelog() throws URISyntaxException {
        return Path.of(UpgradeFromF5b3764Test.class.getClassLoader().getResource(RELEASE).toURI());
    }

    static ChangesetSnapshot snapshot() {
        return new ChangesetSnapshot(ChangesetState.OPEN, "after the upgrade", "octocat", "https://example/1",
                "feature", "main", "abc", ReviewState.NONE, CheckState.PASSED, Instant.parse("2026-01-01T00:00:00Z"),
                null);
    }
}
