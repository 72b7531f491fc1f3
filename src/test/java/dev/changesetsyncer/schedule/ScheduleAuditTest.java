package dev.changesetsyncer.schedule;

import static dev.changesetsyncer.jooq.Tables.CHANGESET_SCHEDULE;
import static dev.changesetsyncer.jooq.Tables.CHANGESET_SYNC_STATE;
import static java.time.Duration.ofHours;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.ChangesetState;
import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.jooq.tables.records.ChangesetSyncStateRecord;
import dev.changesetsyncer.queue.Claim;
import dev.changesetsyncer.queue.Completion;
import dev.changesetsyncer.queue.FailedAttempt;
import dev.changesetsyncer.queue.SyncQueue;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The schedule's corner cases an audit of its SQL found, each through the functions the workers call. */
@ExtendWith(PostgresExtension.class)
class ScheduleAuditTest {
    final TestDatabase database;
    final DSLContext dsl;
    final Catalog catalog;
    final SyncQueue queue;

    ScheduleAuditTest(TestDatabase database) {
        this.database = database;
        this.dsl = database.dsl();
        this.catalog = new Catalog(database);
        this.queue = new SyncQueue(dsl);
    }

    @BeforeEach
    void anEmptyQueue() {
        database.truncateAll();
    }

    /** least() ignores a null: the first sync of such a host stored now() and re-synced it in 2 minutes. */
    @Test
    void aHostThatReportsNoUpdatedAtLeavesTheChangeTimeUnknownAndWaitsTheCap() {
        long id = catalog.changeset(catalog.repo(catalog.host(new ScheduleSettings(ofMinutes(2), ofHours(8), ofMinutes(5),
                ofHours(24)))));
        Claim claim = claimOnly(id);

        queue.complete(List.of(new Completion(claim.ref(), new SyncResult.Fetched(new ChangesetSnapshot(
                ChangesetState.OPEN, "t", "a", "u", "h", "b", "s", ReviewState.NONE, CheckState.PASSED, null, null),
                Map.of(), List.of(), null))));

        assertThat(state(id).getSyncedUpdatedAt()).isNull();
        assertThat(waitOf(id)).isBetween(ofHours(8).multipliedBy(95).dividedBy(100), ofHours(8));
        assertThat(rule(id)).startsWith("no change known: waits the active cap");
    }

    /**
     * min_delay 3 h and a 31st failure: min_delay * 2^30 is out of an interval's range. The failure
     * write-back and the sweep of every host's expired leases must go through, this row included.
     */
    @Test
    void aRowWithManyFailuresNeitherFailsItsWriteBackNorTheSweepOfEveryoneElse() {
        Repo slow = catalog.repo(catalog.host(new ScheduleSettings(ofHours(3), ofHours(8), ofHours(3), ofHours(24))));
        long poisoned = catalog.changeset(slow);
        long healthy = catalog.changeset(catalog.repo(catalog.host()));
        database.execute("""
                UPDATE changeset_sync_state SET last_synced_at = now() - interval '3 days',
                       last_attempt_at = now() - interval '2 days', failures = 30
                 WHERE changeset_id = %d""".formatted(poisoned));

        Claim first = claimOnly(poisoned);
        assertThat(queue.fail(List.of(new FailedAttempt(first.ref(), "502")))).containsExactly(poisoned);
        assertThat(state(poisoned).getFailures()).isEqualTo(31);
        assertThat(state(poisoned).getNextSyncAt()).isBetween(first.claimedAt().plus(ofHours(8).multipliedBy(95).dividedBy(100)),
                first.claimedAt().plus(ofHours(8)));

        Instant later = Instant.now().plus(ofHours(9));
        List<Claim> both = queue.at(later).claim("w", 10, ofSeconds(30));
        assertThat(both).extracting(Claim::changesetId).contains(poisoned, healthy);

        assertThat(queue.at(later.plus(ofMinutes(1))).releaseExpiredLeases()).isEqualTo(both.size());
        assertThat(state(poisoned).getFailures()).isEqualTo(32);
        assertThat(state(healthy).getFailures()).isEqualTo(1);
        assertThat(state(healthy).getClaimToken()).isNull();
    }

