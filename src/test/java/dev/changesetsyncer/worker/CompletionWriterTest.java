package dev.changesetsyncer.worker;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.ChangesetState;
import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.TimelineEvent;
import dev.changesetsyncer.queue.Claim;
import dev.changesetsyncer.queue.ClaimRef;
import dev.changesetsyncer.queue.Completion;
import dev.changesetsyncer.queue.Deferral;
import dev.changesetsyncer.queue.FailedAttempt;
import dev.changesetsyncer.queue.SyncQueue;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The writer against a real database: a result the database rejects is given up on alone (a
 * completion or deferral becomes a failed attempt) while the rest of its batch is written; a write
 * the database cannot take for its own sake is retried; archived flags cost a call only when a sync
 * found one to record.
 */
@ExtendWith(PostgresExtension.class)
class CompletionWriterTest {
    final TestDatabase database;
    final Catalog catalog;
    final SyncQueue queue;
    final WorkerMetrics metrics = new WorkerMetrics();
    final Set<ClaimRef> ended = ConcurrentHashMap.newKeySet();

    CompletionWriterTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
        this.queue = new SyncQueue(database.dsl());
    }

    @BeforeEach
    void emptyQueue() {
        database.truncateAll();
    }

    @Test
    void aResultTheDatabaseRejectsBecomesAFailedAttemptAndTheOthersAreWritten() throws Exception {
        catalog.changesets(catalog.repo(catalog.host()), 4);
        List<Claim> claims = queue.claim("w1", 4, ofSeconds(30));
        Instant updated = claims.getFirst().claimedAt().minusSeconds(600);
        Instant beyondPostgres = Instant.parse("+300000-01-01T00:00:00Z");
        CompletionWriter writer = new CompletionWriter("w1", queue, metrics, () -> { }, ended::add);
        // queued before the writer starts, so they go in one batch
        writer.submit(new Completion(claims.get(0).ref(), fetched("fine", updated, List.of())));
        writer.submit(new Completion(claims.get(1).ref(), fetched("from the future", beyondPostgres, List.of())));
        writer.submit(new Completion(claims.get(2).ref(), fetched("a NUL\u0000 in the title", updated,
                List.of(new TimelineEvent("comment", updated, "c-1", "{\"body\": \"nul \\u0000 here\"}")))));
        writer.submit(new Completion(claims.get(3).ref(), fetched("fine too", updated, List.of())));
        Thread thread = Thread.ofPlatform().start(writer);

        await().atMost(ofSeconds(10)).until(() -> ended.size() == 4);
        writer.stopAfterFlush();
        thread.join(5_000);

        assertThat(metrics.snapshot().completed()).isEqualTo(3);
        assertThat(metrics.snapshot().unwritable()).isEqualTo(1);
        assertThat(metrics.snapshot().failed()).isEqualTo(1);
        Record rejected = row(claims.get(1).changesetId());
        assertThat(rejected.get("failures", Integer.class)).isEqualTo(1);
        assertThat(rejected.get("last_error", String.class)).startsWith("could not be written back: ");
        assertThat(rejected.get("claim_token", Long.class)).as("the claim ended").isNull();
        assertThat(database.value(String.class, "SELECT title FROM changesets WHERE id = " + claims.get(2).changesetId()))
                .isEqualTo("a NUL in the title");
        assertThat(database.value(String.class, "SELECT payload ->> 'body' FROM changeset_events WHERE changeset_id = "
                + claims.get(2).changesetId())).isEqualTo("nul  here");
        for (int i : new int[] {0, 2, 3}) {
            assertThat(row(claims.get(i).changesetId()).get("last_synced_at", Instant.class)).isNotNull();
        }
        assertThat(thread.isAlive()).isFalse();
    }

    @Test
    void resultsQueuedAtStopAreStillWritten() throws Exception {
        catalog.changesets(catalog.repo(catalog.host()), 2);
        List<Claim> claims = queue.claim("w1", 2, ofSeconds(30));
        CompletionWriter writer = new CompletionWriter("w1", queue, metrics, () -> { }, ended::add);
        for (Claim claim : claims) {
            writer.submit(new Completion(claim.ref(), new SyncResult.Unchanged(null)));
        }
        writer.stopAfterFlush();

        Thread thread = Thread.ofPlatform().start(writer);
        thread.join(5_000);

        assertThat(metrics.snapshot().completed()).isEqualTo(2);
        assertThat(ended).hasSize(2);
    }

    @Test
    void everyKindOfRejectedResultIsIsolatedAndTheRestOfItsBatchIsWritten() throws Exception {
        CodeHost host = catalog.host();
        catalog.changesets(catalog.repo(host), 6);
        List<Claim> claims = queue.claim("w1", 6, ofSeconds(30));
        // a failed attempt with this message is refused like a constraint violation
        database.execute("""
                CREATE FUNCTION test_reject_attempt() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.last_error = 'transient: reject me' THEN
                        RAISE EXCEPTION 'rejected by the test' USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER test_reject_attempt BEFORE UPDATE ON changeset_sync_state
                   FOR EACH ROW EXECUTE FUNCTION test_reject_attempt();""");
        try {
            CompletionWriter writer = new CompletionWriter("w1", queue, metrics, () -> { }, ended::add);
            writer.submit(new Completion(claims.get(0).ref(), new SyncResult.Unchanged(null)));
            writer.submit(new Completion(claims.get(1).ref(), fetched("from the future", Instant.parse("+300000-01-01T00:00:00Z"), List.of())));
            writer.submit(new FailedAttempt(claims.get(2).ref(), "transient: 502"));
            writer.submit(new FailedAttempt(claims.get(3).ref(), "transient: reject me"));
            writer.submit(new Deferral(claims.get(4).ref(), host.id(), ofSeconds(30), null, "429"));
            writer.submit(new Deferral(claims.get(5).ref(), host.id(), Duration.ofSeconds(1_000_000_000_000_000L), null,
                    "429 with an absurd Retry-After"));
            Thread thread = Thread.ofPlatform().start(writer);

            await().atMost(ofSeconds(10)).until(() -> ended.size() == 6);
            writer.stopAfterFlush();
            thread.join(5_000);

            WorkerMetrics.Snapshot written = metrics.snapshot();
            assertThat(written.unwritable()).isEqualTo(2);
            assertThat(written.completed()).isEqualTo(1);
            assertThat(written.failed()).as("the 502, and the completion given up on").isEqualTo(2);
            assertThat(written.deferred()).as("an absurd Retry-After pauses the host at most an hour").isEqualTo(2);
            assertThat(row(claims.get(0).changesetId()).get("last_synced_at", Instant.class)).isNotNull();
            assertThat(row(claims.get(1).changesetId()).get("last_error", String.class))
                    .startsWith("could not be written back: ");
            assertThat(row(claims.get(2).changesetId()).get("last_error", String.class)).isEqualTo("transient: 502");
            assertThat(row(claims.get(3).changesetId()).get("claim_token", Long.class))
                    .as("a failed attempt that cannot be written is left to its lease")
                    .isEqualTo(claims.get(3).ref().claimToken());
            for (int given : new int[] {4, 5}) {
                Record deferred = row(claims.get(given).changesetId());
                assertThat(deferred.get("claim_token", Long.class)).isNull();
                assertThat(deferred.get("failures", Integer.class)).isZero();
            }
            assertThat(ended).containsExactlyInAnyOrderElementsOf(claims.stream().map(Claim::ref).toList());
        } finally {
            database.execute("DROP TRIGGER test_reject_attempt ON changeset_sync_state; DROP FUNCTION test_reject_attempt()");
        }
    }

    @Test
    void aWriteTheDatabaseCannotTakeForItsOwnSakeIsRetriedUntilItCan() throws Exception {
        catalog.changesets(catalog.repo(catalog.host()), 1);
        Claim claim = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        CompletionWriter writer = new CompletionWriter("w1", queue, metrics, () -> { }, ended::add);
        database.execute("ALTER FUNCTION complete_syncs(jsonb) RENAME TO complete_syncs_away");
        Thread thread;
        try {
            writer.submit(new Completion(claim.ref(), new SyncResult.Unchanged(null)));
            thread = Thread.ofPlatform().start(writer);
            await().atMost(ofSeconds(10)).until(() -> metrics.snapshot().databaseErrors() >= 2);
            assertThat(ended).as("still queued").isEmpty();
        } finally {
            database.execute("ALTER FUNCTION complete_syncs_away(jsonb) RENAME TO complete_syncs");
        }

        await().atMost(ofSeconds(20)).until(() -> ended.size() == 1);
        writer.stopAfterFlush();
        thread.join(5_000);

        assertThat(metrics.snapshot().completed()).isEqualTo(1);
        assertThat(metrics.snapshot().unwritable()).isZero();
        assertThat(row(claim.changesetId()).get("last_synced_at", Instant.class)).isNotNull();
    }

    @Test
    void recordArchivedFlagsIsCalledOnlyForABatchWithAFlagToRecord() throws Exception {
        catalog.changesets(catalog.repo(catalog.host()), 3);
        List<Claim> claims = queue.claim("w1", 3, ofSeconds(30));
        Instant updated = claims.getFirst().claimedAt().minusSeconds(600);
        CompletionWriter writer = new CompletionWriter("w1", queue, metrics, () -> { }, ended::add);
        Thread thread = Thread.ofPlatform().start(writer);
        // a call would fail, and be counted as a database error
        database.execute("ALTER FUNCTION record_archived_flags(jsonb) RENAME TO record_archived_flags_away");
        try {
            writer.submit(new Completion(claims.get(0).ref(), fetched("no flag", updated, List.of())));
            writer.submit(new Completion(claims.get(1).ref(), new SyncResult.Unchanged(null)));
            await().atMost(ofSeconds(10)).until(() -> ended.size() == 2);
            assertThat(metrics.snapshot().databaseErrors()).as("nothing to record: no call").isZero();

            SyncResult.Fetched archived = fetched("archived", updated, List.of());
            writer.submit(new Completion(claims.get(2).ref(),
                    archived.withSnapshot(archived.snapshot().withRepoArchived(true))));
            await().atMost(ofSeconds(10)).until(() -> ended.size() == 3);
            assertThat(metrics.snapshot().databaseErrors()).as("a flag to record: one call").isEqualTo(1);
        } finally {
            database.execute("ALTER FUNCTION record_archived_flags_away(jsonb) RENAME TO record_archived_flags");
            writer.stopAfterFlush();
            thread.join(5_000);
        }
        assertThat(metrics.snapshot().completed()).as("the flag is secondary: the sync is written").isEqualTo(3);
    }

    static SyncResult.Fetched fetched(String title, Instant updatedAt, List<TimelineEvent> events) {
        return new SyncResult.Fetched(new ChangesetSnapshot(ChangesetState.OPEN, title, "octocat", "https://example/1",
                "feature", "main", "abc123", ReviewState.APPROVED, CheckState.PASSED, updatedAt, null), Map.of(),
                events, null);
    }

    Record row(long id) {
        return database.dsl().fetchSingle("SELECT * FROM changeset_sync_state WHERE changeset_id = " + id);
    }
}
