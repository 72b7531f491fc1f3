package dev.changesetsyncer.queue;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.ChangesetState;
import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.TimelineEvent;
import dev.changesetsyncer.secrets.Secrets;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a host sends is stored within bounds (a 10 MB title, a 5 MB review body were stored whole), and errors are safe to print. */
@ExtendWith(PostgresExtension.class)
class StoredTextTest {
    final TestDatabase database;
    final Catalog catalog;
    final SyncQueue queue;

    StoredTextTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
        this.queue = new SyncQueue(database.dsl());
    }

    @Test
    void aHugeTitleAndAHugeReviewBodyAreStoredCut() {
        long changeset = catalog.changeset(catalog.repo(catalog.host()));
        Claim claim = claimOf(changeset);
        String title = "t".repeat(10_000_000);
        String review = "{\"id\": 1, \"state\": \"COMMENTED\", \"body\": \"" + "b".repeat(5_000_000) + "\", \"labels\": ["
                + "1,".repeat(500) + "1]}";
        SyncResult.Fetched fetched = new SyncResult.Fetched(new ChangesetSnapshot(ChangesetState.OPEN, title, "a".repeat(5000),
                "https://example.test/" + "u".repeat(5000), "h", "b", "sha", ReviewState.NONE, CheckState.NONE,
                Instant.parse("2026-01-01T00:00:00Z"), null), Map.of("pull", "\"" + "e".repeat(5000) + "\""),
                List.of(new TimelineEvent("review_commented", Instant.parse("2026-01-01T00:00:00Z"), "review-1", review)), null);

        assertThat(queue.complete(List.of(new Completion(claim.ref(), fetched)))).containsExactly(changeset);

        assertThat(database.value(Integer.class, "SELECT length(title) FROM changesets WHERE id = " + changeset)).isEqualTo(1000);
        assertThat(database.value(String.class, "SELECT right(title, 2) FROM changesets WHERE id = " + changeset)).isEqualTo("t…");
        assertThat(database.value(Integer.class, "SELECT length(author) FROM changesets WHERE id = " + changeset)).isEqualTo(255);
        assertThat(database.value(Integer.class, "SELECT length(url) FROM changesets WHERE id = " + changeset)).isEqualTo(2000);
        assertThat(database.value(Integer.class, "SELECT length(change_markers ->> 'pull') FROM changesets WHERE id = "
                + changeset)).isEqualTo(1000);
        assertThat(database.value(Integer.class, "SELECT length(payload ->> 'body') FROM changeset_events WHERE changeset_id = "
                + changeset)).isEqualTo(4000);
        assertThat(database.value(Integer.class, "SELECT jsonb_array_length(payload -> 'labels') FROM changeset_events "
                + "WHERE changeset_id = " + changeset)).isEqualTo(100);
    }

    @Test
    void aFailuresMessageIsStoredWithSecretsMaskedAndControlCharactersEscaped() {
        Secrets.register("ghp_stored-test-token");
        long changeset = catalog.changeset(catalog.repo(catalog.host()));
        Claim claim = claimOf(changeset);

        queue.fail(List.of(new FailedAttempt(claim.ref(),
                "transient: it began: \"\u001b[2JAuthorization: Bearer ghp_stored-test-token\n" + "x".repeat(5000))));

        String stored = database.value(String.class, "SELECT last_error FROM changeset_sync_state WHERE changeset_id = " + changeset);
        assertThat(stored).startsWith("transient: it began: \"\\x1B[2JAuthorization: Bearer *** x").hasSize(2000)
                .doesNotContain("ghp_stored-test-token");
    }

    Claim claimOf(long changeset) {
        return queue.claim("w1", 100, ofSeconds(30)).stream().filter(c -> c.changesetId() == changeset).findFirst()
                .orElseThrow();
    }
}
