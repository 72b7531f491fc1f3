package dev.changesetsyncer.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.simulation.BulkSeeder;
import dev.changesetsyncer.simulation.SeedPlan;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.QueryPlan;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin page's list queries at a million changesets (1% due, a few failing, gone and
 * requested) read index ranges, never the whole queue or changeset table, on the first page and
 * deep in the schedule alike (keyset pagination). Assertions are on the plans' shape; buffers and
 * times are logged, not asserted.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminQueryPlansTest {
    private static final Logger log = LoggerFactory.getLogger(AdminQueryPlansTest.class);
    private static final String[] BIG_TABLES = {"changeset_sync_state", "changesets", "sync_requests", "changeset_events"};
    final TestDatabase database;
    CodeHost host;

    AdminQueryPlansTest(TestDatabase database) {
        this.database = database;
    }

    @BeforeAll
    void aMillionChangesets() {
        Catalog catalog = new Catalog(database);
        host = catalog.host();
        catalog.host(); // a second, empty host
        new BulkSeeder(database.dataSource()).seed(new SeedPlan(host.id(), "plan", 1000, 1000, 0.01));
        database.execute("UPDATE changeset_sync_state SET failures = 2, last_error = 'plan', last_attempt_at = now() "
                + "WHERE changeset_id % 5000 = 1");
        database.execute("UPDATE changeset_sync_state SET gone_at = now() WHERE changeset_id % 5000 = 2");
        database.execute("""
                INSERT INTO sync_requests (changeset_id, reason)
                SELECT changeset_id, 'plan test' FROM changeset_sync_state WHERE changeset_id % 20000 = 3""");
        // a history: served requests and events are kept, so these tables grow with the queue (loaded
        // without triggers: this is what years of syncs leave, not what a request or an event would do now)
        database.execute("""
                DO $$ BEGIN
                    SET LOCAL session_replication_role = replica;
                    INSERT INTO sync_requests (changeset_id, reason, requested_at, served_at, served_by_claim, served_by)
                    SELECT changeset_id, 'history', now() - interval '1 day', now() - interval '1 day', 0, 'plan'
                      FROM changeset_sync_state WHERE changeset_id % 4 = 0;
                    INSERT INTO changeset_events (changeset_id, kind, source, occurred_at)
                    SELECT changeset_id, 'reviewed', 'sync', now() - interval '2 days'
                      FROM changeset_sync_state WHERE changeset_id % 4 = 1;
                END $$""");
        // an hour of tallies at 28 write-backs a second (what a drain of 14,000 syncs/s in 500-row batches appends)
        database.execute("INSERT INTO sync_attempt_tallies (code_host_id, at, attempts) SELECT " + host.id()
                + ", now() - i * interval '36 milliseconds', 500 FROM generate_series(0, 100000) i");
        database.execute("ANALYZE");
    }

    @Test
    void theOverviewReadsTheSummaryAndTheLastMinuteOfTheTallyPerHost() {
        QueryPlan plan = explain("overview", AdminQueries.HOSTS_SQL);

        assertThat(plan.indexesUsed()).contains("sync_attempt_tallies_at_idx", "changeset_sync_state_claim_idx");
        assertThat(plan.seqScannedTables()).doesNotContain(BIG_TABLES).doesNotContain("sync_attempt_tallies");
    }

    @Test
    void theSchedulesFirstPageAndADeepPageReadTheNextSyncIndex() {
        QueryPlan first = explain("schedule, first page", schedule(filter(null, null, null, false, false, false, false), true));
        Instant middle = database.value(Instant.class,
                "SELECT next_sync_at FROM changeset_sync_state ORDER BY next_sync_at OFFSET 500000 LIMIT 1");
        QueryPlan deep = explain("schedule, page 10,000", schedule(filter(null, null, null, false, false, false, false)
                .startingAfter(new ScheduleFilter.Cursor(middle, 500_000)), true));

        for (QueryPlan plan : new QueryPlan[] {first, deep}) {
            assertThat(plan.indexesUsed()).contains("changeset_sync_state_next_sync_idx");
            assertThat(plan.seqScannedTables()).doesNotContain(BIG_TABLES);
        }
    }

    @Test
    void eachFilterReadsAnIndex() {
        String name = database.value(String.class, "SELECT name FROM code_hosts WHERE id = " + host.id());
        var filters = new java.util.LinkedHashMap<String, ScheduleFilter>();
        filters.put("host", filter(name, null, null, false, false, false, false));
        filters.put("host, due", filter(name, null, null, true, false, false, false));
        filters.put("repository", filter(null, "plan-500", null, false, false, false, false));
        filters.put("state open", filter(null, null, "open", false, false, false, false));
        filters.put("failing", filter(null, null, null, false, true, false, false));
        filters.put("requested", filter(null, null, null, false, false, false, true));
        filters.forEach((what, filter) -> {
            QueryPlan plan = explain("schedule, " + what, schedule(filter, true));
            assertThat(plan.seqScannedTables()).as(what).doesNotContain(BIG_TABLES);
        });
        QueryPlan gone = explain("schedule, gone (the never-due part)", schedule(filter(null, null, null, false, false, true, false), false));
        assertThat(gone.seqScannedTables()).doesNotContain(BIG_TABLES);
    }

    @Test
    void theChangesetPageReadsByKey() {
        for (String sql : new String[] {
                "SELECT * FROM changeset_events WHERE changeset_id = 4242 ORDER BY occurred_at DESC LIMIT 20",
                "SELECT * FROM sync_requests WHERE changeset_id = 20003 ORDER BY requested_at DESC, id DESC LIMIT 20",
                "SELECT * FROM changeset_schedule WHERE changeset_id = 4242"}) {
            QueryPlan plan = explain("changeset page", sql);
            assertThat(plan.seqScannedTables()).as(sql).doesNotContain(BIG_TABLES);
        }
    }

    private static ScheduleFilter filter(String host, String repo, String state, boolean due, boolean failing, boolean gone,
            boolean requested) {
        return new ScheduleFilter(host, repo, state, due, failing, gone, requested, null);
    }

    private String schedule(ScheduleFilter filter, boolean scheduled) {
        return AdminQueries.scheduleQuery(filter, scheduled, ScheduleFilter.PAGE_SIZE + 1).inlined(database.dsl());
    }

    private QueryPlan explain(String what, String sql) {
        QueryPlan plan = QueryPlan.explainAnalyze(database, sql);
        log.info("{}, 1M changesets: {} buffers, {} ms\n{}", what, plan.buffers(), plan.executionMillis(), plan);
        return plan;
    }
}
