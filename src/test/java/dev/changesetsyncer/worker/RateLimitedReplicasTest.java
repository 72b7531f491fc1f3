package dev.changesetsyncer.worker;

import static java.time.Duration.ofMillis;
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

/** Replicas together respect each host's limits, and one host's trouble does not hold up the others. */
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
    void fourReplicasTogetherStayWithinTheHostsRequestRate() {
        CodeHost host = catalog.host();
        catalog.store().updateRateLimits(host.id(), new RateLimitSettings(7200, 4, 1, null)); // 2/s, 4 at once
        catalog.changesets(catalog.repo(host), 24);
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT);
        simulator.recordCallTimes();

        try {
            for (int i = 1; i <= 4; i++) {
                start("limited-" + i, Map.of(host.id(), simulator));
            }
            await().atMost(ofSeconds(60)).until(() -> synced(host) == 24);
        } finally {
            replicas.forEach(Replica::stop);
        }

        // a token bucket of 4 refilled at 2/s allows at most 4 + 2·t requests in any t seconds
        List<Long> times = simulator.callTimes().stream().sorted().toList();
        assertThat(times).hasSize(24);
        for (int i = 0; i < times.size(); i++) {
            for (int j = i; j < times.size(); j++) {
                double seconds = (times.get(j) - times.get(i)) / 1e9;
                int requests = j - i + 1;
                assertThat(requests).as("requests %d..%d within %.2f s", i, j, seconds)
                        .isLessThanOrEqualTo((int) Math.floor(4 + 2 * seconds) + 1); // +1: clock jitter between claim and fetch
            }
        }
        assertThat(simulator.fetchCounts().values()).allMatch(n -> n == 1);
    }

    @Test
    void aHostAnswering429IsLeftAloneUntilItsRetryAfterWhileOtherHostsKeepSyncing() {
        CodeHost throttled = catalog.host();
        CodeHost healthy = catalog.host();
        catalog.changesets(catalog.repo(throttled), 50);
        catalog.changesets(catalog.repo(healthy), 200);
        SimulatedCodeHost refusing = new SimulatedCodeHost(SimulationSettings.DEFAULT);
        SimulatedCodeHost fine = new SimulatedCodeHost(SimulationSettings.DEFAULT);
        refusing.recordCallTimes();
        Duration window = ofSeconds(4);
        refusing.rateLimitFor(window);
        long windowEnds = System.nanoTime() + window.toNanos();

        try {
            start("r1", Map.of(throttled.id(), refusing, healthy.id(), fine));
            start("r2", Map.of(throttled.id(), refusing, healthy.id(), fine));
            await().atMost(ofSeconds(20)).until(() -> synced(healthy) == 200);
            assertThat(System.nanoTime()).as("the healthy host finished while the other was paused").isLessThan(windowEnds);
            await().atMost(ofSeconds(30)).until(() -> synced(throttled) == 50);
        } finally {
            replicas.forEach(Replica::stop);
        }

        List<Long> calls = refusing.callTimes().stream().sorted().toList();
        long firstRefusal = calls.getFirst();
        long settled = firstRefusal + ofMillis(500).toNanos(); // calls claimed before the pause was written
        assertThat(calls.stream().filter(t -> t > settled && t < windowEnds - ofMillis(200).toNanos()))
                .as("no call between the pause and the end of Retry-After").isEmpty();
        assertThat(database.value(Long.class, "SELECT sum(failures) FROM changeset_sync_state WHERE code_host_id = "
                + throttled.id())).as("a rate limit is not the changesets' fault").isZero();
    }

    @Test
    void aSlowHostDoesNotHoldUpAFastOne() {
        CodeHost slow = catalog.host();
        CodeHost fast = catalog.host();
        catalog.changesets(catalog.repo(slow), 100);
        catalog.changesets(catalog.repo(fast), 100);
        SimulatedCodeHost fiveSeconds = new SimulatedCodeHost(SimulationSettings.DEFAULT.withLatency(ofSeconds(5)));
        SimulatedCodeHost instant = new SimulatedCodeHost(SimulationSettings.DEFAULT);

        try {
            start("fair", Map.of(slow.id(), fiveSeconds, fast.id(), instant));
            await().atMost(ofSeconds(30)).until(() -> synced(fast) == 100);
            assertThat(synced(slow)).as("the slow host had barely started").isLessThan(10);
        } finally {
            replicas.forEach(Replica::stop);
        }
    }

    @Test
    void theConcurrencyCapHoldsAcrossReplicas() {
        CodeHost host = catalog.host();
        catalog.store().updateRateLimits(host.id(), new RateLimitSettings(null, null, 1, 3));
        catalog.changesets(catalog.repo(host), 80);
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT.withLatency(ofMillis(30)));

        try {
            for (int i = 1; i <= 4; i++) {
                start("capped-" + i, Map.of(host.id(), simulator));
            }
            await().atMost(ofSeconds(60)).until(() -> synced(host) == 80);
        } finally {
            replicas.forEach(Replica::stop);
        }
        assertThat(simulator.maxConcurrent()).isBetween(2, 3);
        assertThat(simulator.overlaps()).isZero();
    }

    void start(String workerId, Map<Long, CodeHostClient> clients) {
        WorkerSettings settings = WorkerSettings.defaults(workerId).withConcurrency(8).withBatchSize(16)
                .withPollInterval(ofMillis(500));
        replicas.add(Replica.start(settings, database.url(), host -> clients.get(host.id())));
    }

    long synced(CodeHost host) {
        return database.value(Long.class, "SELECT count(*) FROM changeset_sync_state WHERE last_synced_at IS NOT NULL "
                + "AND claim_token IS NULL AND code_host_id = " + host.id());
    }
}
