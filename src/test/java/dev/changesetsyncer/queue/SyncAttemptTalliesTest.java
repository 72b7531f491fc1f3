package dev.changesetsyncer.queue;

import static java.time.Duration.ofHours;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Syncs per minute come from sync_attempt_tallies: a row per host per write-back, pruned by the sweep. */
@ExtendWith(PostgresExtension.class)
class SyncAttemptTalliesTest {
    final TestDatabase database;
    final Catalog catalog;
    final SyncQueue queue;

    SyncAttemptTalliesTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
        this.queue = new SyncQueue(database.dsl());
    }

    @BeforeEach
    void emptyQueue() {
        database.truncateAll();
    }

    @Test
    void completionsAndFailedAttemptsAreTalliedPerHostAndBatchButReleasesAndFencedWriteBacksAreNot() {
        CodeHost a = catalog.host();
        CodeHost b = catalog.host();
        Set<Long> ofA = Set.copyOf(catalog.changesets(catalog.repo(a), 3));
        catalog.changesets(catalog.repo(b), 2);
        List<Claim> claims = queue.claim("w1", 10, ofSeconds(30));
        List<Claim> claimsOfA = claims.stream().filter(c -> ofA.contains(c.changesetId())).toList();
        List<Claim> claimsOfB = claims.stream().filter(c -> !ofA.contains(c.changesetId())).toList();
        assertThat(claimsOfA).hasSize(3);
        assertThat(claimsOfB).hasSize(2);

        queue.complete(List.of(unchanged(claimsOfA.get(0)), unchanged(claimsOfA.get(1)), unchanged(claimsOfB.get(0))));
        queue.fail(List.of(new FailedAttempt(claimsOfA.get(2).ref(), "boom")));
        queue.release(List.of(claimsOfB.get(1).ref()));
        assertThat(queue.complete(List.of(unchanged(claimsOfA.get(0))))).as("fenced: the claim has ended").isEmpty();

        assertThat(tallies()).containsExactlyInAnyOrderEntriesOf(Map.of(a.id(), 3L, b.id(), 1L));
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_attempt_tallies WHERE code_host_id = " + a.id()))
                .as("one row per host per write-back: the completions, then the failure").isEqualTo(2);
    }

    @Test
    void theSweepCountsAnExpiredLeaseAsAnAttemptAndForgetsTalliesOlderThanAnHour() {
        CodeHost host = catalog.host();
        catalog.changesets(catalog.repo(host), 2);
        List<Claim> claims = queue.claim("w1", 2, ofSeconds(30));
        queue.complete(List.of(unchanged(claims.getFirst())));
        database.execute("INSERT INTO sync_attempt_tallies (code_host_id, at, attempts) VALUES ("
                + host.id() + ", now() - interval '61 minutes', 7)");
        assertThat(tallies()).containsEntry(host.id(), 8L);

        Instant afterTheLease = claims.get(1).leaseUntil().plusSeconds(1);
        assertThat(queue.at(afterTheLease).releaseExpiredLeases()).isEqualTo(1);

        assertThat(tallies()).as("the completion and the expired lease; the old row is gone").containsEntry(host.id(), 2L);
        queue.at(database.value(Instant.class, "SELECT now()").plus(ofHours(2))).releaseExpiredLeases();
        assertThat(tallies()).isEmpty();
    }

    Map<Long, Long> tallies() {
        return database.dsl().fetch("SELECT code_host_id, sum(attempts)::bigint AS n FROM sync_attempt_tallies GROUP BY 1")
                .stream().collect(Collectors.toMap(r -> r.get(0, Long.class), r -> r.get(1, Long.class)));
    }

    static Completion unchanged(Claim claim) {
        return new Completion(claim.ref(), new SyncResult.Unchanged(null));
    }
}
