package dev.changesetsyncer.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.Tracking;
import dev.changesetsyncer.codehost.CodeHostCredentials;
import dev.changesetsyncer.codehost.hosts.RealCodeHosts;
import dev.changesetsyncer.codehost.http.HostHttp;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.tracking.RepositoryTracker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code track}: import a repository's pull requests as changesets, now and from every later repository sync. */
@Command(name = "track", mixinStandardHelpOptions = true,
        description = {"Track a repository's pull requests: look it up on its code host, store it, and let the next "
                + "repository sync (due at once) import its pull requests; every later sync imports new ones.",
            "The same in SQL: UPDATE repos SET track_changesets = 'open' WHERE name = '...';"})
final class TrackCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--code-host", required = true, paramLabel = "NAME", description = "The code host (code_hosts.name).")
    String codeHost;

    @Parameters(index = "0", paramLabel = "PATH",
            description = "owner/repo on GitHub, group/subgroup/project on GitLab, PROJECT/slug on Bitbucket Server.")
    String path;

    @Option(names = "--state", paramLabel = "open|all", defaultValue = "open",
            description = "Which pull requests to import (default: ${DEFAULT-VALUE}).")
    String state;

    @Option(names = "--tokens-file", paramLabel = "FILE",
            description = "Code-host tokens as <code host name>=<token> lines (default: $SYNCER_TOKENS_FILE; "
                    + "SYNCER_TOKEN_<NAME> variables override it).")
    Path tokensFile;

    @Override
    public Integer call() throws InterruptedException {
        Tracking tracking = switch (state.toLowerCase(Locale.ROOT)) {
            case "open" -> Tracking.OPEN;
            case "all" -> Tracking.ALL;
            default -> throw new IllegalArgumentException("--state takes open or all, not " + state);
        };
        Path tokens = tokensFile != null ? tokensFile
                : System.getenv("SYNCER_TOKENS_FILE") == null ? null : Path.of(System.getenv("SYNCER_TOKENS_FILE"));
        CodeHostCredentials credentials = CodeHostCredentials.load(System.getenv(), tokens);
        try (HikariDataSource pool = DataSources.open(database.config("changeset-syncer-track", 1))) {
            CatalogStore store = new CatalogStore(DSL.using(pool, SQLDialect.POSTGRES));
            // a missing token is a plain error here, not a worker's warning
            store.findCodeHost(codeHost).ifPresent(host -> {
                if (host.kind() != CodeHostKind.SIMULATED
                        && credentials.tokenFor(host.name()).isEmpty()) {
                    throw new IllegalArgumentException("no token for code host \"" + host.name() + "\": set "
                            + CodeHostCredentials.variableFor(host.name()) + " or add it to the tokens file");
                }
            });
            HostHttp http = new HostHttp(new HostHttp.Settings(Duration.ofSeconds(5), Duration.ofSeconds(20), 3));
            RepositoryTracker.Tracked tracked = new RepositoryTracker(store, RealCodeHosts.registry(credentials, http))
                    .track(codeHost, path, tracking);
            System.out.printf("tracking the %s pull requests of %s on %s (repository %d, the host's id %s%s): the next "
                            + "repository sync, due now, imports them; see SELECT * FROM repo_sync_schedule WHERE repo_id = %d%n",
                    tracking.sqlName(), tracked.repository().name(), tracked.host().name(), tracked.repoId(),
                    tracked.repository().externalId(), tracked.inserted() ? ", new" : "", tracked.repoId());
        }
        return 0;
    }
}
