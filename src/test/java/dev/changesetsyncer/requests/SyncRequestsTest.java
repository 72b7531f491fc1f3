package dev.changesetsyncer.requests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.db.SchemaViolation;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.NotificationListener;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.util.List;
import org.jooq.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGNotification;

/** Immediate syncs by plain SQL: INSERT INTO sync_requests. */
@ExtendWith(PostgresExtension.class)
class SyncRequestsTest {
    static final String CHANNEL = "changeset_sync_due";
    final TestDatabase database;
    final Catalog catalog;

    SyncRequestsTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
    }

    @Test
    void anInsertMakesTheChangesetDueNowWithItsReason() {
        long id = syncedQuietChangeset();
        assertThat(schedule(id).get("due", Boolean.class)).isFalse();

        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'customer escalation')".formatted(id));

        Record row = schedule(id);
        assertThat(row.get("due", Boolean.class)).isTrue();
        assertThat(row.get("priority", Short.class)).isEqualTo((short) 1);
        assertThat(row.get("request_reason", String.class)).isEqualTo("customer escalation");
        assertThat(row.get("requested_by", String.class)).isEqualTo(database.value(String.class, "SELECT current_user"));
        assertThat(row.get("rule", String.class)).isEqualTo("requested");
    }

    @Test
    void requestedChangesetsAreClaimedBeforeOverdueRoutineOnes() {
        Repo repo = catalog.repo(catalog.host());
        List<Long> ids = catalog.changesets(repo, 3); // all never synced: due since enqueued
        long requested = ids.get(2);

        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'now please')".formatted(requested));

        assertThat(database.value(Long.class, """
                SELECT changeset_id FROM changeset_sync_state
                 WHERE code_host_id = %d AND claim_token IS NULL AND claim_at <= now()
                 ORDER BY claim_at LIMIT 1""".formatted(repo.codeHostId()))).isEqualTo(requested);
    }

    @Test
    void anInsertNotifiesTheWakeUpChannelOncePerStatement() throws Exception {
        Repo repo = catalog.repo(catalog.host());
        catalog.changesets(repo, 40);
        try (NotificationListener listener = new NotificationListener(database.url(), CHANNEL)) {
            database.execute("""
                    INSERT INTO sync_requests (changeset_id, reason)
                    SELECT id, 'bulk' FROM changesets WHERE repo_id = %d""".formatted(repo.id()));

            List<PGNotification> received = listener.collect(300);

            assertThat(received).hasSize(1);
            assertThat(received.getFirst().getName()).isEqualTo(CHANNEL);
        }
    }

    @Test
    void aBulkInsertSelectRequestsEveryChangesetOfARepositoryInOneStatement() {
        Repo repo = catalog.repo(catalog.host());
        catalog.changesets(repo, 25);
        database.execute("UPDATE changeset_sync_state SET last_synced_at = now(), last_attempt_at = now(), "
                + "synced_updated_at = now() - interval '1 day' WHERE code_host_id = " + repo.codeHostId());

        database.execute("""
                INSERT INTO sync_requests (changeset_id, reason, requested_by)
                SELECT id, 'backfill', 'ops' FROM changesets WHERE repo_id = %d""".formatted(repo.id()));

        assertThat(database.value(Long.class,
                "SELECT count(*) FROM changeset_schedule WHERE due AND request_reason = 'backfill' AND repo_id = "
                        + repo.id())).isEqualTo(25);
    }

    @Test
    void repeatedRequestsForAPendingChangesetDoNotPileUpWork() throws Exception {
        long id = syncedQuietChangeset();
        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'first')".formatted(id));
        String versionAfterFirst = rowVersion(id);

        try (NotificationListener listener = new NotificationListener(database.url(), CHANNEL)) {
            database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'second'), (%d, 'third')"
                    .formatted(id, id));
            assertThat(listener.collect(200)).as("no wake-up: nothing new became due").isEmpty();
        }

        assertThat(rowVersion(id)).as("the queue row was not rewritten").isEqualTo(versionAfterFirst);
        assertThat(database.value(Long.class,
                "SELECT count(*) FROM sync_requests WHERE served_at IS NULL AND changeset_id = " + id))
                .as("each request is kept as a record").isEqualTo(3);
    }

    @Test
    void anUrgentRequestRaisesThePriorityOfAPendingOne() {
        long id = syncedQuietChangeset();
        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'normal')".formatted(id));
        database.execute("INSERT INTO sync_requests (changeset_id, reason, priority) VALUES (%d, 'urgent', 2)".formatted(id));

        Record row = schedule(id);
        assertThat(row.get("priority", Short.class)).isEqualTo((short) 2);
        assertThat(row.get("request_reason", String.class)).isEqualTo("urgent");
    }

    @Test
    void aRequestForAnUnknownChangesetIsRejected() {
        assertThatThrownBy(() -> database.dsl().execute(
                        "INSERT INTO sync_requests (changeset_id, reason) VALUES (987654321, 'typo')"))
                .satisfies(e -> {
                    SchemaViolation violation = SchemaViolation.from((RuntimeException) e).orElseThrow();
                    assertThat(violation.kind()).isEqualTo(SchemaViolation.Kind.FOREIGN_KEY);
                    assertThat(violation.constraint()).isEqualTo("sync_requests_changeset_must_exist");
                    assertThat(violation.getMessage()).contains("(changeset_id)=(987654321) is not present");
                });
    }

    @Test
    void aRequestNeedsAReasonAndCannotBeDatedInTheFuture() {
        long id = syncedQuietChangeset();
        assertThatThrownBy(() -> database.execute(
                        "INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, '  ')".formatted(id)))
                .hasMessageContaining("sync_requests_reason_not_blank");
        assertThatThrownBy(() -> database.execute(
                        "INSERT INTO sync_requests (changeset_id, reason, requested_at) VALUES (%d, 'x', now() + interval '1 day')"
                                .formatted(id)))
                .hasMessageContaining("sync_requests_requested_at_not_in_future");
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE changeset_id = " + id)).isZero();
    }

    @Test
    void aRequestIsMadeNowByWhoeverMakesItAndIsNotServedYet() {
        long id = syncedQuietChangeset();

        assertThatThrownBy(() -> database.execute("INSERT INTO sync_requests (changeset_id, reason, requested_at) "
                + "VALUES (%d, 'jump the queue', now() - interval '1 year')".formatted(id)))
                .hasMessageContaining("sync_requests.requested_at is set by the database: leave it out");
        assertThatThrownBy(() -> database.execute("INSERT INTO sync_requests (changeset_id, reason, served_at, "
                + "served_by_claim, served_by) VALUES (%d, 'forged', now(), 1, 'nobody')".formatted(id)))
                .hasMessageContaining("a new sync request is not served yet");
        database.execute("INSERT INTO sync_requests (changeset_id, reason, requested_by) VALUES (%d, 'ok', 'alice via the admin page')"
                .formatted(id));

        assertThat(database.value(String.class, "SELECT requested_by FROM sync_requests WHERE changeset_id = " + id))
                .as("requested_by stays the caller's").isEqualTo("alice via the admin page");
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE changeset_id = " + id)).isEqualTo(1);
    }

    @Test
    void aReasonLongerThanAThousandCharactersIsRefusedByItsConstraint() {
        long id = syncedQuietChangeset();

        assertThatThrownBy(() -> catalogRequest(id, "r".repeat(1001)))
                .isInstanceOfSatisfying(SyncRequestStore.RequestRejected.class,
                        e -> assertThat(e.getMessage()).contains("sync_requests_reason_at_most_1000_characters"));
        catalogRequest(id, "r".repeat(1000));
    }

    void catalogRequest(long id, String reason) {
        new SyncRequestStore(database.dsl()).requestChangesets(List.of(id), reason, "test", SyncRequestStore.Priority.REQUESTED);
    }

    long syncedQuietChangeset() {
        long id = catalog.changeset(catalog.repo(catalog.host()));
        database.execute("""
                UPDATE changeset_sync_state SET last_synced_at = now(), last_attempt_at = now(),
                       synced_updated_at = now() - interval '2 hours'
                 WHERE changeset_id = %d""".formatted(id));
        return id;
    }

    Record schedule(long id) {
        return database.dsl().fetchSingle("SELECT * FROM changeset_schedule WHERE changeset_id = " + id);
    }

    String rowVersion(long id) {
        return database.value(String.class, "SELECT xmin::text FROM changeset_sync_state WHERE changeset_id = " + id);
    }
}
