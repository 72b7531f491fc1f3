package dev.changesetsyncer.schedule;

import static dev.changesetsyncer.jooq.Tables.CHANGESETS;
import static dev.changesetsyncer.jooq.Tables.CHANGESET_SCHEDULE;
import static dev.changesetsyncer.jooq.Tables.CHANGESET_SYNC_STATE;
import static dev.changesetsyncer.jooq.Tables.REPOS;
import static java.time.Duration.ofHours;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.db.SchemaViolation;
import dev.changesetsyncer.jooq.enums.CheckState;
import dev.changesetsyncer.jooq.enums.ChangesetState;
import dev.changesetsyncer.jooq.enums.SyncCadence;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Duration;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stored, trigger-maintained next_sync_at: it follows its inputs and the host's settings, and
 * nothing else moves it.
 */
@ExtendWith(PostgresExtension.class)
class StoredScheduleTest {
    final TestDatabase database;
    final DSLContext dsl;
    final Catalog catalog;

    StoredScheduleTest(TestDatabase database) {
        this.database = database;
        this.dsl = database.dsl();
        this.catalog = new Catalog(database);
    }

    @Test
    void aNewChangesetIsDueImmediately() {
        Repo repo = catalog.repo(catalog.host());
        long id = catalog.changeset(repo);

        var row = dsl.selectFrom(CHANGESET_SCHEDULE).where(CHANGESET_SCHEDULE.CHANGESET_ID.eq(id)).fetchSingle();
        assertThat(row.getDue()).isTrue();
        assertThat(row.getRule()).isEqualTo("never synced: due now");
        assertThat(row.getNextSyncAt()).isEqualTo(
                dsl.select(CHANGESET_SYNC_STATE.ENQUEUED_AT).from(CHANGESET_SYNC_STATE)
                        .where(CHANGESET_SYNC_STATE.CHANGESET_ID.eq(id)).fetchSingle().value1());
    }

    @Test
    void aSyncFiveMinutesAfterTheLastChangeIsNextDueAboutFiveMinutesLater() {
        long id = catalog.changeset(catalog.repo(catalog.host()));

        recordSync(id, "now() - interval '1 minute'", "now() - interval '6 minutes'");

        Duration wait = waitOf(id);
        assertThat(wait).isBetween(ofMinutes(5).multipliedBy(95).dividedBy(100), ofMinutes(5));
        assertThat(ruleOf(id)).startsWith("quiet for 00:05:00");
        assertThat(dueOf(id)).isFalse();
    }

    @Test
    void everyStoredValueEqualsTheFunctionOfItsInputs() {
        Repo repo = catalog.repo(catalog.host());
        catalog.changesets(repo, 50);
        database.execute("""
                UPDATE changeset_sync_state
                   SET last_synced_at = now() - mod(changeset_id, 7) * interval '1 minute',
                       last_attempt_at = now() - mod(changeset_id, 7) * interval '1 minute',
                       synced_updated_at = now() - mod(changeset_id, 13) * interval '1 hour',
                       failures = CASE WHEN mod(changeset_id, 5) = 0 THEN mod(changeset_id, 4) ELSE 0 END
                 WHERE code_host_id = %d""".formatted(repo.codeHostId()));

        assertThat(database.value(Long.class, """
                SELECT count(*) FROM changeset_sync_state s JOIN code_hosts h ON h.id = s.code_host_id
                 WHERE s.next_sync_at IS DISTINCT FROM changeset_next_sync_at(s.changeset_id, s.cadence,
                           s.enqueued_at, s.last_synced_at, s.last_attempt_at, s.synced_updated_at,
                           s.latest_event_at, s.failures, s.gone_at, s.requested_at, h.min_sync_delay,
                           h.max_sync_delay, h.checks_pending_max_delay, h.finished_max_delay)
                    OR s.claim_at IS DISTINCT FROM sync_claim_at(s.next_sync_at, s.priority, s.requested_at)"""))
                .isZero();
    }

    @Test
    void eachHostUsesItsOwnSettings() {
        CodeHost patient = catalog.host(new ScheduleSettings(ofMinutes(10), ofHours(2), ofMinutes(10), ofHours(24)));
        long quick = catalog.changeset(catalog.repo(catalog.host()));
        long slow = catalog.changeset(catalog.repo(patient));

        for (long id : new long[] {quick, slow}) {
            recordSync(id, "now()", "now() - interval '30 seconds'");
        }

        assertThat(waitOf(quick)).isEqualTo(ofMinutes(2));
        assertThat(waitOf(slow)).isEqualTo(ofMinutes(10));
    }

    @Test
    void changingAHostsSettingsReschedulesItsChangesets() {
        CodeHost host = catalog.host();
        long id = catalog.changeset(catalog.repo(host));
        recordSync(id, "now()", "now() - interval '30 seconds'");
        assertThat(waitOf(id)).isEqualTo(ofMinutes(2));

        catalog.store().updateSettings(host.id(), new ScheduleSettings(ofMinutes(3), ofHours(8), ofMinutes(5), ofHours(24)));

        assertThat(waitOf(id)).isEqualTo(ofMinutes(3));
    }

