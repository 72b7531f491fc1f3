package dev.changesetsyncer.queue;

import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.ChangesetState;
import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.TimelineEvent;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jooq.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The queue's SQL functions, one call at a time: claim order, leases, fenced write-backs, requests. */
@ExtendWith(PostgresExtension.class)
class SyncQueueTest {
    final TestDatabase database;
    final Catalog catalog;
    final SyncQueue queue;
    CodeHost host;
    Repo repo;

    SyncQueueTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
        this.queue = new SyncQueue(database.dsl());
    }

    @BeforeEach
    void emptyQueueWithOneRepository() {
        database.truncateAll();
        host = catalog.host();
        repo = catalog.repo(host);
    }

    @Test
    void aClaimLeasesDueRowsAndReturnsWhatTheSyncNeeds() {
        List<Long> ids = catalog.changesets(repo, 3);

        List<Claim> claims = queue.claim("w1", 10, ofSeconds(30));

        assertThat(claims).extracting(Claim::changesetId).containsExactlyInAnyOrderElementsOf(ids);
        Claim claim = claims.getFirst();
        assertThat(claim.target().repoName()).isEqualTo(repo.name());
        assertThat(claim.target().baseUrl()).isEqualTo(host.baseUrl());
        assertThat(claim.target().changeMarkers()).isEmpty();
        assertThat(between(claim.claimedAt(), claim.leaseUntil())).isEqualTo(ofSeconds(30));
        assertThat(claims).extracting(c -> c.ref().claimToken()).doesNotHaveDuplicates();
        assertThat(row(claim.changesetId()).get("lease_holder", String.class)).isEqualTo("w1");
        assertThat(queue.claim("w2", 10, ofSeconds(30))).as("nothing left for another worker").isEmpty();
    }

    @Test
    void urgentThenRequestedThenRoutineRowsByDueTime() {
        List<Long> ids = catalog.changesets(repo, 4);
        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'asked')".formatted(ids.get(3)));
        database.execute("INSERT INTO sync_requests (changeset_id, reason, priority) VALUES (%d, 'urgent', 2)"
                .formatted(ids.get(2)));

        List<Long> order = queue.claim("w1", 1, ofSeconds(30)).stream().map(Claim::changesetId).toList();
        order = concat(order, queue.claim("w1", 1, ofSeconds(30)).stream().map(Claim::changesetId).toList());
        order = concat(order, queue.claim("w1", 2, ofSeconds(30)).stream().map(Claim::changesetId).toList());

        assertThat(order.subList(0, 2)).containsExactly(ids.get(2), ids.get(3));
        assertThat(order.subList(2, 4)).containsExactlyInAnyOrder(ids.get(0), ids.get(1));
    }

    @Test
    void completingRecordsTheFetchAndSchedulesFromTheClaimTime() {
        long id = catalog.changeset(repo);
        Claim claim = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        Instant updatedAt = claim.claimedAt().minus(ofMinutes(5));

        assertThat(queue.complete(List.of(new Completion(claim.ref(),
                fetched("Fix the thing", updatedAt, Map.of("pull", "\"abc\""), List.of())))))
                .containsExactly(id);

        Record state = row(id);
        assertThat(state.get("last_synced_at", Instant.class)).isEqualTo(claim.claimedAt());
        assertThat(state.get("last_attempt_at", Instant.class)).isEqualTo(claim.claimedAt());
        assertThat(state.get("synced_updated_at", Instant.class)).isEqualTo(updatedAt);
        assertThat(state.get("latest_event_at", Instant.class)).isNull();
        assertThat(state.get("claim_token", Long.class)).isNull();
        assertThat(between(claim.claimedAt(), state.get("next_sync_at", Instant.class)))
                .isBetween(ofMinutes(5).multipliedBy(95).dividedBy(100), ofMinutes(5));
        Record changeset = database.dsl().fetchSingle("SELECT * FROM changesets WHERE id = " + id);
        assertThat(changeset.get("title", String.class)).isEqualTo("Fix the thing");
        assertThat(changeset.get("state", String.class)).isEqualTo("open");
        assertThat(changeset.get("change_markers", String.class)).contains("\"pull\"");
        assertThat(queue.claim("w1", 1, ofSeconds(30))).as("not due again for minutes").isEmpty();
    }

    @Test
    void theScheduleCompletionsStoreIsWhatTheTriggerWouldStore() {
        List<Long> ids = catalog.changesets(repo, 40);
        database.execute("INSERT INTO sync_requests (changeset_id, reason) SELECT changeset_id, 'r' "
                + "FROM changeset_sync_state WHERE mod(changeset_id, 3) = 0");
        List<Claim> claims = queue.claim("w1", 40, ofSeconds(30));
        database.execute("INSERT INTO sync_requests (changeset_id, reason) SELECT changeset_id, 'during' "
                + "FROM changeset_sync_state WHERE mod(changeset_id, 5) = 0");
        List<Completion> completions = new java.util.ArrayList<>();
        for (Claim claim : claims) {
            long id = claim.changesetId();
            SyncResult.Completed result = switch ((int) (id % 4)) {
                case 0 -> new SyncResult.Unchanged(null);
                case 1 -> new SyncResult.Gone("404", null);
                case 2 -> new SyncResult.Fetched(new ChangesetSnapshot(ChangesetState.OPEN, "t", "a", "u", "h", "b",
                        "s", ReviewState.NONE, CheckState.PENDING, claim.claimedAt().minus(ofMinutes(id)), null),
                        Map.of(), List.of(new TimelineEvent("c", claim.claimedAt().minusSeconds(id), "e" + id, null)), null);
                default -> fetched("t", claim.claimedAt().minus(ofMinutes(3 * id)), Map.of(), List.of());
            };
            completions.add(new Completion(claim.ref(), result));
        }

        assertThat(queue.complete(completions)).hasSize(40);

        assertThat(database.value(Long.class, """
                SELECT count(*) FROM changeset_sync_state s JOIN code_hosts h ON h.id = s.code_host_id
                 WHERE s.next_sync_at IS DISTINCT FROM changeset_next_sync_at(s.changeset_id, s.cadence,
                           s.enqueued_at, s.last_synced_at, s.last_attempt_at, s.synced_updated_at,
                           s.latest_event_at, s.failures, s.gone_at, s.requested_at, h.min_sync_delay,
                           h.max_sync_delay, h.checks_pending_max_delay, h.finished_max_delay)
                    OR s.claim_at IS DISTINCT FROM sync_claim_at(s.next_sync_at, s.priority, s.requested_at)
                    OR s.cadence IS DISTINCT FROM (SELECT changeset_cadence(c.state, c.check_state)
                                                     FROM changesets c WHERE c.id = s.changeset_id)""")).isZero();
        assertThat(database.value(Long.class, "SELECT count(*) FROM changeset_sync_state WHERE cadence = 'checks_pending'"))
                .isEqualTo(ids.stream().filter(id -> id % 4 == 2).count());
    }

    @Test
    void anUnchangedResultKeepsTheMetadataAndTheHostsUpdatedAt() {
        long id = catalog.changeset(repo);
        Claim first = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        Instant updatedAt = first.claimedAt().minus(ofMinutes(30));
        queue.complete(List.of(new Completion(first.ref(), fetched("v1", updatedAt, Map.of(), List.of()))));
        makeDue(id);
        Claim second = queue.claim("w1", 1, ofSeconds(30)).getFirst();

        queue.complete(List.of(new Completion(second.ref(), new SyncResult.Unchanged(null))));

        Record state = row(id);
        assertThat(state.get("last_synced_at", Instant.class)).isEqualTo(second.claimedAt());
        assertThat(state.get("synced_updated_at", Instant.class)).isEqualTo(updatedAt);
        assertThat(database.value(String.class, "SELECT title FROM changesets WHERE id = " + id)).isEqualTo("v1");
    }

    @Test
    void eventsFoundBySyncsAreRecordedOnceAndCountAsChangesNoLaterThanTheSyncStarted() {
        long id = catalog.changeset(repo);
        Claim claim = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        Instant reviewed = claim.claimedAt().minus(ofMinutes(1));
        List<TimelineEvent> events = List.of(
                new TimelineEvent("review_approved", reviewed, "review-1", "{\"state\":\"APPROVED\"}"),
                new TimelineEvent("check_completed", claim.claimedAt().plusSeconds(10), "check-7", null));

        queue.complete(List.of(new Completion(claim.ref(), fetched("t", reviewed.minus(ofMinutes(60)), Map.of(), events))));
        makeDue(id);
        Claim again = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        queue.complete(List.of(new Completion(again.ref(), fetched("t", reviewed.minus(ofMinutes(60)), Map.of(), events))));

        assertThat(database.value(Long.class, "SELECT count(*) FROM changeset_events WHERE source = 'sync' AND changeset_id = " + id))
                .isEqualTo(2);
        // the check "completed" after the first sync started: it counts from the second one's start at most
        assertThat(row(id).get("latest_event_at", Instant.class))
                .isEqualTo(java.util.Collections.min(List.of(again.claimedAt(), claim.claimedAt().plusSeconds(10))));
    }

    @Test
    void aWriteBackWithAStaleClaimTokenIsIgnored() {
        long id = catalog.changeset(repo);
        Claim claim = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        ClaimRef forged = new ClaimRef(id, claim.ref().claimToken() + 1);

        assertThat(queue.complete(List.of(new Completion(forged, fetched("forged", Instant.now(), Map.of(), List.of())))))
                .isEmpty();
        assertThat(queue.fail(List.of(new FailedAttempt(forged, "forged")))).isEmpty();
        assertThat(queue.extendLeases("w1", List.of(forged), ofSeconds(60))).isEmpty();
        assertThat(queue.release(List.of(forged))).isZero();
        assertThat(row(id).get("claim_token", Long.class)).isEqualTo(claim.ref().claimToken());
        assertThat(database.value(String.class, "SELECT coalesce(title, '') FROM changesets WHERE id = " + id)).isEmpty();
    }

    @Test
    void aFailureCountsAndBacksOffFromTheAttempt() {
        long id = catalog.changeset(repo);
        Claim claim = queue.claim("w1", 1, ofSeconds(30)).getFirst();

        assertThat(queue.fail(List.of(new FailedAttempt(claim.ref(), "transient: 502")))).containsExactly(id);

        Record state = row(id);
        assertThat(state.get("failures", Integer.class)).isEqualTo(1);
        assertThat(state.get("last_error", String.class)).isEqualTo("transient: 502");
        assertThat(state.get("last_attempt_at", Instant.class)).isEqualTo(claim.claimedAt());
        assertThat(state.get("last_synced_at", Instant.class)).isNull();
        assertThat(between(claim.claimedAt(), state.get("next_sync_at", Instant.class)))
                .isBetween(ofMinutes(2).multipliedBy(95).dividedBy(100), ofMinutes(2));
    }

    @Test
    void aGoneResultServesRequestsAndStopsRoutineSyncs() {
        long id = catalog.changeset(repo);
        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'check it')".formatted(id));
        Claim claim = queue.claim("w1", 1, ofSeconds(30)).getFirst();

        queue.complete(List.of(new Completion(claim.ref(), new SyncResult.Gone("404 Not Found", null))));

        Record state = row(id);
        assertThat(state.get("gone_at", Instant.class)).isNotNull();
        assertThat(state.get("last_error", String.class)).isEqualTo("404 Not Found");
        assertThat(database.value(Boolean.class, "SELECT next_sync_at IS NULL FROM changeset_sync_state WHERE changeset_id = " + id)).isTrue();
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE served_at IS NULL AND changeset_id = " + id)).isZero();
    }

    @Test
    void aRequestForAGoneChangesetIsRetriedAfterAFailedAttemptUntilServed() {
        long id = catalog.changeset(repo);
        database.execute("UPDATE repos SET deleted_at = now() WHERE id = " + repo.id());
        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'is it back?')".formatted(id));
        Claim attempt = queue.claim("w1", 1, ofSeconds(30)).getFirst();

        queue.fail(List.of(new FailedAttempt(attempt.ref(), "transient: 502")));

        assertThat(row(id).get("next_sync_at", Instant.class)).as("retried with backoff, not dropped").isNotNull();
        database.execute("UPDATE changeset_sync_state SET last_attempt_at = now() - interval '10 minutes' "
                + "WHERE changeset_id = " + id); // the backoff has passed
        Claim retry = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        queue.complete(List.of(new Completion(retry.ref(), new SyncResult.Gone("404 Not Found", null))));
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE served_at IS NULL AND changeset_id = " + id)).isZero();
        assertThat(row(id).get("next_sync_at", Instant.class)).as("served: never again").isNull();
    }

    @Test
    void aRequestMadeDuringTheSyncIsServedByTheNextOne() {
        long id = catalog.changeset(repo);
        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'before')".formatted(id));
        Claim claim = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'during')".formatted(id));

        queue.complete(List.of(new Completion(claim.ref(), fetched("t", claim.claimedAt().minus(ofMinutes(90)), Map.of(), List.of()))));

        assertThat(database.value(Long.class, "SELECT served_by_claim FROM sync_requests WHERE reason = 'before' AND changeset_id = " + id))
                .isEqualTo(claim.ref().claimToken());
        assertThat(database.value(Boolean.class, "SELECT served_at IS NULL FROM sync_requests WHERE reason = 'during' AND changeset_id = " + id))
                .isTrue();
        Record state = row(id);
        assertThat(state.get("priority", Short.class)).isEqualTo((short) 1);
        assertThat(state.get("next_sync_at", Instant.class)).isBeforeOrEqualTo(Instant.now().plusSeconds(1));
        Claim next = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        queue.complete(List.of(new Completion(next.ref(), new SyncResult.Unchanged(null))));
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE served_at IS NULL AND changeset_id = " + id)).isZero();
    }

    @Test
    void aSyncThatFindsTheRepositoryArchivedRequestsItsOtherChangesetsButNotItself() {
        List<Long> ids = catalog.changesets(repo, 3);
        database.execute("UPDATE changeset_sync_state SET last_synced_at = now(), last_attempt_at = now(), "
                + "synced_updated_at = now() - interval '1 day' WHERE changeset_id <> " + ids.getFirst());
        Claim claim = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        assertThat(claim.changesetId()).isEqualTo(ids.getFirst());

        List<Completion> found = List.of(archivedFound(claim, true));
        assertThat(queue.recordArchivedFlags(found)).containsExactly(repo.id());
        queue.complete(found);

        assertThat(database.value(Boolean.class, "SELECT archived FROM repos WHERE id = " + repo.id())).isTrue();
        assertThat(database.value(Long.class, "SELECT count(*) FROM changeset_schedule WHERE due AND rule = 'bulk request' AND repo_id = "
                + repo.id())).as("the other two").isEqualTo(2);
        assertThat(row(ids.getFirst()).get("requested_at", Instant.class)).as("its own flip request is served").isNull();
    }

    @Test
    void aSyncThatStartedBeforeTheFlagChangedDoesNotFlipItBack() {
        long id = catalog.changeset(repo);
        Claim slow = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        database.execute("UPDATE repos SET archived = true WHERE id = " + repo.id()); // while the sync runs

        assertThat(queue.recordArchivedFlags(List.of(archivedFound(slow, false)))).as("seen before the change").isEmpty();
        queue.complete(List.of(archivedFound(slow, false)));
        assertThat(database.value(Boolean.class, "SELECT archived FROM repos WHERE id = " + repo.id())).isTrue();
        assertThat(row(id).get("requested_at", Instant.class)).as("the flip's request is still pending").isNotNull();

        Claim later = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        assertThat(queue.recordArchivedFlags(List.of(archivedFound(later, false)))).as("seen after the change")
                .containsExactly(repo.id());
        assertThat(database.value(Boolean.class, "SELECT archived FROM repos WHERE id = " + repo.id())).isFalse();
    }

    @Test
    void archivedFlagsOfLostClaimsAreIgnored() {
        catalog.changeset(repo);
        Claim claim = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        queue.release(List.of(claim.ref()));

        assertThat(queue.recordArchivedFlags(List.of(archivedFound(claim, true)))).isEmpty();
        assertThat(database.value(Boolean.class, "SELECT archived FROM repos WHERE id = " + repo.id())).isFalse();
    }

    @Test
    void heartbeatsExtendLeasesAndTheSweepReturnsExpiredOnes() {
        catalog.changesets(repo, 2);
        List<Claim> claims = queue.claim("w1", 2, ofSeconds(30));
        Instant claimed = claims.getFirst().claimedAt();
        SyncQueue twentySecondsLater = queue.at(claimed.plusSeconds(20));

        assertThat(twentySecondsLater.extendLeases("w1", List.of(claims.get(0).ref()), ofSeconds(30)))
                .containsExactly(claims.get(0).changesetId());
        assertThat(twentySecondsLater.extendLeases("someone-else", List.of(claims.get(1).ref()), ofSeconds(30))).isEmpty();
        assertThat(row(claims.get(0).changesetId()).get("lease_until", Instant.class)).isEqualTo(claimed.plusSeconds(50));

        assertThat(queue.at(claimed.plusSeconds(30)).releaseExpiredLeases()).as("not expired yet").isZero();
        assertThat(queue.at(claimed.plusSeconds(31)).releaseExpiredLeases()).isEqualTo(1);
        assertThat(queue.at(claimed.plusSeconds(31)).releaseExpiredLeases()).as("idempotent").isZero();
        Record swept = row(claims.get(1).changesetId());
        assertThat(swept.get("claim_token", Long.class)).isNull();
        assertThat(swept.get("failures", Integer.class)).isEqualTo(1);
        assertThat(swept.get("last_attempt_at", Instant.class)).isEqualTo(claimed);
        assertThat(swept.get("last_error", String.class)).startsWith("lease of w1 expired at ");
        assertThat(row(claims.get(0).changesetId()).get("claim_token", Long.class)).isNotNull();
        assertThat(queue.at(claimed.plusSeconds(51)).releaseExpiredLeases()).as("the extended one, later").isEqualTo(1);
    }

    @Test
    void aClaimAtASetTimeTakesWhatIsDueThen() {
        long id = catalog.changeset(repo);
        Claim first = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        queue.complete(List.of(new Completion(first.ref(), fetched("t", first.claimedAt().minus(ofMinutes(10)), Map.of(), List.of()))));
        Instant due = row(id).get("next_sync_at", Instant.class);

        assertThat(queue.at(due.minusSeconds(1)).claim("w1", 1, ofSeconds(30))).isEmpty();
        assertThat(queue.at(due.minusSeconds(1)).nextClaimDelay()).contains(ofSeconds(1));
        Claim second = queue.at(due).claim("w1", 1, ofSeconds(30)).getFirst();
        assertThat(second.changesetId()).isEqualTo(id);
        assertThat(second.claimedAt()).isEqualTo(due);
        assertThat(second.leaseUntil()).isEqualTo(due.plusSeconds(30));
    }

    @Test
    void aNullTimeIsTheDatabasesTime() {
        long id = catalog.changeset(repo);

        Record claimed = database.dsl().fetchSingle("SELECT changeset_id, claimed_at = now() AS at_now "
                + "FROM claim_changesets('w1', 1, interval '30 seconds', '{}', false, NULL)");
        assertThat(claimed.get("changeset_id", Long.class)).isEqualTo(id);
        assertThat(claimed.get("at_now", Boolean.class)).isTrue();
        assertThat(database.value(Integer.class, "SELECT release_expired_leases(NULL)")).isZero();
        assertThat(database.value(String.class, "SELECT next_claim_delay('{}', NULL)::text")).isNull();
    }

    @Test
    void releasedClaimsAreDueAgainAtOnceWithoutAFailure() {
        long id = catalog.changeset(repo);
        Claim claim = queue.claim("w1", 1, ofSeconds(30)).getFirst();

        assertThat(queue.release(List.of(claim.ref()))).isEqualTo(1);

        assertThat(row(id).get("failures", Integer.class)).isZero();
        assertThat(queue.claim("w2", 1, ofSeconds(30))).extracting(Claim::changesetId).containsExactly(id);
    }

    @Test
    void theNextClaimDelayIsTheTimeUntilTheEarliestUnleasedRow() {
        assertThat(queue.nextClaimDelay()).isEmpty();
        long id = catalog.changeset(repo);
        assertThat(queue.nextClaimDelay()).contains(Duration.ZERO);
        Claim claim = queue.claim("w1", 1, ofSeconds(30)).getFirst();
        assertThat(queue.nextClaimDelay()).as("leased rows do not count").isEmpty();
        queue.complete(List.of(new Completion(claim.ref(), fetched("t", claim.claimedAt().minus(ofMinutes(10)), Map.of(), List.of()))));
        Instant due = row(id).get("next_sync_at", Instant.class);
        assertThat(between(claim.claimedAt(), due)).isBetween(ofMinutes(9).plusSeconds(30), ofMinutes(10));
        assertThat(queue.at(claim.claimedAt()).nextClaimDelay()).contains(between(claim.claimedAt(), due));
        assertThat(queue.at(due.plusSeconds(5)).nextClaimDelay()).as("overdue: at once").contains(Duration.ZERO);
        database.execute("UPDATE repos SET deleted_at = now() WHERE id = " + repo.id());
        assertThat(queue.nextClaimDelay()).as("gone rows are never due").isEmpty();
    }

    // --- helpers ---

    static SyncResult.Fetched fetched(String title, Instant updatedAt, Map<String, String> changeMarkers, List<TimelineEvent> events) {
        return new SyncResult.Fetched(new ChangesetSnapshot(ChangesetState.OPEN, title, "octocat", "https://example/1",
                "feature", "main", "abc123", ReviewState.APPROVED, CheckState.PASSED, updatedAt, null), changeMarkers, events, null);
    }

    static Completion archivedFound(Claim claim, boolean archived) {
        return new Completion(claim.ref(), new SyncResult.Fetched(new ChangesetSnapshot(
                archived ? ChangesetState.READ_ONLY : ChangesetState.OPEN, "t", "a", "u", "h", "b", "sha",
                ReviewState.NONE, CheckState.NONE, claim.claimedAt().minus(ofMinutes(60)), archived), Map.of(),
                List.of(), null));
    }

    Record row(long id) {
        return database.dsl().fetchSingle("SELECT * FROM changeset_sync_state WHERE changeset_id = " + id);
    }

    void makeDue(long id) {
        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'test: again')".formatted(id));
    }

    static Duration between(Instant from, Instant to) {
        return Duration.between(from, to);
    }

    static <T> List<T> concat(List<T> a, List<T> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
