package dev.changesetsyncer.demo;

import dev.changesetsyncer.simulation.SimulatedRepositories;
import java.io.PrintStream;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * The demo's archived repository: archived on the simulated host (not in the database), found by a
 * repository sync, whose flip asks for a bulk sync of every changeset of the repository; then those
 * syncs make them read-only. Says what happens, as it happens.
 */
final class DemoArchiving {
    private final DSLContext dsl;
    private final PrintStream out;
    private final SimulatedRepositories repositories;
    private Long repoId;
    private String name;
    private long archivedAtNanos;
    private boolean found;
    private boolean done;

    DemoArchiving(DSLContext dsl, PrintStream out, SimulatedRepositories repositories) {
        this.dsl = dsl;
        this.out = out;
        this.repositories = repositories;
    }

    void archiveOnTheHost() {
        Record repo = dsl.fetchOptional("SELECT id, external_id, name FROM repos WHERE NOT archived ORDER BY id LIMIT 1")
                .orElse(null);
        if (repo == null) {
            return;
        }
        repoId = repo.get("id", Long.class);
        name = repo.get("name", String.class);
        repositories.archive(repo.get("external_id", String.class), true);
        archivedAtNanos = System.nanoTime();
        out.printf("        >> archived %s on the simulated code host (not in the database): its next repository sync "
                + "will find it%n", name);
    }

    /** Once a second: the flip, then the changesets made read-only. */
    void reportProgress() {
        if (repoId == null || done) {
            return;
        }
        if (!found) {
            Record flip = dsl.fetchOne("""
                    SELECT r.archived,
                           (SELECT count(*) FROM sync_requests q JOIN changesets c ON c.id = q.changeset_id
                             WHERE c.repo_id = r.id AND q.reason = 'repository ' || r.name || ' was archived') AS requested
                      FROM repos r
                     WHERE r.id = ?""", repoId);
            if (flip != null && flip.get("archived", Boolean.class)) {
                found = true;
                out.printf("        >> a repository sync found %s archived %.1f s later: the flip asked for a bulk sync of "
                                + "its %d changesets (claimed alongside routine syncs, after any user request)%n", name,
                        (System.nanoTime() - archivedAtNanos) / 1e9, flip.get("requested", Long.class));
            }
            return;
        }
        // a changeset the simulated host deleted meanwhile is gone, never read-only: it is settled too
        Record progress = dsl.fetchOne("""
                SELECT count(*) FILTER (WHERE c.state = 'read_only') AS read_only,
                       count(*) FILTER (WHERE c.state <> 'read_only' AND s.gone_at IS NOT NULL) AS gone,
                       count(*) AS total
                  FROM changesets c JOIN changeset_sync_state s ON s.changeset_id = c.id
                 WHERE c.repo_id = ?""", repoId);
        long readOnly = progress.get("read_only", Long.class);
        long gone = progress.get("gone", Long.class);
        long total = progress.get("total", Long.class);
        if (readOnly + gone == total) {
            done = true;
            out.printf("        >> all %d changesets of %s synced since: read-only%s, %.1f s after the archiving%n", total,
                    name, gone == 0 ? "" : " (" + gone + " deleted on the host: gone)",
                    (System.nanoTime() - archivedAtNanos) / 1e9);
        }
    }
}
