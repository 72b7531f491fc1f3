package dev.changesetsyncer.queue;

import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.RateLimitSettings;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.codehost.RateLimitStatus;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.db.SchemaViolation;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jooq.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The per-host budget, pause and concurrency cap, as the claim enforces them for every replica. */
@ExtendWith(PostgresExtension.class)
class RateLimitsTest {
    final TestDatabase database;
    final Catalog catalog;
    final SyncQueue queue;

    RateLimitsTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
        this.queue = new SyncQueue(database.dsl());
    }

    @BeforeEach
    void emptyQueue() {
        database.truncateAll();
    }

    @Test
    void aClaimTakesNoMoreThanTheBucketHoldsAndItRefillsWithTime() {
        CodeHost host = limitedHost(3600, 3, null); // one request a second, three at once
        catalog.changesets(catalog.repo(host), 20);
        Instant start = databaseNow();

        assertThat(queue.at(start).claim("w1", 10, ofSeconds(30))).hasSize(3);
        assertThat(queue.at(start).claim("w1", 10, ofSeconds(30))).as("the bucket is empty").isEmpty();
        assertThat(queue.at(start).nextClaimDelay()).contains(ofSeconds(1));
        assertThat(queue.at(start.plusMillis(999)).claim("w1", 10, ofSeconds(30))).isEmpty();
        assertThat(queue.at(start.plusSeconds(1)).claim("w1", 10, ofSeconds(30))).hasSize(1);
        assertThat(queue.at(start.plusSeconds(4)).claim("w1", 10, ofSeconds(30))).as("three seconds' worth").hasSize(3);
        assertThat(queue.at(start.plusSeconds(60)).claim("w1", 10, ofSeconds(30))).as("never more than the burst")
                .hasSize(3);
    }

    @Test
    void replicasClaimingAtOnceSpendTogetherExactlyWhatTheBucketHeldAtEachMoment() throws Exception {
        CodeHost host = limitedHost(7200, 4, null); // two requests a second, four at once
        catalog.changesets(catalog.repo(host), 24);
        Instant start = databaseNow();
        int replicas = 4;
        try (ExecutorService pool = Executors.newFixedThreadPool(replicas)) {
            int claimed = 0;
            for (int step = 0; claimed < 24; step++) { // every half second, a token more
                SyncQueue then = queue.at(start.plusMillis(500L * step));
                CyclicBarrier together = new CyclicBarrier(replicas);
                List<Future<Integer>> claims = new ArrayList<>();
                for (int i = 0; i < replicas; i++) {
                    String worker = "w" + i;
                    claims.add(pool.submit(() -> {
                        together.await();
                        return then.claim(worker, 24, ofSeconds(30)).size();
                    }));
                }
                for (Future<Integer> claim : claims) {
                    claimed += claim.get();
                }
                assertThat(claimed).as("claimed after %d half seconds", step).isEqualTo(Math.min(24, 4 + step));
            }
        }
    }

    @Test
    void twoReplicasClaimingAtOnceCannotBothSpendTheLastToken() throws Exception {
        CodeHost host = limitedHost(1, 1, null); // one token, refilled once an hour
        catalog.changesets(catalog.repo(host), 20);
        int replicas = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> claimed = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(replicas)) {
            for (int i = 0; i < replicas; i++) {
                String worker = "w" + i;
                claimed.add(pool.submit((Callable<Integer>) () -> {
                    go.await();
                    int total = 0;
                    for (int attempt = 0; attempt < 20; attempt++) {
                        total += queue.claim(worker, 5, ofSeconds(30)).size();
                    }
                    return total;
                }));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> f : claimed) {
                total += f.get();
            }
            assertThat(total).isEqualTo(1);
        }
    }

    @Test
    void rowsUpdatedWhileAClaimRunsAreStillClaimedAndTheBudgetPaysOnlyForClaims() throws Exception {
        CodeHost host = limitedHost(1, 10_000, null); // no refill to speak of during the test
        List<Long> ids = catalog.changesets(catalog.repo(host), 1500);
        java.util.concurrent.atomic.AtomicBoolean claiming = new java.util.concurrent.atomic.AtomicBoolean(true);
        int claimed = 0;
        try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
            // webhooks moving latest_event_at of unsynced rows (they stay due) while the claims run
            Future<?> webhooks = pool.submit(() -> {
                java.util.Random random = new java.util.Random(7);
                while (claiming.get()) {
                    long from = ids.get(random.nextInt(ids.size() - 50));
                    database.execute("UPDATE changeset_sync_state SET latest_event_at = now() "
                            + "WHERE changeset_id BETWEEN %d AND %d AND claim_token IS NULL".formatted(from, from + 50));
                }
            });
            for (List<Claim> batch; !(batch = queue.claim("w1", 25, ofSeconds(30))).isEmpty()
                    || database.value(Long.class, "SELECT count(*) FROM changeset_sync_state WHERE claim_token IS NULL") > 0; ) {
                claimed += batch.size();
            }
            claiming.set(false);
            webhooks.get();
        }

        assertThat(claimed).isEqualTo(ids.size());
        double spent = 10_000 - database.value(Double.class,
                "SELECT tokens FROM code_host_budgets WHERE code_host_id = " + host.id());
        assertThat(spent).as("tokens debited for %d claims", claimed).isCloseTo(claimed, org.assertj.core.api.Assertions.within(1.0));
    }

    @Test
    void requestsGoFirstWhenAHostsBudgetIsShort() {
        CodeHost host = limitedHost(1, 2, null);
        List<Long> ids = catalog.changesets(catalog.repo(host), 10);
        long requested = ids.get(9);
        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'now')".formatted(requested));

        List<Claim> claims = queue.claim("w1", 10, ofSeconds(30));

        assertThat(claims).hasSize(2);
        assertThat(claims).extracting(Claim::changesetId).contains(requested);
    }

    @Test
    void theConcurrencyCapCountsSyncsInFlightAcrossReplicas() {
        CodeHost host = limitedHost(null, null, 3);
        catalog.changesets(catalog.repo(host), 10);

        List<Claim> first = queue.claim("w1", 10, ofSeconds(30));
        assertThat(first).hasSize(3);
        assertThat(queue.claim("w2", 10, ofSeconds(30))).isEmpty();

        queue.complete(List.of(new Completion(first.getFirst().ref(), new SyncResult.Unchanged(null))));
        assertThat(queue.claim("w2", 10, ofSeconds(30))).hasSize(1);
    }

    @Test
    void claimsInterleaveHostsSoThatOnesBacklogDoesNotCrowdOutAnother() {
        CodeHost busy = catalog.host();
        CodeHost quiet = catalog.host();
        catalog.changesets(catalog.repo(busy), 20);
        catalog.changesets(catalog.repo(quiet), 20);
        // the busy host's backlog is much older
        database.execute("""
                UPDATE changeset_sync_state SET enqueued_at = now() - interval '1 day'
                 WHERE code_host_id = %d""".formatted(busy.id()));

        List<Claim> claims = queue.claim("w1", 10, ofSeconds(30));

        assertThat(claims.stream().filter(c -> c.target().codeHostId() == busy.id())).hasSize(5);
        assertThat(claims.stream().filter(c -> c.target().codeHostId() == quiet.id())).hasSize(5);
    }

    @Test
    void aHostLeftOutByTheReplicaIsNotClaimed() {
        CodeHost slow = catalog.host();
        CodeHost fast = catalog.host();
        catalog.changesets(catalog.repo(slow), 5);
        catalog.changesets(catalog.repo(fast), 5);

        assertThat(queue.claim("w1", 10, ofSeconds(30), Set.of(slow.id())))
                .allSatisfy(c -> assertThat(c.target().codeHostId()).isEqualTo(fast.id()))
                .hasSize(5);
    }

    @Test
    void aRateLimitedSyncPausesItsHostForEveryReplicaAndIsGivenBackWithoutAFailure() {
        CodeHost limited = catalog.host();
        CodeHost other = catalog.host();
        catalog.changesets(catalog.repo(limited), 3);
        catalog.changesets(catalog.repo(other), 3);
        Claim claim = queue.claim("w1", 1, ofSeconds(30), Set.of(other.id())).getFirst();
        long hostId = limited.id();

        assertThat(queue.defer(List.of(new Deferral(claim.ref(), hostId, ofMinutes(5), null,
                "simulated 429 Too Many Requests")))).containsExactly(claim.changesetId());

        assertThat(queue.claim("w2", 10, ofSeconds(30)))
                .allSatisfy(c -> assertThat(c.target().codeHostId()).isNotEqualTo(hostId));
        Record summary = summary(hostId);
        assertThat(summary.get("paused_until", Instant.class)).isAfter(Instant.now().plus(ofMinutes(4)));
        assertThat(summary.get("pause_reason", String.class)).isEqualTo("simulated 429 Too Many Requests");
        Record state = database.dsl().fetchSingle("SELECT * FROM changeset_sync_state WHERE changeset_id = " + claim.changesetId());
        assertThat(state.get("failures", Integer.class)).isZero();
        assertThat(state.get("claim_token", Long.class)).isNull();
        assertThat(queue.nextClaimDelay()).as("the other host's rows are all claimed; the paused host waits")
                .hasValueSatisfying(d -> assertThat(d).isGreaterThan(ofMinutes(4)));
    }

    @Test
    void aHostThatReportsItsQuotaSpentIsPausedUntilItsReset() {
        CodeHost host = limitedHost(5000, null, null);
        catalog.changesets(catalog.repo(host), 3);
        Instant reset = Instant.now().plus(ofMinutes(30));

        queue.observe(List.of(new RateLimitObservation(host.id(), new RateLimitStatus(5000L, 0L, reset))));

        Record summary = summary(host);
        assertThat(summary.get("paused_until", Instant.class)).isCloseTo(reset, org.assertj.core.api.Assertions.within(
                1, java.time.temporal.ChronoUnit.SECONDS));
        assertThat(summary.get("pause_reason", String.class)).contains("no requests left");
        assertThat(summary.get("host_reported_remaining", Long.class)).isZero();
        assertThat(queue.claim("w1", 10, ofSeconds(30))).isEmpty();
    }

    @Test
    void ourBucketNeverHoldsMoreThanTheHostSaysRemains() {
        CodeHost host = limitedHost(36_000, 100, null);
        catalog.changesets(catalog.repo(host), 20);

        queue.observe(List.of(
                new RateLimitObservation(host.id(), new RateLimitStatus(5000L, 50L, Instant.now().plus(ofMinutes(30)))),
                new RateLimitObservation(host.id(), new RateLimitStatus(5000L, 4L, Instant.now().plus(ofMinutes(30))))));

        assertThat(summary(host).get("budget_left", Double.class)).isBetween(4.0, 4.5);
        assertThat(queue.claim("w1", 20, ofSeconds(30))).hasSize(4);
    }

    @Test
    void aNewLimitSetInSqlAppliesAtTheNextClaim() {
        CodeHost host = catalog.host();
        catalog.changesets(catalog.repo(host), 10);
        database.execute("UPDATE code_hosts SET requests_per_hour = 3600, request_burst = 2 WHERE id = " + host.id());

        assertThat(queue.claim("w1", 10, ofSeconds(30))).hasSize(2);
    }

    @Test
    void newHostsGetTheirKindsDefaultBudget() {
        CodeHost github = catalog.store().createCodeHost("gh-defaults", CodeHostKind.GITHUB, "https://api.github.com",
                ScheduleSettings.DEFAULTS);
        CodeHost simulated = catalog.host();

        assertThat(catalog.store().rateLimits(github.id()).orElseThrow().requestsPerHour()).isEqualTo(5000);
        assertThat(summary(github).get("budget_left", Double.class)).as("a full bucket: a minute's worth")
                .isCloseTo(5000 / 60.0, org.assertj.core.data.Offset.offset(0.1));
        assertThat(catalog.store().rateLimits(simulated.id()).orElseThrow().requestsPerHour()).isNull();
    }

    @Test
    void invalidLimitsAreRejectedByNamedConstraints() {
        CodeHost host = catalog.host();
        assertThatThrownBy(() -> catalog.store().updateRateLimits(host.id(), new RateLimitSettings(0, null, 1, null)))
                .isInstanceOfSatisfying(SchemaViolation.class,
                        v -> assertThat(v.constraint()).isEqualTo("code_hosts_requests_per_hour_positive"));
        assertThatThrownBy(() -> catalog.store().updateRateLimits(host.id(), new RateLimitSettings(100, null, 1, -1)))
                .isInstanceOfSatisfying(SchemaViolation.class,
                        v -> assertThat(v.constraint()).isEqualTo("code_hosts_max_in_flight_positive"));
    }

    @Test
    void limitsThatWouldOverflowTheClaimsArithmeticAreRefusedByNamedConstraints() {
        CodeHost host = catalog.host();

        for (String value : List.of("'NaN'", "'Infinity'", "1e-30", "0")) {
            assertThatThrownBy(() -> database.execute("UPDATE code_hosts SET requests_per_sync = " + value))
                    .as(value).hasMessageContaining("code_hosts_requests_per_sync_between_1_100th_and_10000");
        }
        assertThatThrownBy(() -> database.execute("UPDATE code_hosts SET requests_per_hour = 2147483647"))
                .hasMessageContaining("code_hosts_requests_per_hour_at_most_100_million");
        assertThatThrownBy(() -> database.execute("UPDATE code_hosts SET request_burst = 2147483647"))
                .hasMessageContaining("code_hosts_request_burst_at_most_10_million");
        assertThat(catalog.store().rateLimits(host.id()).orElseThrow().requestsPerSync()).isEqualTo(1.0);
    }

    @Test
    void oneHostsExtremeLimitsOrReportsNeverStopAnotherHostsClaims() {
        CodeHost extreme = limitedHost(100_000_000, 10_000_000, null);
        CodeHost liar = limitedHost(5000, null, null);
        CodeHost ordinary = catalog.host();
        database.execute("UPDATE code_hosts SET requests_per_sync = 0.01 WHERE id = " + extreme.id());
        catalog.changesets(catalog.repo(extreme), 3);
        catalog.changesets(catalog.repo(liar), 3);
        catalog.changesets(catalog.repo(ordinary), 3);
        // a host that says it has minus nine quintillion requests left, resetting in the past
        queue.observe(List.of(new RateLimitObservation(liar.id(),
                new RateLimitStatus(5000L, -9_000_000_000_000_000_000L, Instant.parse("1970-01-01T00:00:00Z")))));

        List<Claim> claims = queue.claim("w1", 20, ofSeconds(30));

        assertThat(claims).extracting(c -> c.target().codeHostId()).contains(extreme.id(), ordinary.id());
        assertThat(database.value(Double.class, "SELECT tokens FROM code_host_budgets WHERE code_host_id = " + liar.id()))
                .as("never below zero").isEqualTo(0.0);
        assertThat(queue.nextClaimDelay()).as("the liar's bucket refills within a day")
                .hasValueSatisfying(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofDays(1)));
    }

    Instant databaseNow() {
        return database.value(Instant.class, "SELECT now()");
    }

    CodeHost limitedHost(Integer perHour, Integer burst, Integer maxInFlight) {
        CodeHost host = catalog.host();
        catalog.store().updateRateLimits(host.id(), new RateLimitSettings(perHour, burst, 1, maxInFlight));
        // a full bucket to start with, whatever the host had before
        database.execute("UPDATE code_host_budgets SET tokens = coalesce(%s, 0), refilled_at = now() WHERE code_host_id = %d"
                .formatted(burst == null ? "NULL" : burst.toString(), host.id()));
        if (burst == null && perHour != null) {
            database.execute("UPDATE code_host_budgets SET tokens = %f WHERE code_host_id = %d".formatted(perHour / 60.0, host.id()));
        }
        return host;
    }

    Record summary(CodeHost host) {
        return summary(host.id());
    }

    Record summary(long hostId) {
        return database.dsl().fetchSingle("SELECT * FROM code_host_sync_summary WHERE code_host_id = " + hostId);
    }
}
