package dev.changesetsyncer.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * {@code record_webhook_delivery}: what a verified delivery writes, in one statement. The NOTIFY is
 * checked on the calling connection itself, which LISTENs: a session receives its own
 * notifications when its transaction commits, before the call returns, so absence is as certain as
 * presence (no waiting).
 */
@ExtendWith(PostgresExtension.class)
class RecordWebhookDeliveryTest {
    record Result(String outcome, int eventsStored, int reposUpdated, boolean wokeWorkers, List<PGNotification> notified) {}

    final TestDatabase database;
    final Catalog catalog;
    Connection caller;
    CodeHost host;
    Repo repo;

    RecordWebhookDeliveryTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
    }

    @BeforeEach
    void aRepositoryOnAHost() throws SQLException {
        database.truncateAll();
        host = catalog.host();
        repo = catalog.store().createRepo(host.id(), "186853002", "Codertocat/Hello-World");
        caller = DriverManager.getConnection(database.url());
        try (Statement statement = caller.createStatement()) {
            statement.execute("LISTEN changeset_sync_due");
        }
    }

    @AfterEach
    void close() throws SQLException {
        caller.close();
    }

    Result deliver(String delivery, String event, String targets, String repoChange) throws SQLException {
        caller.unwrap(PGConnection.class).getNotifications(); // drop earlier ones
        try (PreparedStatement call = caller.prepareStatement(
                "SELECT * FROM record_webhook_delivery(?, ?, ?, ?::jsonb, ?::jsonb, '{\"event\": \"test\"}'::jsonb)")) {
            call.setLong(1, host.id());
            call.setString(2, delivery);
            call.setString(3, event);
            call.setString(4, targets);
            call.setString(5, repoChange);
            try (ResultSet row = call.executeQuery()) {
                row.next();
                PGNotification[] notified = caller.unwrap(PGConnection.class).getNotifications();
                return new Result(row.getString("outcome"), row.getInt("events_stored"), row.getInt("repos_updated"),
                        row.getBoolean("woke_workers"), notified == null ? List.of() : List.of(notified));
            }
        }
    }

    /** Synced an hour ago after a day of quiet: next sync hours away. */
    long quietChangeset(String number) {
        long id = catalog.store().createChangesets(repo.id(), List.of(number)).getFirst();
        database.execute("""
                UPDATE changeset_sync_state SET last_synced_at = now() - interval '1 hour', last_attempt_at = now() - interval '1 hour',
                       synced_updated_at = now() - interval '1 day'
                 WHERE changeset_id = %d""".formatted(id));
        return id;
    }

    Instant nextSyncAt(long changesetId) {
        return database.value(Instant.class, "SELECT next_sync_at FROM changeset_sync_state WHERE changeset_id = " + changesetId);
    }

    @Test
    void aDeliveryForAPullRequestWeHaveStoresOneEventMovesItsScheduleEarlierAndWakesTheWorkers() throws SQLException {
        long id = quietChangeset("2");
        Instant dueBefore = nextSyncAt(id);

        Result result = deliver("d-1", "pull_request.synchronize", "[{\"repo_external_id\": \"186853002\", \"number\": \"2\"}]", null);

        assertThat(result.outcome()).isEqualTo("stored");
        assertThat(result.eventsStored()).isEqualTo(1);
        assertThat(result.wokeWorkers()).isTrue();
        assertThat(result.notified()).extracting(PGNotification::getName).containsExactly("changeset_sync_due");
        assertThat(database.value(String.class, """
                SELECT kind || ' ' || source || ' ' || dedupe_key || ' ' || payload::text FROM changeset_events
                 WHERE changeset_id = %d""".formatted(id)))
                .isEqualTo("pull_request.synchronize webhook delivery:d-1 {\"event\": \"test\"}");
        assertThat(database.value(Boolean.class, "SELECT latest_event_at > last_synced_at FROM changeset_sync_state "
                + "WHERE changeset_id = " + id)).isTrue();
        assertThat(nextSyncAt(id)).isBefore(dueBefore);
        assertThat(database.value(String.class, "SELECT event || ' ' || changesets FROM webhook_deliveries "
                + "WHERE delivery_key = 'd-1'")).isEqualTo("pull_request.synchronize 1");
    }

    @Test
    void aPullRequestWeDoNotHaveInATrackedRepositoryIsImportedAndItsEventStored() throws SQLException {
        database.execute("UPDATE repos SET track_changesets = 'open' WHERE id = " + repo.id());

        Result result = deliver("d-import", "pull_request.opened",
                "[{\"repo_external_id\": \"186853002\", \"number\": \"2\", \"open\": true}]", null);

        assertThat(result.outcome()).isEqualTo("stored");
        assertThat(result.eventsStored()).isEqualTo(1);
        assertThat(result.notified()).as("due at once: the workers are woken").hasSize(1);
        Long id = database.value(Long.class, "SELECT id FROM changesets WHERE external_id = '2' AND repo_id = " + repo.id());
        assertThat(id).isNotNull();
        assertThat(database.value(Boolean.class, "SELECT next_sync_at <= now() FROM changeset_sync_state WHERE changeset_id = "
                + id)).as("entered the queue through the insert trigger, due now").isTrue();
        assertThat(database.value(Long.class, "SELECT count(*) FROM changeset_events WHERE changeset_id = " + id)).isEqualTo(1);
    }

    @Test
    void aClosedPullRequestIsImportedOnlyWhenTheRepositoryTracksAllOfThem() throws SQLException {
        database.execute("UPDATE repos SET track_changesets = 'open' WHERE id = " + repo.id());
        String closed = "[{\"repo_external_id\": \"186853002\", \"number\": \"5\", \"open\": false}]";
        String unknownState = "[{\"repo_external_id\": \"186853002\", \"number\": \"6\"}]";

        assertThat(deliver("d-closed", "pull_request.closed", closed, null).outcome()).isEqualTo("unmatched");
        assertThat(deliver("d-unknown", "issue_comment.created", unknownState, null).outcome())
                .as("the payload does not say it is open").isEqualTo("unmatched");

        database.execute("UPDATE repos SET track_changesets = 'all' WHERE id = " + repo.id());
        assertThat(deliver("d-closed-2", "pull_request.closed", closed, null).outcome()).isEqualTo("stored");
        assertThat(deliver("d-unknown-2", "issue_comment.created", unknownState, null).outcome()).isEqualTo("stored");
        assertThat(database.value(Long.class, "SELECT count(*) FROM changesets WHERE repo_id = " + repo.id())).isEqualTo(2);
    }

    @Test
    void aPullRequestOfAnUntrackedRepositoryIsStillAnsweredUnmatched() throws SQLException {
        Result result = deliver("d-untracked", "pull_request.opened",
                "[{\"repo_external_id\": \"186853002\", \"number\": \"2\", \"open\": true}]", null);

        assertThat(result.outcome()).isEqualTo("unmatched");
        assertThat(database.value(Long.class, "SELECT count(*) FROM changesets")).isZero();
        assertThat(database.value(Long.class, "SELECT count(*) FROM webhook_deliveries")).isZero();
    }

    @Test
    void theSameDeliveryAgainIsADuplicateAndIsStoredOnce() throws SQLException {
        long id = quietChangeset("2");
        String target = "[{\"repo_external_id\": \"186853002\", \"number\": \"2\"}]";
        deliver("d-2", "pull_request.opened", target, null);

        Result again = deliver("d-2", "pull_request.opened", target, null);

        assertThat(again.outcome()).isEqualTo("duplicate");
        assertThat(again.notified()).isEmpty();
        assertThat(database.value(Long.class, "SELECT count(*) FROM changeset_events WHERE changeset_id = " + id)).isEqualTo(1);
        assertThat(database.value(Long.class, "SELECT count(*) FROM webhook_deliveries")).isEqualTo(1);
    }

    @Test
    void aRepositoryIsFoundByItsNameWhenTheHostsIdIsNotTheOneWeHave() throws SQLException {
        Repo byName = catalog.store().createRepo(host.id(), "some-other-id", "Octocoders/Hello-World");
        long id = catalog.store().createChangesets(byName.id(), List.of("7")).getFirst();

        Result result = deliver("d-3", "pull_request.edited",
                "[{\"repo_external_id\": \"999\", \"repo_name\": \"octocoders/hello-world\", \"number\": \"7\"}]", null);

        assertThat(result.outcome()).isEqualTo("stored");
        assertThat(database.value(Long.class, "SELECT count(*) FROM changeset_events WHERE changeset_id = " + id)).isEqualTo(1);
    }

    @Test
    void theHostsRepositoryIdWinsOverTheName() throws SQLException {
        long byId = quietChangeset("2");
        Repo sameName = catalog.store().createRepo(host.id(), "elsewhere", "Somebody/Else");
        long byName = catalog.store().createChangesets(sameName.id(), List.of("2")).getFirst();

        deliver("d-4", "pull_request.edited",
                "[{\"repo_external_id\": \"186853002\", \"repo_name\": \"Somebody/Else\", \"number\": \"2\"}]", null);

        assertThat(database.value(Long.class, "SELECT count(*) FROM changeset_events WHERE changeset_id = " + byId)).isEqualTo(1);
        assertThat(database.value(Long.class, "SELECT count(*) FROM changeset_events WHERE changeset_id = " + byName)).isZero();
    }

    @Test
    void aCommitReachesEveryChangesetOfItsRepositoryWhoseHeadItIs() throws SQLException {
        long first = quietChangeset("2");
        long second = quietChangeset("3");
        long other = quietChangeset("4");
        Repo elsewhere = catalog.store().createRepo(host.id(), "elsewhere", "Somebody/Else");
        long sameShaElsewhere = catalog.store().createChangesets(elsewhere.id(), List.of("2")).getFirst();
        database.execute("UPDATE changesets SET head_sha = 'abc123' WHERE id IN (%d, %d, %d)".formatted(first, second, sameShaElsewhere));
        database.execute("UPDATE changesets SET head_sha = 'def456' WHERE id = " + other);

        Result result = deliver("d-5", "status", "[{\"repo_external_id\": \"186853002\", \"head_sha\": \"abc123\"}]", null);

        assertThat(result.eventsStored()).isEqualTo(2);
        assertThat(database.dsl().fetch("SELECT changeset_id FROM changeset_events ORDER BY changeset_id")
                .getValues(0, Long.class)).containsExactly(first, second);
    }

    @Test
    void aPullRequestWeDoNotHaveIsUnmatchedAndNothingIsWritten() throws SQLException {
        quietChangeset("2");

        Result result = deliver("d-6", "pull_request.opened", "[{\"repo_external_id\": \"186853002\", \"number\": \"99\"}]", null);
        Result unknownRepo = deliver("d-7", "pull_request.opened", "[{\"repo_external_id\": \"1\", \"repo_name\": \"a/b\", \"number\": \"2\"}]", null);

        assertThat(result.outcome()).isEqualTo("unmatched");
        assertThat(unknownRepo.outcome()).isEqualTo("unmatched");
        assertThat(result.notified()).isEmpty();
        assertThat(database.value(Long.class, "SELECT count(*) FROM changeset_events")).isZero();
        assertThat(database.value(Long.class, "SELECT count(*) FROM webhook_deliveries")).isZero();
    }

    @Test
    void anEventOnAChangesetThatIsDueAnywayWakesNobody() throws SQLException {
        long neverSynced = catalog.store().createChangesets(repo.id(), List.of("5")).getFirst();
        Instant due = nextSyncAt(neverSynced);

        Result result = deliver("d-8", "pull_request.labeled", "[{\"repo_external_id\": \"186853002\", \"number\": \"5\"}]", null);

        assertThat(result.outcome()).isEqualTo("stored");
        assertThat(nextSyncAt(neverSynced)).isEqualTo(due);
        assertThat(result.wokeWorkers()).isFalse();
        assertThat(result.notified()).isEmpty();
    }

    @Test
    void anArchivedRepositoryIsFlippedOnceAndEveryChangesetOfItIsRequestedOnce() throws SQLException {
        quietChangeset("2");
        quietChangeset("3");
        String archived = "{\"repo_external_id\": \"186853002\", \"repo_name\": \"Codertocat/Hello-World\", \"archived\": true}";

        Result first = deliver("d-9", "repository.archived", null, archived);
        Result sameNewsAgain = deliver("d-10", "repository.archived", null, archived);

        assertThat(first.reposUpdated()).isEqualTo(1);
        assertThat(first.notified()).as("the flip's requests wake the workers").isNotEmpty();
        assertThat(sameNewsAgain.outcome()).isEqualTo("stored");
        assertThat(sameNewsAgain.reposUpdated()).isZero();
        assertThat(database.value(Boolean.class, "SELECT archived FROM repos WHERE id = " + repo.id())).isTrue();
        assertThat(database.value(Long.class, """
                SELECT count(*) FROM sync_requests WHERE priority = 0 AND reason = 'repository Codertocat/Hello-World was archived'"""))
                .isEqualTo(2);
        assertThat(database.value(Long.class, "SELECT repo_id FROM webhook_deliveries WHERE delivery_key = 'd-9'"))
                .isEqualTo(repo.id());
    }

    @Test
    void aRenamedRepositoryIsFoundByItsOldNameAndTakesTheNewOne() throws SQLException {
        Repo old = catalog.store().createRepo(host.id(), "not-the-hosts-id", "jsmith/overscore");

        Result result = deliver("d-11", "project_rename", null,
                "{\"repo_external_id\": \"73\", \"repo_name\": \"jsmith/overscore\", \"renamed_to\": \"jsmith/underscore\"}");

        assertThat(result.reposUpdated()).isEqualTo(1);
        assertThat(database.value(String.class, "SELECT name FROM repos WHERE id = " + old.id())).isEqualTo("jsmith/underscore");
    }

    @Test
    void aDeletedRepositoryIsMarkedDeletedAndItsChangesetsGone() throws SQLException {
        long id = quietChangeset("2");

        Result result = deliver("d-12", "repository.deleted", null, "{\"repo_external_id\": \"186853002\", \"deleted\": true}");

        assertThat(result.reposUpdated()).isEqualTo(1);
        assertThat(database.value(Boolean.class, "SELECT deleted_at IS NOT NULL FROM repos WHERE id = " + repo.id())).isTrue();
        assertThat(database.value(Boolean.class, "SELECT gone_at IS NOT NULL AND next_sync_at IS NULL FROM changeset_sync_state "
                + "WHERE changeset_id = " + id)).isTrue();
    }

    @Test
    void deliveryIdsPastTheirRetentionArePrunedByLaterDeliveries() throws SQLException {
        quietChangeset("2");
        database.execute("""
                INSERT INTO webhook_deliveries (code_host_id, delivery_key, event, received_at)
                SELECT %d, 'old-' || n, 'pull_request.opened', now() - webhook_delivery_retention() - interval '1 day'
                  FROM generate_series(1, 15) n""".formatted(host.id()));

        deliver("d-13", "pull_request.opened", "[{\"repo_external_id\": \"186853002\", \"number\": \"2\"}]", null);
        deliver("d-14", "pull_request.closed", "[{\"repo_external_id\": \"186853002\", \"number\": \"2\"}]", null);

        assertThat(database.value(Long.class, "SELECT count(*) FROM webhook_deliveries WHERE delivery_key LIKE 'old-%'"))
                .as("ten a delivery, oldest first").isZero();
        assertThat(database.value(Long.class, "SELECT count(*) FROM webhook_deliveries")).isEqualTo(2);
    }

    @Test
    void aDeliveryNamingBothChangesetsAndARepositoryChangeIsRefused() {
        assertThatThrownBy(() -> deliver("d-15", "x", "[]", "{\"repo_external_id\": \"186853002\", \"deleted\": true}"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("not both");
    }
}
