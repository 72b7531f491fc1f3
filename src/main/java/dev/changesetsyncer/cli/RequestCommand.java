package dev.changesetsyncer.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.requests.SyncRequestStore;
import java.util.List;
import java.util.concurrent.Callable;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code request}: ask for an immediate sync, the way {@code INSERT INTO sync_requests} does. */
@Command(name = "request", mixinStandardHelpOptions = true,
        description = {"Ask for an immediate sync of changesets, of a repository's changesets, or of a code host's.",
            "Equivalent SQL: INSERT INTO sync_requests (changeset_id, reason) VALUES (42, 'why');"})
final class RequestCommand implements Callable<Integer> {
    static final class Target {
        @Option(names = "--changeset", paramLabel = "ID", split = ",", description = "Changeset ids.")
        List<Long> changesets;

        @Option(names = "--repo", paramLabel = "NAME", description = "Every changeset of this repository (e.g. acme/api).")
        String repo;

        @Option(names = "--all-of-code-host", paramLabel = "NAME", description = "Every changeset of this code host.")
        String allOfCodeHost;
    }

    @Mixin
    DatabaseOptions database;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--code-host", paramLabel = "NAME", description = "With --repo: the repository's code host, when its name is ambiguous.")
    String codeHost;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why; kept with the request.")
    String reason;

    @Option(names = "--urgent", description = "Before ordinary requests (priority 2).")
    boolean urgent;

    @Option(names = "--requested-by", paramLabel = "WHO", description = "Who asks (default: $USER).")
    String requestedBy;

    @Override
    public Integer call() {
        String who = requestedBy != null ? requestedBy : System.getProperty("user.name", "changeset-syncer");
        SyncRequestStore.Priority priority = urgent ? SyncRequestStore.Priority.URGENT : SyncRequestStore.Priority.REQUESTED;
        try (HikariDataSource pool = DataSources.open(database.config("changeset-syncer-request", 1))) {
            SyncRequestStore store = new SyncRequestStore(DSL.using(pool, SQLDialect.POSTGRES));
            int requested;
            if (target.changesets != null) {
                requested = store.requestChangesets(target.changesets, reason, who, priority);
            } else if (target.repo != null) {
                requested = store.requestRepository(target.repo, codeHost, reason, who, priority);
            } else {
                requested = store.requestCodeHost(target.allOfCodeHost, reason, who, priority);
            }
            System.out.printf("requested %d %s sync%s%n", requested, urgent ? "urgent" : "immediate", requested == 1 ? "" : "s");
        }
        return 0;
    }
}
