package dev.changesetsyncer.worker;

import static java.time.Duration.ofHours;
import static java.time.Duration.ofMillis;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.RateLimitSettings;
import dev.changesetsyncer.codehost.CodeHostClient;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replicas together respect each host's limits, and one host's trouble does not hold up the others.
 * No test here depends on how fast the machine is: the test fills the bucket, holds syncs in flight
 * and lifts pauses itself, and checks that nothing more happens while every replica has claimed again
 * (the refill over time is pinned, with a set clock, by {@code RateLimitsTest}).
 */
@ExtendWith(PostgresExtension.class)
class RateLimitedReplicasTest {
    final TestDatabase database;
    final Catalog catalog;
    final List<Replica> replicas = new ArrayList<>();

    RateLimitedReplicasTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
    }

    @BeforeEach
    void emptyQueue() {
        database.truncateAll();
    }

    @Test
    void fourReplicasTogetherSpendNoMoreThanTheHostsBucketHolds() {
        CodeHost host = catalog.host();
        // a bucket of 4 that refills one request an hour: only the test fills it
        catalog.store().updateRateLimits(host.id(), new RateLimitSettings(1, 4, 1, null));
        catalog.changesets(catalog.repo(host), 24);
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT);

        try {
            for (int i = 1; i <= 4; i++) {
                start("limited-" + i, Map.of(host.id(), simulator));
            }
            for (long spent = 4; spent <= 24; spent += 4) {
                long expected = spent;
                await().atMost(ofSeconds(60)).until(() -> synced(host) == expected);
                afterEveryReplicaClaimedTwiceMore();
                assertThat(synced(host)).as("synced with %d tokens", spent).isEqualTo(spent);
                assertThat(leased(host)).isZero();
                database.execute("UPDATE code_host_budgets SET tokens = tokens + 4 WHERE code_host_id = " + host.id());
            }
        } finally {
            replicas.forEach(Replica::stop);
        }
        assertThat(simulator.fetchCounts().values()).hasSize(24).allMatch(n -> n == 1);
        assertThat(simulator.overlaps()).isZero();
    }

    @Test
    void aHostAnswering429IsLeftAloneUntilItsPauseEndsWhileOtherHostsKeepSyncing() {
        CodeHost throttled = catalog.host();
        CodeHost healthy = catalog.host();
        catalog.changesets(catalog.repo(throttled), 50);
        catalog.changesets(catalog.repo(healthy), 200);
        SimulatedCodeHost refusing = new SimulatedCodeHost(SimulationSettings.DEFAULT);
        SimulatedCodeHost fine = new SimulatedCodeHost(SimulationSettings.DEFAULT);
        refusing.rateLimitFor(ofHours(1)); // 429s with a Retry-After of an hour, until the test says otherwise

        try {
            start("r1", Map.of(throttled.id(), refusing, healthy.id(), fine));
            start("r2", Map.of(throttled.id(), refusing, healthy.id(), fine));
            await().atMost(ofSeconds(60)).until(() -> synced(healthy) == 200);
            assertThat(pausedFor(throttled)).as("paused until its Retry-After").isGreaterThan(ofMinutes(50));

            // every claim made before the pause was written has ended (each replica claims one batch
            // at a time), and what it took from the paused host has been refused and given back...
            afterEveryReplicaClaimedTwiceMore();
            await().atMost(ofSeconds(30)).until(() -> leased(throttled) == 0);
            long refused = refusing.refusals();
            afterEveryReplicaClaimedTwiceMore();
            // ...and no claim since has touched the paused host
            assertThat(refusing.refusals()).isEqualTo(refused);
            assertThat(synced(throttled)).isZero();

            refusing.rateLimitFor(Duration.ZERO);
            database.execute("UPDATE code_host_budgets SET paused_until = now() WHERE code_host_id = " + throttled.id());
            await().atMost(ofSeconds(60)).until(() -> synced(throttled) == 50);
        } finally {
            replicas.forEach(Replica::stop);
        }
        assertThat(database.value(Long.class, "SELECT sum(failures) FROM changeset_sync_state WHERE code_host_id = "
                + throttled.id())).as("a rate limit is not the changesets' fault").isZero();
    }

    @Test
    void aSlowHostDoesNotHoldUpAFastOne() {
        CodeHost slow = catalog.host();
        CodeHost fast = catalog.host();
        catalog.changesets(catalog.repo(slow), 100);
        catalog.changesets(catalog.repo(fast), 100);
        SimulatedCodeHost stuck = new SimulatedCodeHost(SimulationSettings.DEFAULT);
        stuck.hold(); // its fetches never finish while the test runs
        SimulatedCodeHost instant = new SimulatedCodeHost(SimulationSettings.DEFAULT);

        try {
            start("fair", Map.of(slow.id(), stuck, fast.id(), instant));
            await().atMost(ofSeconds(60)).until(() -> synced(fast) == 100);
            assertThat(stuck.running()).as("the slow host holds slots all along").isPositive();
            assertThat(synced(slow)).isZero();
        } finally {
            replicas.forEach(Replica::stop);
        }
    }

    @Test
    void theConcurrencyCapHoldsAcrossReplicas() {
        CodeHost host = catalog.host();
        catalog.store().updateRateLimits(host.id(), new RateLimitSettings(null, null, 1, 3));
        catalog.changesets(catalog.repo(host), 80);
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT);
        simulator.hold();

        try {
            for (int i = 1; i <= 4; i++) {
                start("capped-" + i, Map.of(host.id(), simulator));
            }
            await().atMost(ofSeconds(30)).until(() -> simulator.running() == 3);
            afterEveryReplicaClaimedTwiceMore();
            assertThat(simulator.running()).as("three at a time, whoever claims").isEqualTo(3);
            assertThat(leased(host)).isEqualTo(3);

            simulator.release();
            await().atMost(ofSeconds(60)).until(() -> synced(host) == 80);
        } finally {
            replicas.forEach(Replica::stop);
        }
        assertThat(simulator.maxConcurrent()).isEqualTo(3);
        assertThat(simulator.overlaps()).isZero();
    }

    void start(String workerId, Map<Long, CodeHostClient> clients) {
        WorkerSettings settings = WorkerSettings.defaults(workerId).withConcurrency(8).withBatchSize(16)
                .withPollInterval(ofMillis(200)).withShutdownGrace(ofMillis(100));
        replicas.add(Replica.start(settings, database.url(), host -> clients.get(host.id())));
    }

    /** Waits until each replica has made two more claims: whatever they could claim now, they have. */
    void afterEveryReplicaClaimedTwiceMore() {
        for (Replica replica : replicas) {
            long before = replica.metrics().snapshot().claimCalls();
            await().atMost(ofSeconds(30)).until(() -> replica.metrics().snapshot().claimCalls() >= before + 2);
        }
    }

    long synced(CodeHost host) {
        return database.value(Long.class, "SELECT count(*) FROM changeset_sync_state WHERE last_synced_at IS NOT NULL "
                + "AND claim_token IS NULL AND code_host_id = " + host.id());
    }

    long leased(CodeHost host) {
        return database.value(Long.class, "SELECT count(*) FROM changeset_sync_state WHERE claim_token IS NOT NULL "
                + "AND code_host_id = " + host.id());
    }

    Duration pausedFor(CodeHost host) {
        return Duration.ofSeconds(database.value(Long.class,
                "SELECT extract(epoch FROM paused_until - now())::bigint FROM code_host_budgets WHERE code_host_id = "
                        + host.id()));
    }
}