    /**
     * The same inputs in a session in New York and one in UTC, across the start of daylight saving time
     * (2026-03-08 in New York), with waits that carry a day part: the same instants.
     */
    @Test
    void storedTimesDoNotDependOnTheSessionsTimeZoneAcrossADstChange() {
        String sql = """
                SELECT extract(epoch FROM changeset_next_sync_at(5, 'finished', t, t, t, t - interval '30 days', NULL, 0,
                           NULL, NULL, interval '1 day', interval '3 days', interval '1 day', interval '3 days'))
                       || ' ' || extract(epoch FROM changeset_next_sync_at(5, 'active', t, t, t + interval '1 hour', t,
                           NULL, 2, NULL, NULL, interval '1 day', interval '3 days', interval '1 day', interval '3 days'))
                       || ' ' || extract(epoch FROM changeset_next_sync_at(5, 'active', t, t, t, t - interval '1 day',
                           t + interval '1 hour', 0, NULL, NULL, interval '1 day', interval '3 days', interval '1 day',
                           interval '3 days', interval '1 day'))
                       || ' ' || extract(epoch FROM sync_claim_at(t + interval '24 hours', 1::smallint, t + interval '48 hours'))
                       || ' ' || extract(epoch FROM sync_claim_bound(2, t + interval '24 hours'))
                  FROM (SELECT timestamptz '2026-03-07 12:00:00+00' AS t) t""";
        String inUtc = inTimeZone("UTC", sql);
        String inNewYork = inTimeZone("America/New_York", sql);

        assertThat(inNewYork).isEqualTo(inUtc);
        long t = Instant.parse("2026-03-07T12:00:00Z").getEpochSecond();
        String[] epochs = inUtc.split(" ");
        double jitter = database.value(Double.class, "SELECT sync_jitter_fraction(5)");
        assertThat(Double.parseDouble(epochs[0])).as("3 days of 24 hours, jittered")
                .isCloseTo(t + 3 * 86400 * (1 - jitter), org.assertj.core.data.Offset.offset(0.001));
        assertThat(Double.parseDouble(epochs[2])).as("a day's quiet period after the event, in 24 hours")
                .isEqualTo(t + 3600 + 86400);
    }

    @Test
    void aRequestOnAChangesetOfADeletedRepositoryDoesNotResumeItsRoutineSyncs() {
        Repo repo = catalog.repo(catalog.host());
        long id = catalog.changeset(repo);
        queue.complete(List.of(new Completion(claimOnly(id).ref(), new SyncResult.Unchanged(null))));
        database.execute("UPDATE repos SET deleted_at = now() WHERE id = " + repo.id());
        assertThat(state(id).getGoneAt()).isNotNull();

        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'look once more')".formatted(id));
        queue.complete(List.of(new Completion(claimOnly(id).ref(), new SyncResult.Unchanged(null))));

        assertThat(state(id).getGoneAt()).as("still gone: its repository is deleted").isNotNull();
        assertThat(state(id).getNextSyncAt()).as("no routine syncs").isNull();
        assertThat(rule(id)).startsWith("gone");

