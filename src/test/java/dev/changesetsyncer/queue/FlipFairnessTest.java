package dev.changesetsyncer.queue;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.RateLimitSettings;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jooq.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A flip of a big repository must not drown the host's other work: properties of the claim order, with
 * the queue's clock set by the test (one claim per simulated second, each written back at once), never
 * of durations. A repository with 10,000 changesets is archived on a host with 5,000 requests/hour while
 * 1,000 routine syncs of its other repositories are overdue.
 */
@ExtendWith(PostgresExtension.class)
class FlipFairnessTest {
    static final int FLIPPED = 10_000;
    final TestDatabase database;
    final Catalog catalog;
    final SyncQueue queue;
    CodeHost host;
    Repo flipped;
    List<Repo> others;

    FlipFairnessTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
        this.queue = new SyncQueue(database.dsl());
    }

    /** One claim: what was due just before it (at its time), and what it took, in claim order. */
    record Step(Instant at, long routineDue, long bulkDue, List<Claim> claims) {
        long routine() {
            return claims.stream().filter(c -> c.level() == 0).count();
        }

        long bulk() {
            return claims.stream().filter(c -> c.level() == 1).count();
        }
    }

    @BeforeEach
    void aBigRepositoryBesideRoutineWork() {
        database.truncateAll();
        host = catalog.host();
        flipped = catalog.repo(host);
        catalog.changesets(flipped, FLIPPED);
        // synced a minute ago after an hour of quiet: next due in about an hour
        database.execute("""
                UPDATE changeset_sync_state SET last_synced_at = now() - interval '1 minute',
                       last_attempt_at = now() - interval '1 minute', synced_updated_at = now() - interval '61 minutes'
                 WHERE changeset_id IN (SELECT id FROM changesets WHERE repo_id = %d)""".formatted(flipped.id()));
        others = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Repo other = catalog.repo(host);
            catalog.changesets(other, 200);
            others.add(other);
        }
        // synced 9 hours ago after a month of quiet: overdue (the 8 h cap)
        database.execute("""
                UPDATE changeset_sync_state SET last_synced_at = now() - interval '9 hours',
                       last_attempt_at = now() - interval '9 hours', synced_updated_at = now() - interval '30 days'
                 WHERE changeset_id IN (SELECT id FROM changesets WHERE repo_id <> %d)""".formatted(flipped.id()));
    }

    @Test
    void aUsersRequestMadeAfterTheFlipIsClaimedBeforeAnyFlipRequestedChangesetClaimedAfterIt() {
        budget(5000);
        database.execute("UPDATE repos SET archived = true WHERE id = " + flipped.id());
        Instant t = databaseNow();
        List<Step> before = run(t, 30);
        // a changeset of another repository, not due for hours
        long asked = database.value(Long.class, "SELECT min(id) FROM changesets WHERE repo_id = " + others.getLast().id());
        database.execute("UPDATE changeset_sync_state SET last_synced_at = now(), last_attempt_at = now() WHERE changeset_id = "
                + asked);

        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'a user clicked refresh')"
                .formatted(asked));
        List<Step> after = run(before.getLast().at(), 30);

        List<Claim> claimedAfter = after.stream().flatMap(step -> step.claims().stream()).toList();
        assertThat(claimedAfter).as("claimed after the request").isNotEmpty();
        assertThat(claimedAfter.getFirst().changesetId()).as("the first claimed after the request").isEqualTo(asked);
        assertThat(claimedAfter.getFirst().level()).isEqualTo(2);
        assertThat(after.stream().filter(step -> !step.claims().isEmpty()).findFirst().orElseThrow().claims())
                .as("the first claim after the request takes it").extracting(Claim::changesetId).contains(asked);
        assertThat(before.stream().mapToLong(Step::bulk).sum()).as("the flip was being served before").isPositive();
    }

    @Test
    void whileFlipAndRoutineWorkAreBothDueHalfOfTheHostsClaimsAreRoutine() {
        budget(5000);
        database.execute("UPDATE repos SET archived = true WHERE id = " + flipped.id());

        List<Step> steps = run(databaseNow(), 120);

        long routine = 0;
        long bulk = 0;
        for (Step step : steps) {
            assertThat(step.routineDue()).as("routine work stays due throughout").isPositive();
            assertThat(step.bulkDue()).as("flip work stays due throughout").isPositive();
            routine += step.routine();
            bulk += step.bulk();
            // over every run of claims from the start: routine never behind, bulk at most one behind
            assertThat(routine).as("routine claims so far, at %s", step.at()).isGreaterThanOrEqualTo(bulk);
            assertThat(bulk).as("bulk claims so far, at %s", step.at()).isGreaterThanOrEqualTo(routine - 1);
        }
        assertThat(routine + bulk).as("the budget paid for about 1.4 syncs a second, plus the first burst")
                .isBetween(200L, 300L);
        List<Claim> all = steps.stream().flatMap(step -> step.claims().stream()).toList();
        assertThat(all).filteredOn(c -> c.level() == 1)
                .allSatisfy(c -> assertThat(c.target().repoName()).isEqualTo(flipped.name()));
        assertThat(all).filteredOn(c -> c.level() == 0)
                .allSatisfy(c -> assertThat(c.target().repoName()).isNotEqualTo(flipped.name()));
    }

    @Test
    void withoutABudgetEachClaimAlternatesRoutineAndFlipWorkRoutineFirst() {
        database.execute("UPDATE repos SET archived = true WHERE id = " + flipped.id());
        Instant t = databaseNow();

        for (int i = 0; i < 10; i++) {
            t = t.plusSeconds(1);
            List<Claim> claims = queue.at(t).claim("w", 21, ofSeconds(60));
            assertThat(claims).extracting(Claim::level).containsExactly(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
                    0, 1, 0, 1, 0);
            complete(claims);
        }
    }

    @Test
    void whenRoutineWorkRunsOutTheFlipTakesTheWholeBudget() {
        budget(5000);
        database.execute("""
                UPDATE changeset_sync_state SET last_synced_at = now(), last_attempt_at = now()
                 WHERE changeset_id IN (SELECT id FROM changesets WHERE repo_id <> %d)""".formatted(flipped.id()));
        database.execute("UPDATE repos SET archived = true WHERE id = " + flipped.id());

        List<Step> steps = run(databaseNow(), 60);

        assertThat(steps).allSatisfy(step -> assertThat(step.routine()).isZero());
        assertThat(steps.stream().mapToLong(Step::bulk).sum()).as("a minute's budget and its burst").isBetween(140L, 180L);
    }

    /** One claim a second from {@code start}, each written back at once (as unchanged). */
    List<Step> run(Instant start, int seconds) {
        List<Step> steps = new ArrayList<>();
        Instant t = start;
        for (int i = 0; i < seconds; i++) {
            t = t.plusSeconds(1);
            Record due = database.dsl().fetchSingle("""
                    SELECT count(*) FILTER (WHERE claim_at > sync_claim_bound(1, at) AND claim_at <= at) AS routine,
                           count(*) FILTER (WHERE claim_at > sync_claim_bound(2, at) AND claim_at <= sync_claim_bound(1, at))
                               AS bulk
                      FROM changeset_sync_state, (SELECT ?::timestamptz AS at) t
                     WHERE code_host_id = ? AND claim_token IS NULL""", t.toString(), host.id());
            List<Claim> claims = queue.at(t).claim("w", 50, ofSeconds(60));
            steps.add(new Step(t, due.get("routine", Long.class), due.get("bulk", Long.class), claims));
            complete(claims);
        }
        return steps;
    }

    void complete(List<Claim> claims) {
        queue.complete(claims.stream().map(c -> new Completion(c.ref(), new SyncResult.Unchanged(null))).toList());
    }

    void budget(int requestsPerHour) {
        catalog.store().updateRateLimits(host.id(), new RateLimitSettings(requestsPerHour, null, 1, null));
    }

    Instant databaseNow() {
        return database.value(Instant.class, "SELECT now()");
    }
}
