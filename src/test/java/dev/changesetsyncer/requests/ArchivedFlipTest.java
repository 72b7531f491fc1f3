package dev.changesetsyncer.requests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.NotificationListener;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Flipping repos.archived, and only that, requests a bulk sync of every changeset of the repository. */
@ExtendWith(PostgresExtension.class)
class ArchivedFlipTest {
    final TestDatabase database;
    final Catalog catalog;
    Repo repo;
    Repo neighbour;

    ArchivedFlipTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
    }

    @BeforeEach
    void twoSyncedRepositoriesOnOneHost() {
        CodeHost host = catalog.host();
        repo = catalog.repo(host);
        neighbour = catalog.repo(host);
        catalog.changesets(repo, 12);
        catalog.changesets(neighbour, 5);
        database.execute("""
                UPDATE changeset_sync_state SET last_synced_at = now(), last_attempt_at = now(),
                       synced_updated_at = now() - interval '3 hours'
                 WHERE code_host_id = %d""".formatted(host.id()));
    }

    @Test
    void archivingRequestsABulkSyncOfEachChangesetOnce() throws Exception {
        try (NotificationListener listener = new NotificationListener(database.url(), "changeset_sync_due")) {
            database.execute("UPDATE repos SET archived = true WHERE id = " + repo.id());

            assertThat(listener.collect(300)).hasSize(1);
        }
        assertThat(requestsFor(repo)).isEqualTo(12);
        assertThat(database.value(Long.class, """
                SELECT count(DISTINCT q.changeset_id) FROM sync_requests q JOIN changesets c ON c.id = q.changeset_id
                 WHERE c.repo_id = %d AND q.priority = 0 AND q.reason = 'repository %s was archived'"""
                .formatted(repo.id(), repo.name()))).as("one bulk request per changeset").isEqualTo(12);
        assertThat(database.value(Long.class, """
                SELECT count(*) FROM changeset_schedule
                 WHERE repo_id = %d AND due AND priority = 0 AND rule = 'bulk request'""".formatted(repo.id())))
                .isEqualTo(12);
        assertThat(requestsFor(neighbour)).isZero();
        assertThat(database.value(Long.class,
                "SELECT count(*) FROM changeset_schedule WHERE due AND repo_id = " + neighbour.id())).isZero();
    }

    @Test
    void unarchivingSaysSo() {
        database.execute("UPDATE repos SET archived = true WHERE id = " + repo.id());
        database.execute("UPDATE repos SET archived = false WHERE id = " + repo.id());

        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE reason = 'repository %s was unarchived'"
                .formatted(repo.name()))).isEqualTo(12);
    }

    @Test
    void otherUpdatesOfTheRepositoryDoNothing() throws Exception {
        try (NotificationListener listener = new NotificationListener(database.url(), "changeset_sync_due")) {
            database.execute("UPDATE repos SET name = name || '-renamed' WHERE id = " + repo.id());
            database.execute("UPDATE repos SET archived = false WHERE id = " + repo.id()); // unchanged value

            assertThat(listener.collect(200)).isEmpty();
        }
        assertThat(requestsFor(repo)).isZero();
        assertThat(database.value(Long.class, "SELECT count(*) FROM changeset_schedule WHERE due AND repo_id = " + repo.id()))
                .isZero();
    }

    @Test
    void flippingSeveralRepositoriesInOneStatementWakesWorkersOnce() throws Exception {
        try (NotificationListener listener = new NotificationListener(database.url(), "changeset_sync_due")) {
            database.execute("UPDATE repos SET archived = true WHERE id IN (%d, %d)".formatted(repo.id(), neighbour.id()));

            assertThat(listener.collect(300)).hasSize(1);
        }
        assertThat(requestsFor(repo) + requestsFor(neighbour)).isEqualTo(17);
    }

    long requestsFor(Repo r) {
        return database.value(Long.class,
                "SELECT count(*) FROM sync_requests q JOIN changesets c ON c.id = q.changeset_id WHERE c.repo_id = " + r.id());
    }
}