    @Test
    void aWebhookEventLongAfterTheSyncMakesItDueAtOnce() {
        long id = catalog.changeset(catalog.repo(catalog.host()));
        recordSync(id, "now() - interval '10 minutes'", "now() - interval '3 hours'");

        insertEvent(id, "now() - interval '5 minutes'");
        var firstEvent = latestEventOf(id);
        var afterFirst = nextSyncAtOf(id);
        insertEvent(id, "now() - interval '4 minutes'");

        assertThat(firstEvent).isAfter(lastSyncOf(id).plus(ofMinutes(2)));
        assertThat(afterFirst).isEqualTo(firstEvent);
        assertThat(nextSyncAtOf(id)).isEqualTo(latestEventOf(id));
        assertThat(dueOf(id)).isTrue();
        assertThat(ruleOf(id)).isEqualTo("changed after the last sync, over the floor after it: due at the change");
    }

    @Test
    void aWebhookEventRightAfterTheSyncIsSyncedMinAfterTheSync() {
        long id = catalog.changeset(catalog.repo(catalog.host()));
        recordSync(id, "now()", "now() - interval '3 hours'");

        insertEvent(id, "now()");

        assertThat(nextSyncAtOf(id)).isEqualTo(lastSyncOf(id).plus(ofMinutes(2)));
        assertThat(ruleOf(id)).isEqualTo("changed after the last sync: 00:02:00 after the sync (the floor)");
    }

    @Test
    void aHostsEventQuietPeriodAppliesToItsChangesetsAtOnceAndIsBounded() {
        CodeHost host = catalog.host();
        long id = catalog.changeset(catalog.repo(host));
        recordSync(id, "now() - interval '10 minutes'", "now() - interval '3 hours'");
        insertEvent(id, "now() - interval '5 minutes'");
        assertThat(nextSyncAtOf(id)).isEqualTo(latestEventOf(id));

        database.execute("UPDATE code_hosts SET event_quiet_period = interval '30 minutes' WHERE id = " + host.id());

        assertThat(nextSyncAtOf(id)).isEqualTo(latestEventOf(id).plus(ofMinutes(30)));
        assertThat(ruleOf(id)).isEqualTo("changed after the last sync: quiet period of 00:30:00 after the change");
        for (String bad : new String[] {"interval '-1 second'", "interval '1 day 1 second'"}) {
            assertThatThrownBy(() -> database.execute(
                            "UPDATE code_hosts SET event_quiet_period = %s WHERE id = %d".formatted(bad, host.id())))
                    .as(bad).hasMessageContaining("code_hosts_event_quiet_period_between_0_and_a_day");
        }
        assertThatThrownBy(() -> database.execute("UPDATE code_hosts SET event_quiet_period = NULL WHERE id = " + host.id()))
                .hasMessageContaining("event_quiet_period");
    }

    @Test
    void anOlderEventNeverMovesLatestEventAtBack() {
        long id = catalog.changeset(catalog.repo(catalog.host()));
        insertEvent(id, "now() - interval '1 minute'");
        var latest = latestEventOf(id);

        insertEvent(id, "now() - interval '1 day'");

        assertThat(latestEventOf(id)).isEqualTo(latest);
    }

    @Test
    void anEventFromTheFutureCountsAsReceivedNow() {
        long id = catalog.changeset(catalog.repo(catalog.host()));
        recordSync(id, "now() - interval '1 minute'", "now() - interval '1 day'");

        insertEvent(id, "now() + interval '3 days'");

        var receivedAt = database.value(java.time.OffsetDateTime.class,
                "SELECT max(received_at) FROM changeset_events WHERE changeset_id = " + id).toInstant();
        assertThat(latestEventOf(id)).isEqualTo(receivedAt);
        assertThat(nextSyncAtOf(id)).as("min after the last sync").isEqualTo(lastSyncOf(id).plus(ofMinutes(2)));
    }

    @Test
    void writingNextSyncAtDirectlyIsRejectedWithAHint() {
        long id = catalog.changeset(catalog.repo(catalog.host()));

        assertThatThrownBy(() -> database.execute(
                        "UPDATE changeset_sync_state SET next_sync_at = now() WHERE changeset_id = " + id))
                .hasMessageContaining("are computed by the schedule and cannot be set")
                .hasMessageContaining("INSERT INTO sync_requests");
    }

