package dev.changesetsyncer.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.tracking.RepositoryTracker;
import java.util.concurrent.Callable;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code untrack}: stop importing a repository's pull requests. */
@Command(name = "untrack", mixinStandardHelpOptions = true,
        description = {"Stop importing a repository's pull requests. Its changesets stay (and keep being synced), "
                + "unless --delete-changesets.",
            "The same in SQL: UPDATE repos SET track_changesets = 'none' WHERE name = '...';"})
final class UntrackCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--code-host", required = true, paramLabel = "NAME", description = "The code host (code_hosts.name).")
    String codeHost;

    @Parameters(index = "0", paramLabel = "PATH", description = "The repository, as in repos.name.")
    String path;

    @Option(names = "--delete-changesets", description = "Also delete its changesets (their events and requests too).")
    boolean deleteChangesets;

    @Override
    public Integer call() {
        try (HikariDataSource pool = DataSources.open(database.config("changeset-syncer-untrack", 1))) {
            CatalogStore store = new CatalogStore(DSL.using(pool, SQLDialect.POSTGRES));
            CatalogStore.Untracked untracked = new RepositoryTracker(store, host -> {
                throw new IllegalStateException("untrack asks no code host");
            }).untrack(codeHost, path, deleteChangesets);
            System.out.printf("stopped tracking %s on %s; %s%n", untracked.repo().name(), codeHost, deleteChangesets
                    ? "deleted its " + untracked.changesetsDeleted() + " changesets"
                    : "its changesets stay (--delete-changesets removes them)");
        }
        return 0;
    }
}
