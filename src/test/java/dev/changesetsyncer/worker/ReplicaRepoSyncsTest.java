package dev.changesetsyncer.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.Replicas;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Repository syncs run by replicas: two replicas re-read twenty repositories every second and never
 * read one at the same time; a repository archived on the host is found by a repository sync and its
 * changesets become read-only.
 */
@ExtendWith(PostgresExtension.class)
class ReplicaRepoSyncsTest {
    final TestDatabase database;
    final Catalog catalog;

    ReplicaRepoSyncsTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
    }

    @Test
    void twoReplicasNeverSyncOneRepositoryAtOnce() {
        CodeHost host = catalog.host();
        catalog.store().updateRepoSyncInterval(host.id(), Duration.ofSeconds(1));
        for (int i = 0; i < 20; i++) {
            catalog.repoNeverRead(host);
        }
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT.withLatency(Duration.ofMillis(30)));

        try (Replicas replicas = new Replicas(database)) {
            List<Replica> started = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                started.add(replicas.start(WorkerSettings.defaults("repos-" + i).withConcurrency(16)
                        .withPollInterval(Duration.ofMillis(200)), simulator));
            }
            await().atMost(Duration.ofMinutes(1)).until(() -> simulator.repositories().reads() >= 100);
            assertThat(started).allSatisfy(r -> assertThat(r.repoSyncsWritten()).as("both took part").isPositive());
        }

        assertThat(simulator.repositories().overlaps()).isZero();
        assertThat(database.value(Long.class, "SELECT count(*) FROM repo_sync_state WHERE last_synced_at IS NULL")).isZero();
        assertThat(database.value(Long.class, "SELECT count(*) FROM repo_sync_state WHERE failures > 0")).isZero();
    }

    @Test
    void aRepositoryArchivedOnTheHostIsFoundByARepositorySyncAndItsChangesetsBecomeReadOnly() {
        CodeHost host = catalog.host();
        catalog.store().updateRepoSyncInterval(host.id(), Duration.ofSeconds(1));
        Repo repo = catalog.repo(host);
        List<Long> ids = catalog.changesets(repo, 5);
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT);

        try (Replicas replicas = new Replicas(database)) {
            replicas.start(WorkerSettings.defaults("repos-1").withPollInterval(Duration.ofMillis(200)), simulator);
            await().atMost(Duration.ofMinutes(1)).until(() -> database.value(Long.class,
                    "SELECT count(*) FROM changesets WHERE state IS NOT NULL AND repo_id = " + repo.id()) == 5);

            simulator.repositories().archive(repo.externalId(), true);

            await().atMost(Duration.ofMinutes(1)).until(() -> database.value(Long.class,
                    "SELECT count(*) FROM changesets WHERE state = 'read_only' AND repo_id = " + repo.id()) == 5);
        }
        assertThat(database.value(Boolean.class, "SELECT archived FROM repos WHERE id = " + repo.id())).isTrue();
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE priority = 0 AND reason = "
                + "'repository %s was archived'".formatted(repo.name()))).isEqualTo(ids.size());
    }
}
