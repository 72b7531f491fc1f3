package dev.changesetsyncer.queue;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A statement that serves many rows or hosts must not fail for all of them because of one row: each
 * is run here with a deliberately poisoned row — values the constraints accept but no sane row has
 * (a failures count at the integer maximum, times at the ends of the timestamp range, -infinity) —
 * next to healthy ones, which must be served as if the poisoned row were not there. The audit's
 * table is in docs/reliability.md.
 */
@ExtendWith(PostgresExtension.class)
class PoisonedRowsTest {
    /** The last day of Postgres's timestamp range: adding a day to it fails. */
    static final String END_OF_TIME = "'294276-12-30 00:00:00+00'";

    final TestDatabase database;
    final Catalog catalog;
    final SyncQueue queue;

    PoisonedRowsTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
        this.queue = new SyncQueue(database.dsl());
    }

    @BeforeEach
    void emptyQueue() {
        database.truncateAll();
    }

    @Test
    void theSweepReleasesEveryExpiredLeaseWhenOneRowsFailureCannotBeCounted() {
        List<Long> ids = catalog.changesets(catalog.repo(catalog.host()), 3);
        queue.claim("dead", 3, ofSeconds(1));
        long maxedOut = ids.get(0);
        long claimedAtTheEnd = ids.get(1);
        long healthy = ids.get(2);
        // failures + 1 overflows; a failed attempt at the end of time puts the retry past it
        database.execute("UPDATE changeset_sync_state SET failures = 2147483647 WHERE changeset_id = " + maxedOut);
        database.execute("UPDATE changeset_sync_state SET claimed_at = " + END_OF_TIME + " WHERE changeset_id = "
                + claimedAtTheEnd);
        database.execute("UPDATE changeset_sync_state SET lease_until = now() - interval '1 minute'");

        assertThat(queue.releaseExpiredLeases()).isEqualTo(3);

        assertThat(count("claim_token IS NOT NULL")).as("no lease left held").isZero();
        assertThat(value("failures", healthy)).isEqualTo("1");
        assertThat(value("last_error", healthy)).startsWith("lease of dead expired at");
        assertThat(List.of(value("last_error", maxedOut), value("last_error", claimedAtTheEnd))).allSatisfy(error ->
                assertThat(error).startsWith("lease of dead expired at").satisfiesAnyOf(
                        e -> assertThat(e).contains("released without counting a failed attempt, which failed: "),
                        e -> assertThat(e).doesNotContain("released without")));
        assertThat(count("failures = 2147483647")).as("bounded, never past the maximum").isEqualTo(1);
    }

    @Test
    void theRepositorySweepReleasesEveryExpiredLeaseWhenOneRowsFailureCannotBeCounted() {
        CodeHost host = catalog.host();
        Repo poisoned = catalog.repoNeverRead(host);
        Repo healthy = catalog.repoNeverRead(host);
        database.execute("UPDATE repo_sync_state SET lease_holder = 'dead', claim_token = nextval('sync_claim_tokens'), "
                + "claimed_at = now() - interval '1 hour', lease_until = now() - interval '1 minute'");
        database.execute("UPDATE repo_sync_state SET failures = 2147483647 WHERE repo_id = " + poisoned.id());

        assertThat(queue.releaseExpiredRepoLeases()).isEqualTo(2);

        assertThat(database.value(Long.class, "SELECT count(*) FROM repo_sync_state WHERE claim_token IS NOT NULL")).isZero();
        assertThat(database.value(Integer.class, "SELECT failures FROM repo_sync_state WHERE repo_id = " + healthy.id()))
                .isEqualTo(1);
    }

    @Test
    void aSettingsChangeReschedulesEveryRowItCanAndTellsWhichItCannot() {
        CodeHost host = catalog.host();
        List<Long> ids = catalog.changesets(catalog.repo(host), 3);
        long atTheEnd = ids.get(0);
        // synced on the last day there is, quiet for ages: waits the cap, which fits today but not at 300 days
        database.execute("UPDATE changeset_sync_state SET last_synced_at = " + END_OF_TIME + ", last_attempt_at = "
                + END_OF_TIME + ", synced_updated_at = '2020-01-01' WHERE changeset_id = " + atTheEnd);
        database.execute("UPDATE changeset_sync_state SET last_synced_at = now(), last_attempt_at = now(), "
                + "synced_updated_at = '2020-01-01' WHERE changeset_id <> " + atTheEnd);
        String before = value("next_sync_at", atTheEnd);

        database.execute("UPDATE code_hosts SET max_sync_delay = interval '300 days', finished_max_delay = interval "
                + "'300 days' WHERE id = " + host.id());

        assertThat(count("code_host_id = " + host.id() + " AND changeset_id <> " + atTheEnd
                + " AND next_sync_at > now() + interval '200 days'")).as("the healthy rows follow the new cap (less jitter)")
                .isEqualTo(2);
        assertThat(value("next_sync_at", atTheEnd)).as("kept").isEqualTo(before);
        assertThat(value("last_error", atTheEnd)).startsWith("its schedule could not be recomputed and keeps its former one: ");
    }

    @Test
    void theUpgradesRecomputationGoesOnPastARowItCannotCompute() {
        CodeHost host = catalog.host();
        List<Long> ids = catalog.changesets(catalog.repo(host), 2);
        database.execute("UPDATE changeset_sync_state SET last_synced_at = " + END_OF_TIME + ", last_attempt_at = "
                + END_OF_TIME + ", synced_updated_at = '2020-01-01' WHERE changeset_id = " + ids.get(0));
        database.execute("UPDATE code_hosts SET max_sync_delay = interval '300 days', finished_max_delay = interval "
                + "'300 days' WHERE id = " + host.id());

        // what db/recompute-schedules.sql runs
        assertThat(database.value(Integer.class, "SELECT reschedule_changesets(array(SELECT changeset_id FROM "
                + "changeset_sync_state ORDER BY changeset_id FOR UPDATE))")).as("rows kept as they were").isEqualTo(1);
    }

    @Test
    void aHostWithNothingDueIsNotOverdue() {
        CodeHost idle = catalog.host();
        long changeset = catalog.changeset(catalog.repo(idle));
        database.execute("UPDATE changeset_sync_state SET last_synced_at = now(), last_attempt_at = now(), "
                + "synced_updated_at = now() - interval '1 day' WHERE changeset_id = " + changeset);

        assertThat(database.value(Boolean.class, "SELECT oldest_overdue IS NULL FROM code_host_sync_summary "
                + "WHERE code_host_id = " + idle.id())).as("no overdue figure without a due changeset (not 6,000 years)")
                .isTrue();
        assertThat(database.value(Boolean.class, "SELECT overdue_by = interval '0' AND wait > interval '0' "
                + "FROM changeset_schedule WHERE changeset_id = " + changeset)).isTrue();
    }

    @Test
    void theViewsServeEveryHostWhenOneRowIsInfinitelyOverdue() {
        CodeHost poisoned = catalog.host();
        CodeHost healthy = catalog.host();
        long infinite = catalog.changeset(catalog.repo(poisoned));
        catalog.changeset(catalog.repo(healthy));
        database.execute("UPDATE changeset_sync_state SET requested_at = '-infinity', priority = 1 WHERE changeset_id = "
                + infinite);

        assertThat(database.value(Long.class, "SELECT count(*) FROM code_host_sync_summary WHERE oldest_overdue IS NOT NULL"))
                .isEqualTo(2);
        assertThat(database.value(Long.class, "SELECT count(*) FROM (SELECT * FROM changeset_schedule) s")).isEqualTo(2);
        assertThat(database.value(Boolean.class, "SELECT overdue_by > interval '6000 years' FROM changeset_schedule "
                + "WHERE changeset_id = " + infinite)).isTrue();
    }

    @Test
    void theClaimServesEveryHostWhenOneHostsBudgetWasRefilledAtMinusInfinity() {
        CodeHost poisoned = catalog.host();
        CodeHost healthy = catalog.host();
        catalog.changesets(catalog.repo(poisoned), 2);
        catalog.changesets(catalog.repo(healthy), 2);
        database.execute("UPDATE code_hosts SET requests_per_hour = 3600, request_burst = 10 WHERE id = " + poisoned.id());
        database.execute("UPDATE code_host_budgets SET refilled_at = '-infinity', tokens = 0 WHERE code_host_id = "
                + poisoned.id());

        assertThat(queue.claim("w", 10, ofSeconds(30))).hasSize(4);
        assertThat(database.value(Double.class, "SELECT budget_left FROM code_host_sync_summary WHERE code_host_id = "
                + poisoned.id())).as("a full bucket, less the two claims (refilling since)").isBetween(8.0, 10.0);
        assertThat(queue.nextClaimDelay(java.util.Set.of(), false)).isNotNull();
    }

    long count(String where) {
        return database.value(Long.class, "SELECT count(*) FROM changeset_sync_state WHERE " + where);
    }

    String value(String column, long changesetId) {
        return database.value(String.class, "SELECT " + column + "::text FROM changeset_sync_state WHERE changeset_id = "
                + changesetId);
    }
}