    @Test
    void runningChecksMoveTheChangesetToTheShortCap() {
        long id = catalog.changeset(catalog.repo(catalog.host(new ScheduleSettings(ofMinutes(2), ofHours(8), ofMinutes(5),
                ofHours(24)))));
        recordSync(id, "now()", "now() - interval '3 days'");
        assertThat(waitOf(id)).isGreaterThan(ofHours(7));

        dsl.update(CHANGESETS).set(CHANGESETS.STATE, ChangesetState.open)
                .set(CHANGESETS.CHECK_STATE, CheckState.pending).where(CHANGESETS.ID.eq(id)).execute();

        assertThat(cadenceOf(id)).isEqualTo(SyncCadence.checks_pending);
        assertThat(waitOf(id)).isBetween(ofMinutes(5).multipliedBy(95).dividedBy(100), ofMinutes(5));

        dsl.update(CHANGESETS).set(CHANGESETS.STATE, ChangesetState.merged).where(CHANGESETS.ID.eq(id)).execute();

        assertThat(cadenceOf(id)).isEqualTo(SyncCadence.finished);
        assertThat(waitOf(id)).isGreaterThan(ofHours(22));
    }

    @Test
    void aDeletedRepositorysChangesetsAreNotScheduledUntilItIsRestored() {
        Repo repo = catalog.repo(catalog.host());
        long id = catalog.changeset(repo);
        recordSync(id, "now()", "now() - interval '1 hour'");

        dsl.update(REPOS).set(REPOS.DELETED_AT, org.jooq.impl.DSL.currentOffsetDateTime().cast(java.time.Instant.class))
                .where(REPOS.ID.eq(repo.id())).execute();
        assertThat(database.value(Boolean.class,
                "SELECT next_sync_at IS NULL FROM changeset_sync_state WHERE changeset_id = " + id)).isTrue();
        assertThat(ruleOf(id)).startsWith("gone");

        dsl.update(REPOS).setNull(REPOS.DELETED_AT).where(REPOS.ID.eq(repo.id())).execute();
        assertThat(waitOf(id)).isLessThan(ofHours(2));
    }

    @Test
    void aRepositoryCannotMoveToAnotherHost() {
        Repo repo = catalog.repo(catalog.host());
        CodeHost other = catalog.host();

        assertThatThrownBy(() -> dsl.update(REPOS).set(REPOS.CODE_HOST_ID, other.id()).where(REPOS.ID.eq(repo.id()))
                        .execute())
                .isInstanceOf(DataAccessException.class)
                .hasMessageContaining("cannot move from code host");
        assertThat(SchemaViolation.from(catchIt(() -> dsl.update(REPOS).set(REPOS.CODE_HOST_ID, other.id())
                        .where(REPOS.ID.eq(repo.id())).execute())))
                .hasValueSatisfying(v -> assertThat(v.kind()).isEqualTo(SchemaViolation.Kind.CHECK));
    }

    // --- helpers: a "sync" here is the write a worker's completion makes ---

    void recordSync(long id, String syncedAt, String updatedAt) {
        database.execute("""
                UPDATE changeset_sync_state
                   SET last_synced_at = %1$s, last_attempt_at = %1$s, synced_updated_at = %2$s, failures = 0
                 WHERE changeset_id = %3$d""".formatted(syncedAt, updatedAt, id));
    }

    void insertEvent(long id, String occurredAt) {
        database.execute("INSERT INTO changeset_events (changeset_id, kind, source, occurred_at) VALUES (%d, 'comment', 'webhook', %s)"
                .formatted(id, occurredAt));
    }

    Duration waitOf(long id) {
        return dsl.select(CHANGESET_SCHEDULE.WAIT).from(CHANGESET_SCHEDULE).where(CHANGESET_SCHEDULE.CHANGESET_ID.eq(id))
                .fetchSingle().value1();
    }

    String ruleOf(long id) {
        return dsl.select(CHANGESET_SCHEDULE.RULE).from(CHANGESET_SCHEDULE).where(CHANGESET_SCHEDULE.CHANGESET_ID.eq(id))
                .fetchSingle().value1();
    }

    boolean dueOf(long id) {
        return dsl.select(CHANGESET_SCHEDULE.DUE).from(CHANGESET_SCHEDULE).where(CHANGESET_SCHEDULE.CHANGESET_ID.eq(id))
                .fetchSingle().value1();
    }

    java.time.Instant nextSyncAtOf(long id) {
        return state(id).getNextSyncAt();
    }

    java.time.Instant lastSyncOf(long id) {
        return state(id).getLastSyncedAt();
    }

    java.time.Instant latestEventOf(long id) {
        return state(id).getLatestEventAt();
    }

    SyncCadence cadenceOf(long id) {
        return state(id).getCadence();
    }

    dev.changesetsyncer.jooq.tables.records.ChangesetSyncStateRecord state(long id) {
        return dsl.selectFrom(CHANGESET_SYNC_STATE).where(CHANGESET_SYNC_STATE.CHANGESET_ID.eq(id)).fetchSingle();
    }

    static RuntimeException catchIt(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("expected an exception");
    }
}
