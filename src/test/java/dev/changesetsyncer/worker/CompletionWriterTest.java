package dev.changesetsyncer.worker;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.ChangesetState;
import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.TimelineEvent;
import dev.changesetsyncer.queue.Claim;
import dev.changesetsyncer.queue.ClaimRef;
import dev.changesetsyncer.queue.Completion;
import dev.changesetsyncer.queue.SyncQueue;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A result the database rejects is written as a failed attempt; the rest of its batch is written as usual. */
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

    static SyncResult.Fetched fetched(String title, Instant updatedAt, List<TimelineEvent> events) {
        return new SyncResult.Fetched(new ChangesetSnapshot(ChangesetState.OPEN, title, "octocat", "https://example/1",
                "feature", "main", "abc123", ReviewState.APPROVED, CheckState.PASSED, updatedAt, null), Map.of(),
                events, null);
    }

    Record row(long id) {
        return database.dsl().fetchSingle("SELECT * FROM changeset_sync_state WHERE changeset_id = " + id);
    }
}
