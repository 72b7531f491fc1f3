package dev.changesetsyncer.queue;

import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.RateLimitSettings;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.catalog.Tracking;
import dev.changesetsyncer.codehost.FailureKind;
import dev.changesetsyncer.codehost.PullListing;
import dev.changesetsyncer.codehost.RepoSnapshot;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.jooq.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Repository syncs in the queue, one SQL call at a time: claimed with changesets from the same budget,
 * written back fenced by claim token; archived, renamed, deleted (only after repeated 404s over an
 * hour) and back; failures back off; tracked repositories import their pull requests.
 */
@ExtendWith(PostgresExtension.class)
class RepoSyncQueueTest {
    final TestDatabase database;
    final Catalog catalog;
    final SyncQueue queue;
    CodeHost host;
    Repo repo;

    RepoSyncQueueTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
        this.queue = new SyncQueue(database.dsl());
    }

    @BeforeEach
    void oneNewRepository() {
        database.truncateAll();
        host = catalog.host();
        repo = catalog.repoNeverRead(host);
    }

    @Test
    void aNewRepositoryIsDueAtOnceAndOneWorkerClaimsIt() {
        ClaimedWork first = queue.claimWork("w1", 10, 5, ofSeconds(30), Set.of());
        ClaimedWork second = queue.claimWork("w2", 10, 5, ofSeconds(30), Set.of());

        assertThat(first.repos()).singleElement().satisfies(claim -> {
            assertThat(claim.repoId()).isEqualTo(repo.id());
            assertThat(claim.target().name()).isEqualTo(repo.name());
            assertThat(claim.target().track()).isEqualTo(Tracking.NONE);
            assertThat(Duration.between(claim.claimedAt(), claim.leaseUntil())).isEqualTo(ofSeconds(30));
        });
        assertThat(second.repos()).as("held by w1").isEmpty();
        assertThat(queue.claim("w3", 10, ofSeconds(30))).as("a changeset claim takes no repository").isEmpty();
    }

    @Test
    void aRepositorySyncIsPaidFromTheHostsBudgetAndTheFreeRequestsComeBack() {
        catalog.store().updateRateLimits(host.id(), new RateLimitSettings(3600, 5, 1, null));
        database.execute("UPDATE repos SET track_changesets = 'open' WHERE id = " + repo.id());
        Instant t = databaseNow();

        RepoClaim claim = queue.at(t).claimWork("w1", 10, 5, ofSeconds(30), Set.of()).repos().getFirst();

        assertThat(claim.cost()).as("the repository and the first listing page").isEqualTo(2.0);
        assertThat(tokens(t)).isCloseTo(3.0, within());
        queue.refund(List.of(Refund.of(host.id(), claim.cost(), 2)));
        assertThat(tokens(t)).as("two 304s: nothing spent").isCloseTo(5.0, within());
        queue.refund(List.of(Refund.of(host.id(), 2.0, 2)));
        assertThat(tokens(t)).as("never past the burst").isCloseTo(5.0, within());
    }

    @Test
    void aDueRepositoryIsNotOvertakenByCheaperChangesetsWhenTheBudgetCannotPayForItYet() {
        catalog.store().updateRateLimits(host.id(), new RateLimitSettings(3600, 3, 1, null)); // 1 a second, 3 at once
        database.execute("UPDATE repos SET track_changesets = 'all' WHERE id = " + repo.id());
        catalog.changesets(catalog.repo(host), 5);
        Instant t = databaseNow();
        assertThat(queue.at(t).claim("w1", 2, ofSeconds(30))).as("changesets only: one token left").hasSize(2);

        assertThat(queue.at(t).claimWork("w1", 10, 5, ofSeconds(30), Set.of()).isEmpty())
                .as("the repository (2 tokens) goes first, and the bucket holds one").isTrue();
        assertThat(queue.at(t).nextClaimDelay(Set.of(), true)).contains(ofSeconds(1));
        ClaimedWork work = queue.at(t.plusSeconds(1)).claimWork("w1", 10, 5, ofSeconds(30), Set.of());

        assertThat(work.repos()).hasSize(1);
        assertThat(work.changesets()).as("the two tokens went to the repository").isEmpty();
    }

    @Test
    void aRepositoryNeverCostsMoreThanTheBucketHolds() {
        catalog.store().updateRateLimits(host.id(), new RateLimitSettings(3600, 1, 1, null));
        database.execute("UPDATE repos SET track_changesets = 'all' WHERE id = " + repo.id());

        RepoClaim claim = claimRepo(databaseNow());

        assertThat(claim.cost()).isEqualTo(1.0);
    }

    @Test
    void anArchivedRepositoryFoundByASyncRequestsEveryChangesetOnceAsBulk() {
        List<Long> ids = catalog.changesets(repo, 12);
        RepoClaim claim = claimRepo(databaseNow());

        List<RepoSyncOutcome> outcomes = write(claim, found(repo.name(), true));

        assertThat(outcomes).singleElement().satisfies(o -> assertThat(o.repoChanged()).isTrue());
        assertThat(flipRequests()).isEqualTo(12);
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE priority = 0 AND served_at IS NULL"))
                .isEqualTo(12);
        assertThat(database.value(Long.class, """
                SELECT count(*) FROM changeset_sync_state
                 WHERE changeset_id = ANY ('%s') AND claim_at > sync_claim_bound(2, now()) AND claim_at <= sync_claim_bound(1, now())"""
                .formatted(array(ids)))).as("at the bulk level").isEqualTo(12);

        RepoClaim again = claimRepo(databaseNow().plus(ofMinutes(10)));
        write(again, found(repo.name(), true));
        assertThat(flipRequests()).as("the same flag again flips nothing").isEqualTo(12);
    }

    @Test
    void aFlipByWebhookAndTheSameFoundByASyncFireOnce() {
        catalog.changesets(repo, 4);
        RepoClaim claimedBefore = claimRepo(databaseNow());
        database.dsl().selectFrom("record_webhook_delivery(%d, 'd-1', 'repository.archived', NULL, '{\"repo_external_id\": \"%s\", \"archived\": true}', '{}')"
                .formatted(host.id(), repo.externalId())).fetch();
        assertThat(flipRequests()).isEqualTo(4);

        write(claimedBefore, found(repo.name(), false));
        assertThat(archived()).as("a sync claimed before the flip does not undo it").isTrue();

        write(claimRepo(databaseNow().plus(ofMinutes(10))), found(repo.name(), true));
        assertThat(flipRequests()).as("the sync finding it archived too flips nothing").isEqualTo(4);
    }

    @Test
    void aRenameChangesTheNameAndLeavesTheChangesetsAlone() {
        List<Long> ids = catalog.changesets(repo, 3);

        write(claimRepo(databaseNow()), found("org/renamed", false));

        assertThat(database.value(String.class, "SELECT name FROM repos WHERE id = " + repo.id())).isEqualTo("org/renamed");
        assertThat(database.value(Long.class, "SELECT count(*) FROM changesets WHERE repo_id = " + repo.id())).isEqualTo(3);
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests")).isZero();
        assertThat(database.value(Long.class, "SELECT count(*) FROM changeset_sync_state WHERE changeset_id = ANY ('%s') AND gone_at IS NULL"
                .formatted(array(ids)))).isEqualTo(3);
    }

    @Test
    void a404MarksTheRepositoryDeletedOnlyAfterRepeated404sOverAnHourAndItComesBack() {
        List<Long> ids = catalog.changesets(repo, 3);
        Instant t = databaseNow();

        write(claimRepo(t), notFound());
        assertThat(visibility()).startsWith("not visible: 1 answers 404 since");
        write(claimRepo(t.plus(ofMinutes(30))), notFound());
        write(claimRepo(t.plus(ofMinutes(45))), notFound());
        assertThat(deletedAt()).as("three 404s, but over 45 minutes only").isNull();
        assertThat(visibility()).startsWith("not visible: 3 answers 404 since");
        assertThat(database.value(Long.class, "SELECT repos_not_visible FROM code_host_sync_summary WHERE code_host_id = "
                + host.id())).isEqualTo(1);

        write(claimRepo(t.plus(ofMinutes(61))), notFound());
        assertThat(deletedAt()).as("an hour of 404s").isNotNull();
        assertThat(visibility()).isEqualTo("deleted");
        assertThat(gone(ids)).as("its changesets are gone").isEqualTo(3);
        assertThat(nextSyncAt()).as("read again a day later").isEqualTo(t.plus(ofMinutes(61)).plus(Duration.ofDays(1)));

        write(claimRepo(t.plus(Duration.ofDays(2))), found(repo.name(), false));
        assertThat(deletedAt()).as("back").isNull();
        assertThat(gone(ids)).isZero();
        assertThat(visibility()).isEqualTo("visible");
    }

    @Test
    void changesetsFoundGoneWhileTheirRepositoryWasNotVisibleAreBackWithIt() {
        List<Long> ids = catalog.changesets(repo, 2);
        Instant t = databaseNow();
        write(claimRepo(t), found(repo.name(), false));
        write(claimRepo(t.plus(ofMinutes(10))), notFound());
        database.execute("UPDATE changeset_sync_state SET gone_at = now() WHERE changeset_id = " + ids.getFirst());

        write(claimRepo(t.plus(ofMinutes(20))), found(repo.name(), false));

        assertThat(gone(ids)).isZero();
    }

    @Test
    void failuresNeverMarkARepositoryDeletedAndBackOff() {
        Instant t = databaseNow();
        write(claimRepo(t), new RepoSyncResult.Failed(FailureKind.UNAUTHORIZED, "401 bad credentials", null, null, 0));
        Instant firstRetry = nextSyncAt();
        Instant second = firstRetry.plusSeconds(1);
        write(claimRepo(second), new RepoSyncResult.Failed(FailureKind.TRANSIENT, "502", null, null, 0));
        Instant secondRetry = nextSyncAt();

        assertThat(deletedAt()).isNull();
        assertThat(Duration.between(t, firstRetry)).isBetween(ofMinutes(5).multipliedBy(9).dividedBy(10), ofMinutes(5));
        assertThat(Duration.between(second, secondRetry)).as("doubled").isBetween(ofMinutes(9), ofMinutes(10));
        assertThat(database.value(String.class, "SELECT last_error FROM repo_sync_state WHERE repo_id = " + repo.id()))
                .isEqualTo("transient: 502");
    }

    @Test
    void aRateLimitedReadPausesTheHostAndCountsNoFailure() {
        write(claimRepo(databaseNow()), new RepoSyncResult.Failed(FailureKind.RATE_LIMITED, "429", ofSeconds(30), null, 0));

        assertThat(database.value(Integer.class, "SELECT failures FROM repo_sync_state WHERE repo_id = " + repo.id())).isZero();
        assertThat(database.value(Instant.class, "SELECT paused_until FROM code_host_budgets WHERE code_host_id = "
                + host.id())).isAfter(databaseNow().plusSeconds(20));
        assertThat(nextSyncAt()).as("still due").isBeforeOrEqualTo(databaseNow());
    }

    @Test
    void aTrackedRepositoryImportsTheNewPullRequestsEachWithABulkRequest() {
        catalog.changesets(repo, 1); // "1" is there already
        database.execute("UPDATE repos SET track_changesets = 'open' WHERE id = " + repo.id());
        RepoClaim claim = claimRepo(databaseNow());
        Instant newest = Instant.parse("2026-01-02T03:04:05Z");

        List<RepoSyncOutcome> outcomes = write(claim, new RepoSyncResult.Found(null, Map.of("pulls", "\"e1\""),
                new PullListing(Tracking.OPEN, List.of("3", "2", "1"), newest, 1, false), null, 0));

        assertThat(outcomes).singleElement().satisfies(o -> assertThat(o.imported()).isEqualTo(2));
        assertThat(database.dsl().fetch("SELECT external_id FROM changesets WHERE repo_id = %d ORDER BY external_id"
                .formatted(repo.id())).getValues(0, String.class)).containsExactly("1", "2", "3");
        assertThat(database.value(Long.class, """
                SELECT count(*) FROM sync_requests q JOIN changesets c ON c.id = q.changeset_id
                 WHERE c.repo_id = %d AND q.priority = 0 AND q.reason = 'imported from repository %s'"""
                .formatted(repo.id(), repo.name()))).isEqualTo(2);
        Record state = database.dsl().fetchSingle("SELECT * FROM repo_sync_state WHERE repo_id = " + repo.id());
        assertThat(state.get("listed_until", Instant.class)).isEqualTo(newest);
        assertThat(state.get("listing_state", String.class)).isEqualTo("open");
        assertThat(state.get("imported", Long.class)).isEqualTo(2);
        assertThat(state.get("change_markers", String.class)).contains("\"pulls\"");
    }

    @Test
    void anUntrackedRepositoryImportsNothingAndTrackingItMakesItDueAtOnce() {
        RepoClaim claim = claimRepo(databaseNow());
        write(claim, new RepoSyncResult.Found(null, Map.of(), new PullListing(Tracking.OPEN, List.of("7"), null, 1, false),
                null, 0));
        assertThat(database.value(Long.class, "SELECT count(*) FROM changesets")).isZero();
        assertThat(nextSyncAt()).isAfter(databaseNow());

        database.execute("UPDATE repos SET track_changesets = 'all' WHERE id = " + repo.id());

        assertThat(nextSyncAt()).as("just tracked: listed at once").isBeforeOrEqualTo(databaseNow());
    }

    @Test
    void aWriteBackOfALostClaimIsFencedOff() {
        RepoClaim claim = claimRepo(databaseNow());
        queue.at(claim.leaseUntil().plusSeconds(1)).releaseExpiredRepoLeases();

        assertThat(write(claim, found("org/elsewhere", true))).isEmpty();
        assertThat(archived()).isFalse();
        assertThat(database.value(String.class, "SELECT last_error FROM repo_sync_state WHERE repo_id = " + repo.id()))
                .startsWith("lease of w1 expired");
    }

    @Test
    void aHeartbeatKeepsTheLeaseAndAReleaseGivesTheClaimBackWithoutAFailure() {
        RepoClaim claim = claimRepo(databaseNow());

        assertThat(queue.extendRepoLeases("w1", List.of(claim.ref()), ofMinutes(5))).containsExactly(repo.id());
        assertThat(queue.extendRepoLeases("w2", List.of(claim.ref()), ofMinutes(5))).as("not w2's").isEmpty();
        assertThat(queue.releaseRepoClaims(List.of(claim.ref()))).isEqualTo(1);
        assertThat(database.value(Integer.class, "SELECT failures FROM repo_sync_state WHERE repo_id = " + repo.id())).isZero();
        assertThat(queue.claimWork("w2", 1, 1, ofSeconds(30), Set.of()).repos()).hasSize(1);
    }

    RepoClaim claimRepo(Instant at) {
        return queue.at(at).claimWork("w1", 1, 1, ofSeconds(30), Set.of()).repos().getFirst();
    }

    List<RepoSyncOutcome> write(RepoClaim claim, RepoSyncResult result) {
        return queue.recordRepoSyncs(List.of(new RepoWriteBack(claim.ref(), claim.target(), result)));
    }

    RepoSyncResult found(String name, boolean archived) {
        return new RepoSyncResult.Found(new RepoSnapshot(repo.externalId(), name, archived), Map.of("repo", "\"v\""), null,
                null, 0);
    }

    static RepoSyncResult notFound() {
        return new RepoSyncResult.NotFound("404 Not Found", null, 0);
    }

    long flipRequests() {
        return database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE reason LIKE 'repository % was %archived'");
    }

    boolean archived() {
        return database.value(Boolean.class, "SELECT archived FROM repos WHERE id = " + repo.id());
    }

    Instant deletedAt() {
        return database.value(Instant.class, "SELECT deleted_at FROM repos WHERE id = " + repo.id());
    }

    String visibility() {
        return database.value(String.class, "SELECT visibility FROM repo_sync_schedule WHERE repo_id = " + repo.id());
    }

    Instant nextSyncAt() {
        return database.value(Instant.class, "SELECT next_sync_at FROM repo_sync_state WHERE repo_id = " + repo.id());
    }

    long gone(List<Long> ids) {
        return database.value(Long.class, "SELECT count(*) FROM changeset_sync_state WHERE gone_at IS NOT NULL AND changeset_id = ANY ('%s')"
                .formatted(array(ids)));
    }

    double tokens(Instant at) {
        return database.value(Double.class, """
                SELECT code_host_tokens(b.tokens, b.refilled_at, h.requests_per_hour, h.request_burst, '%s')
                  FROM code_host_budgets b JOIN code_hosts h ON h.id = b.code_host_id WHERE h.id = %d"""
                .formatted(at, host.id()));
    }

    static Offset<Double> within() {
        return Offset.offset(0.01);
    }

    static String array(List<Long> ids) {
        return "{" + String.join(",", ids.stream().map(String::valueOf).toList()) + "}";
    }

    Instant databaseNow() {
        return database.value(Instant.class, "SELECT now()");
    }
}
