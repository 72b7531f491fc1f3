package dev.changesetsyncer.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.simulation.BulkSeeder;
import dev.changesetsyncer.simulation.SeedPlan;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.QueryPlan;
import dev.changesetsyncer.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With a million changesets, 1% due, the queries that run all the time read an index, never the
 * whole table. Assertions are on the plan's shape; the buffer counts are logged, not asserted.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryPlansAtAMillionChangesetsTest {
    private static final Logger log = LoggerFactory.getLogger(QueryPlansAtAMillionChangesetsTest.class);
    final TestDatabase database;
    CodeHost host;

    QueryPlansAtAMillionChangesetsTest(TestDatabase database) {
        this.database = database;
    }

    @BeforeAll
    void aMillionChangesetsMostlyNotDue() {
        Catalog catalog = new Catalog(database);
        host = catalog.host();
        catalog.host(); // a second, empty host: the per-host queries must not scan across hosts
        new BulkSeeder(database.dataSource()).seed(new SeedPlan(host.id(), "plan", 1000, 1000, 0.01));
        database.execute("""
                INSERT INTO sync_requests (changeset_id, reason)
                SELECT changeset_id, 'plan test' FROM changeset_sync_state WHERE changeset_id % 100000 = 0""");
        database.execute("ANALYZE changeset_sync_state");
    }

    @Test
    void seededRowsAreWhatTheTriggerWouldHaveStored() {
        assertThat(database.value(Long.class, "SELECT count(*) FROM changeset_sync_state")).isEqualTo(1_000_000);
        assertThat(database.value(Long.class, """
                SELECT count(*) FROM changeset_sync_state s JOIN code_hosts h ON h.id = s.code_host_id
                 WHERE s.next_sync_at IS DISTINCT FROM changeset_next_sync_at(s.changeset_id, s.cadence,
                           s.enqueued_at, s.last_synced_at, s.last_attempt_at, s.synced_updated_at,
                           s.latest_event_at, s.failures, s.gone_at, s.requested_at, h.min_sync_delay,
                           h.max_sync_delay, h.checks_pending_max_delay, h.finished_max_delay)""")).isZero();
        assertThat(database.value(Double.class, "SELECT avg((next_sync_at <= now())::int) FROM changeset_sync_state"))
                .isBetween(0.008, 0.012);
    }

    @Test
    void theDueRowsQueryReadsTheClaimIndex() {
        QueryPlan plan = QueryPlan.explainAnalyze(database, """
                SELECT changeset_id FROM changeset_sync_state
                 WHERE code_host_id = %d AND claim_token IS NULL AND claim_at <= now()
                 ORDER BY claim_at LIMIT 100 FOR UPDATE SKIP LOCKED""".formatted(host.id()));
        log.info("due rows, 1M changesets: {} buffers, {} ms\n{}", plan.buffers(), plan.executionMillis(), plan);

        assertThat(plan.indexesUsed()).containsExactly("changeset_sync_state_claim_idx");
        assertThat(plan.seqScannedTables()).isEmpty();
    }

    @Test
    void theClaimReadsTheClaimIndexAndUpdatesByTid() {
        List<QueryPlan> plans = QueryPlan.explainNested(database,
                "SELECT count(*) FROM claim_changesets('plan', 100, interval '30 seconds')");
        QueryPlan claim = plans.stream().filter(p -> p.queryText().contains("claimed AS")).findFirst().orElseThrow();
        log.info("claim of 100, 1M changesets: {} buffers\n{}", claim.buffers(), claim);

        assertThat(claim.indexesUsed()).contains("changeset_sync_state_claim_idx", "changesets_pkey", "repos_pkey");
        assertThat(claim.nodes()).anySatisfy(node -> {
            assertThat(node.path("Node Type").asText()).isEqualTo("Tid Scan");
            assertThat(node.path("Relation Name").asText()).isEqualTo("changeset_sync_state");
        });
        assertThat(plans).allSatisfy(plan -> assertThat(plan.seqScannedTables())
                .as(plan.queryText()).doesNotContain("changeset_sync_state", "changesets", "repos", "repo_sync_state"));
    }

    @Test
    void theClaimWithRepositoriesAndBulkRequestsReadsOnlyIndexRanges() {
        // the flip's 1,000 bulk requests are made in the same (rolled-back) statement, before the claim
        List<QueryPlan> plans = QueryPlan.explainNested(database, """
                SELECT count(*) FROM (
                    SELECT apply_repo_change(min(id), '{"archived": true}') FROM repos WHERE name = 'plan-7') flip,
                    LATERAL (SELECT * FROM claim_changesets('plan', 100, interval '30 seconds', '{}', false, NULL, 8)) c""");
        QueryPlan claim = plans.stream().filter(p -> p.queryText().contains("claimed AS")).findFirst().orElseThrow();
        log.info("claim of 100 with repositories and a flip of 1,000, 1M changesets: {} buffers\n{}", claim.buffers(), claim);

        assertThat(claim.indexesUsed()).contains("changeset_sync_state_claim_idx", "repo_sync_state_claim_idx");
        assertThat(plans).allSatisfy(plan -> assertThat(plan.seqScannedTables())
                .as(plan.queryText()).doesNotContain("changeset_sync_state", "changesets", "repos", "repo_sync_state"));
    }

    @Test
    void theNextClaimDelayReadsOneClaimIndexEntryPerHost() {
        List<QueryPlan> plans = QueryPlan.explainNested(database, "SELECT next_claim_delay('{}', NULL, true)");
        QueryPlan delay = plans.stream().filter(p -> p.indexesUsed().contains("changeset_sync_state_claim_idx"))
                .findFirst().orElseThrow();
        log.info("next claim delay, 1M changesets: {} buffers\n{}", delay.buffers(), delay);

        assertThat(delay.nodes()).filteredOn(node -> node.path("Index Name").asText().equals("changeset_sync_state_claim_idx"))
                .allSatisfy(node -> assertThat(node.path("Actual Rows").asLong()).isLessThanOrEqualTo(1));
        assertThat(delay.nodes()).filteredOn(node -> node.path("Index Name").asText().equals("repo_sync_state_claim_idx"))
                .isNotEmpty()
                .allSatisfy(node -> assertThat(node.path("Actual Rows").asLong()).isLessThanOrEqualTo(1));
        assertThat(plans).allSatisfy(plan -> assertThat(plan.seqScannedTables())
                .as(plan.queryText()).doesNotContain("changeset_sync_state", "repo_sync_state", "repos"));
    }

    @Test
    void theSchedulesNextDueRowsReadTheNextSyncIndex() {
        QueryPlan plan = QueryPlan.explainAnalyze(database,
                "SELECT * FROM changeset_schedule WHERE due ORDER BY next_sync_at LIMIT 100");
        log.info("schedule view, next 100 due: {} buffers, {} ms\n{}", plan.buffers(), plan.executionMillis(), plan);

        assertThat(plan.indexesUsed()).contains("changeset_sync_state_next_sync_idx");
        assertThat(plan.seqScannedTables()).doesNotContain("changeset_sync_state", "changesets", "sync_requests");
    }

    @Test
    void theHostSummaryReadsOnlyIndexRanges() {
        QueryPlan plan = QueryPlan.explainAnalyze(database, "SELECT * FROM code_host_sync_summary");
        log.info("host summary: {} buffers, {} ms\n{}", plan.buffers(), plan.executionMillis(), plan);

        assertThat(plan.seqScannedTables()).doesNotContain("changeset_sync_state");
        assertThat(plan.indexesUsed()).contains("changeset_sync_state_claim_idx", "changeset_sync_state_leased_idx",
                "changeset_sync_state_troubled_idx");
    }

    @Test
    void aWebhookFindsItsChangesetsByNumberAndByHeadCommitThroughIndexes() {
        String sha = database.value(String.class, """
                SELECT c.head_sha FROM changesets c JOIN repos r ON r.id = c.repo_id
                 WHERE r.name = 'plan-501' AND c.external_id = '9'""");
        QueryPlan plan = QueryPlan.explainAnalyze(database, """
                SELECT * FROM webhook_changesets(%d, '[{"repo_external_id": "plan-500", "number": "7"},
                                                      {"repo_external_id": "1234", "repo_name": "PLAN-501", "head_sha": "%s"}]')"""
                .formatted(host.id(), sha));
        log.info("webhook targets, 1M changesets: {} buffers, {} ms\n{}", plan.buffers(), plan.executionMillis(), plan);

        assertThat(plan.indexesUsed()).contains("repos_external_id_unique", "repos_name_idx",
                "changesets_external_id_unique", "changesets_head_sha_idx");
        assertThat(plan.seqScannedTables()).doesNotContain("changesets", "repos", "changeset_sync_state");
    }
}
