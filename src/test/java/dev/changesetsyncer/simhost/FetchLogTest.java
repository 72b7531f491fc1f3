package dev.changesetsyncer.simhost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Syncs are told apart by their claim; two syncs of one changeset whose spans intersect are an overlap. */
class FetchLogTest {
    final FetchLog log = new FetchLog();

    @Test
    void syncsOneAfterAnotherDoNotOverlap() {
        FetchLog.Fetch first = log.begin("pull", "o/r#1", "100", "replica-a");
        log.end(first, 200);
        FetchLog.Fetch checks = log.begin("check_runs", "o/r#1", "100", "replica-a");
        log.end(checks, 200);
        FetchLog.Fetch next = log.begin("pull", "o/r#1", "101", "replica-b");
        log.end(next, 304);

        assertThat(log.overlaps()).isZero();
        assertThat(log.syncs()).as("two claims, three requests").isEqualTo(2);
        assertThat(log.requests()).isEqualTo(3);
        assertThat(log.etagHits()).isEqualTo(1);
    }

    @Test
    void twoClaimsFetchingOneChangesetAtOnceAreAnOverlap() {
        FetchLog.Fetch a = log.begin("pull", "o/r#1", "100", "replica-a");
        FetchLog.Fetch b = log.begin("pull", "o/r#1", "101", "replica-b");
        log.end(a, 200);
        log.end(b, 200);

        assertThat(log.overlaps()).isEqualTo(1);
        assertThat(log.overlapExamples()).singleElement()
                .satisfies(o -> assertThat(o.replica() + " " + o.otherReplica()).isEqualTo("replica-b replica-a"));
    }

    @Test
    void aPausedSyncThatCallsAgainAfterAnotherClaimRanIsAnOverlap() {
        // replica a fetched the pull request, then froze; its lease expired, b re-claimed and synced
        log.end(log.begin("pull", "o/r#1", "100", "replica-a"), 200);
        log.end(log.begin("pull", "o/r#1", "101", "replica-b"), 200);
        // a wakes up and goes on with its sync: its span now covers b's
        log.end(log.begin("reviews", "o/r#1", "100", "replica-a"), 200);

        assertThat(log.overlaps()).isEqualTo(1);
    }

    @Test
    void otherChangesetsAndRequestsWithoutAChangesetNeverOverlap() {
        FetchLog.Fetch a = log.begin("pull", "o/r#1", "100", "replica-a");
        FetchLog.Fetch b = log.begin("pull", "o/r#2", "101", "replica-b");
        FetchLog.Fetch list = log.begin("pulls", null, null, "replica-c");
        log.end(a, 200);
        log.end(b, 200);
        log.end(list, 200);

        assertThat(log.overlaps()).isZero();
        assertThat(log.byReplica()).containsOnlyKeys("replica-a", "replica-b", "replica-c");
    }

    @Test
    void everyRequestCanBeJournalledAsAJsonLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("fetches.jsonl");
        try (FetchJournal journal = new FetchJournal(file)) {
            FetchLog journalled = new FetchLog(journal);
            journalled.end(journalled.begin("pull", "o/r#1", "100", "replica-a"), 304);
            journalled.end(journalled.begin("pulls", null, null, "curl"), 200);
        }

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(lines.getFirst());
        assertThat(first.path("changeset").asText()).isEqualTo("o/r#1");
        assertThat(first.path("claim").asText()).isEqualTo("100");
        assertThat(first.path("replica").asText()).isEqualTo("replica-a");
        assertThat(first.path("status").asInt()).isEqualTo(304);
        assertThat(first.path("endMs").asLong()).isGreaterThanOrEqualTo(first.path("startMs").asLong());
    }

    @Test
    void requestsWithoutAClaimCountAsSyncsOfTheirOwn() {
        FetchLog.Fetch a = log.begin("pull", "o/r#1", null, "curl");
        FetchLog.Fetch b = log.begin("pull", "o/r#1", null, "curl");
        log.end(a, 200);
        log.end(b, 200);

        assertThat(log.syncs()).isEqualTo(2);
        assertThat(log.overlaps()).as("two requests at once for one changeset").isEqualTo(1);
    }
}
