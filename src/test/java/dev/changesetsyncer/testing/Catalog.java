package dev.changesetsyncer.testing;

import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.catalog.ScheduleSettings;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Test shorthand for registering hosts, repositories and changesets with unique names. Repositories
 * made by {@link #repo} look read just now (their next repository sync is {@code repo_sync_interval}
 * away), so that tests about changesets claim changesets only; {@link #repoNeverRead} makes one due
 * at once, as a new repository is.
 */
public final class Catalog {
    private static final AtomicInteger sequence = new AtomicInteger();
    private final TestDatabase database;
    private final CatalogStore store;

    public Catalog(TestDatabase database) {
        this.database = database;
        this.store = new CatalogStore(database.dsl());
    }

    public CatalogStore store() {
        return store;
    }

    public CodeHost host() {
        return host(ScheduleSettings.DEFAULTS);
    }

    public CodeHost host(ScheduleSettings settings) {
        int n = sequence.incrementAndGet();
        return store.createCodeHost("host-" + n, CodeHostKind.SIMULATED, "http://simulated-" + n + ".test", settings);
    }

    public Repo repo(CodeHost host) {
        Repo repo = repoNeverRead(host);
        database.execute("UPDATE repo_sync_state SET last_synced_at = now(), last_attempt_at = now() WHERE repo_id = "
                + repo.id());
        return repo;
    }

    /** A repository as {@code INSERT INTO repos} makes it: due for its first repository sync at once. */
    public Repo repoNeverRead(CodeHost host) {
        int n = sequence.incrementAndGet();
        return store.createRepo(host.id(), "repo-" + n, "org/repo-" + n);
    }

    /** {@code count} changesets numbered 1..count. */
    public List<Long> changesets(Repo repo, int count) {
        return store.createChangesets(repo.id(), IntStream.rangeClosed(1, count).mapToObj(Integer::toString).toList());
    }

    public long changeset(Repo repo) {
        return changesets(repo, 1).getFirst();
    }
}
