package dev.changesetsyncer.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Several replicas drain one queue: every changeset synced exactly once, never two at a time. */
@ExtendWith(PostgresExtension.class)
class ReplicaDrainTest {
    final TestDatabase database;
    final Catalog catalog;

    ReplicaDrainTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
    }

    @Test
    void fourReplicasOfEightWorkersSyncTwentyThousandChangesetsEachExactlyOnce() {
        CodeHost host = catalog.host();
        Set<Long> seeded = new HashSet<>();
        for (int r = 0; r < 20; r++) {
            Repo repo = catalog.repo(host);
            seeded.addAll(catalog.store().createChangesets(repo.id(),
                    IntStream.rangeClosed(1, 1000).mapToObj(Integer::toString).toList()));
        }
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT.withLatency(Duration.ofMillis(1)));

        List<Replica> replicas = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            replicas.add(Replica.start(WorkerSettings.defaults("drain-" + i).withConcurrency(8).withBatchSize(32),
                    database.url(), codeHost -> simulator));
        }
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() ->
                    database.value(Long.class, "SELECT count(*) FROM changeset_sync_state "
                            + "WHERE last_synced_at IS NULL OR claim_token IS NOT NULL") == 0);
        } finally {
            replicas.forEach(Replica::stop);
        }

        Map<Long, Long> fetches = simulator.fetchCounts();
        assertThat(fetches.keySet()).isEqualTo(seeded);
        assertThat(fetches.values()).allMatch(count -> count == 1);
        assertThat(simulator.overlaps()).isZero();
        assertThat(replicas.stream().mapToLong(r -> r.metrics().snapshot().completed()).sum()).isEqualTo(20_000);
        assertThat(replicas).allSatisfy(r -> assertThat(r.metrics().snapshot().completed())
                .as("every replica took part").isPositive());
        assertThat(replicas.stream().mapToLong(r -> r.metrics().snapshot().fenced()).sum()).isZero();
        assertThat(database.value(Long.class, "SELECT count(*) FROM changesets WHERE state IS NULL")).isZero();
    }
}