        database.execute("UPDATE repos SET deleted_at = NULL WHERE id = " + repo.id());
        assertThat(state(id).getNextSyncAt()).as("restored: scheduled again").isNotNull();
    }

    @Test
    void aFailingRowsWaitCountsFromItsLastAttempt() {
        long id = catalog.changeset(catalog.repo(catalog.host()));
        database.execute("""
                UPDATE changeset_sync_state SET last_synced_at = now() - interval '10 hours',
                       last_attempt_at = now() - interval '1 minute', synced_updated_at = now() - interval '11 hours',
                       failures = 3
                 WHERE changeset_id = %d""".formatted(id));

        ChangesetSyncStateRecord row = state(id);
        assertThat(waitOf(id)).isEqualTo(Duration.between(row.getLastAttemptAt(), row.getNextSyncAt()))
                .isBetween(ofMinutes(8).multipliedBy(95).dividedBy(100), ofMinutes(8));
        assertThat(rule(id)).startsWith("failing: retry 3 after 00:08:00 from the last attempt");
    }

    @Test
    void theRuleTextSaysHowTheJitterShortensTheWait() {
        long id = catalog.changesets(catalog.repo(catalog.host()), 3).get(2);
        database.execute("""
                UPDATE changeset_sync_state SET last_synced_at = now(), last_attempt_at = now(),
                       synced_updated_at = now() - interval '5 hours'
                 WHERE changeset_id = %d""".formatted(id));
        double percent = database.value(Double.class, "SELECT round((sync_jitter_fraction(%d) * 100)::numeric, 1)"
                .formatted(id));
        Duration wait = waitOf(id);

        assertThat(wait).isLessThan(ofHours(5));
        assertThat(rule(id)).isEqualTo("quiet for 05:00:00: waits as long (%s less %s %% jitter)".formatted(
                database.value(String.class, "SELECT date_trunc('second', interval '%d microseconds')::text"
                        .formatted(wait.toNanos() / 1000)),
                java.math.BigDecimal.valueOf(percent).setScale(1, java.math.RoundingMode.HALF_UP).toPlainString()));
    }

    @Test
    void afterAnArchiveAndAnUnarchiveTheRequestReasonIsTheUnarchive() {
        Repo repo = catalog.repo(catalog.host());
        long id = catalog.changeset(repo);
        database.execute("UPDATE repos SET archived = true WHERE id = " + repo.id());
        database.execute("UPDATE repos SET archived = false WHERE id = " + repo.id());

        assertThat(dsl.select(CHANGESET_SCHEDULE.REQUEST_REASON).from(CHANGESET_SCHEDULE)
                .where(CHANGESET_SCHEDULE.CHANGESET_ID.eq(id)).fetchSingle().value1())
                .isEqualTo("repository " + repo.name() + " was unarchived");
    }

    // --- helpers ---

    /** Claims everything due and gives back all but this changeset's claim. */
    Claim claimOnly(long id) {
        List<Claim> claims = queue.claim("w", 100, ofSeconds(30));
        queue.release(claims.stream().filter(c -> c.changesetId() != id).map(Claim::ref).toList());
        return claims.stream().filter(c -> c.changesetId() == id).findFirst()
                .orElseThrow(() -> new AssertionError("changeset " + id + " was not due"));
    }

    String inTimeZone(String zone, String sql) {
        return dsl.connectionResult(connection -> {
            DSLContext session = DSL.using(connection);
            session.execute("SET TimeZone = '" + zone + "'");
            try {
                return session.fetchOne(sql).get(0, String.class);
            } finally {
                session.execute("RESET TimeZone");
            }
        });
    }

    ChangesetSyncStateRecord state(long id) {
        return dsl.selectFrom(CHANGESET_SYNC_STATE).where(CHANGESET_SYNC_STATE.CHANGESET_ID.eq(id)).fetchSingle();
    }

    Duration waitOf(long id) {
        return dsl.select(CHANGESET_SCHEDULE.WAIT).from(CHANGESET_SCHEDULE).where(CHANGESET_SCHEDULE.CHANGESET_ID.eq(id))
                .fetchSingle().value1();
    }

    String rule(long id) {
        return dsl.select(CHANGESET_SCHEDULE.RULE).from(CHANGESET_SCHEDULE).where(CHANGESET_SCHEDULE.CHANGESET_ID.eq(id))
                .fetchSingle().value1();
    }
}
