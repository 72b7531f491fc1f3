package dev.changesetsyncer.tracking;

import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.Tracking;
import dev.changesetsyncer.codehost.CodeHostClients;
import dev.changesetsyncer.codehost.FailureKind;
import dev.changesetsyncer.codehost.RepoSnapshot;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.RepoTarget;
import java.util.Objects;

/**
 * Tracking a repository's pull requests, as the {@code track} and {@code untrack} commands do it: the
 * repository is looked up on its host (one request), stored with the host's id for it, and its next
 * repository sync (due at once) imports its pull requests; untracking stops the imports. Bad input
 * (an unknown host, a repository the host does not show, a host without a token) is refused with one
 * clear message, and nothing is stored.
 */
public final class RepositoryTracker {
    private final CatalogStore store;
    private final CodeHostClients clients;

    public RepositoryTracker(CatalogStore store, CodeHostClients clients) {
        this.store = store;
        this.clients = clients;
    }

    /** What {@link #track} stored. */
    public record Tracked(CodeHost host, long repoId, RepoSnapshot repository, Tracking state, boolean inserted) {}

    /**
     * @param path as {@code repos.name}: {@code owner/repo}, {@code group/subgroup/project}, {@code PROJECT/slug}
     * @throws IllegalArgumentException for an unknown host, a repository not found, a host without a token
     * @throws IllegalStateException when the host could not be asked (down, rate-limited, ...)
     */
    public Tracked track(String codeHostName, String path, Tracking state) throws InterruptedException {
        Objects.requireNonNull(state, "state");
        if (state == Tracking.NONE) {
            throw new IllegalArgumentException("track imports open or all pull requests; to stop, use untrack");
        }
        CodeHost host = host(codeHostName);
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("say which repository to track, e.g. owner/repo");
        }
        if (host.kind() == CodeHostKind.SIMULATED) {
            throw new IllegalArgumentException("code host " + host.name() + " is simulated: it has no API to look "
                    + "repositories up in (UPDATE repos SET track_changesets = '" + state.sqlName() + "' does it in SQL)");
        }
        RepoSyncResult answer = clients.forHost(host).syncRepository(RepoTarget.lookup(host, path.strip()));
        return switch (answer) {
            case RepoSyncResult.Found found when found.repository() != null -> {
                RepoSnapshot repository = found.repository();
                CatalogStore.Tracked stored = store.track(host.id(), repository.externalId(), repository.name(),
                        repository.archived(), state);
                yield new Tracked(host, stored.repo().id(), repository, state, stored.inserted());
            }
            case RepoSyncResult.Found found -> throw new IllegalStateException(host.name()
                    + " answered the look-up of " + path + " with 304 Not Modified, without asking for it");
            case RepoSyncResult.NotFound notFound -> throw new IllegalArgumentException("repository " + path
                    + " not found on code host " + host.name() + " (or its token cannot see it): " + notFound.message());
            case RepoSyncResult.Failed failed when failed.kind() == FailureKind.UNCONFIGURED
                    || failed.kind() == FailureKind.UNAUTHORIZED -> throw new IllegalArgumentException(failed.message());
            case RepoSyncResult.Failed failed -> throw new IllegalStateException("could not look " + path + " up on "
                    + host.name() + ": " + failed.message());
        };
    }

    /**
     * Stops importing; the repository's changesets stay, unless {@code deleteChangesets}.
     *
     * @throws IllegalArgumentException for an unknown host or repository
     */
    public CatalogStore.Untracked untrack(String codeHostName, String path, boolean deleteChangesets) {
        CodeHost host = host(codeHostName);
        return store.untrack(host.id(), path.strip(), deleteChangesets).orElseThrow(() -> new IllegalArgumentException(
                "no repository " + path + " on code host " + host.name()));
    }

    private CodeHost host(String codeHostName) {
        if (codeHostName == null || codeHostName.isBlank()) {
            throw new IllegalArgumentException("say which code host with --code-host");
        }
        return store.findCodeHost(codeHostName)
                .orElseThrow(() -> new IllegalArgumentException("no code host named " + codeHostName));
    }
}
