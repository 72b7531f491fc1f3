package dev.changesetsyncer.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.codehost.CodeHostCredentials;
import dev.changesetsyncer.codehost.hosts.RealCodeHosts;
import dev.changesetsyncer.codehost.http.HostHttp;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.db.JdbcUrls;
import dev.changesetsyncer.db.Migrations;
import dev.changesetsyncer.service.HttpService;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code run}: one worker replica, until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a worker replica: migrate, then claim and sync due changesets until stopped (SIGTERM/Ctrl-C stop it gracefully).")
final class RunCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    DatabaseOptions database;

    @Mixin
    WorkerOptions worker;

    @Mixin
    HttpOptions http;

    @Option(names = "--worker-id", paramLabel = "ID",
            description = "Name of this replica in leases, logs and pg_stat_activity (default: <host>-<pid>).")
    String workerId;

    @Option(names = "--tokens-file", paramLabel = "FILE",
            description = "Code-host tokens as <code host name>=<token> lines (default: $SYNCER_TOKENS_FILE; "
                    + "SYNCER_TOKEN_<NAME> variables override it).")
    Path tokensFile;

    @Option(names = "--http-timeout", paramLabel = "DURATION", defaultValue = "20s", converter = DurationConverter.class,
            description = "Longest wait for a code host's answer (default: ${DEFAULT-VALUE}).")
    Duration httpTimeout;

    @Option(names = "--status-every", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "How often to log a status line (default: ${DEFAULT-VALUE}).")
    Duration statusEvery;

    @Override
    public Integer call() throws InterruptedException {
        String id = workerId != null ? workerId : WorkerIds.forThisProcess();
        var settings = worker.settings(id);
        migrateWhenReachable(id);
        Path tokens = tokensFile != null ? tokensFile
                : System.getenv("SYNCER_TOKENS_FILE") == null ? null : Path.of(System.getenv("SYNCER_TOKENS_FILE"));
        CodeHostCredentials credentials = CodeHostCredentials.load(System.getenv(), tokens);
        HostHttp hostHttp = new HostHttp(new HostHttp.Settings(Duration.ofSeconds(5), httpTimeout, 3));
        // the server first: a port that cannot be bound stops the start before anything is claimed
        Optional<HttpService> server = http.settings()
                .map(serverSettings -> HttpService.start(id, serverSettings, database.url(), http.secrets()));
        Replica replica = Replica.start(settings, database.url(), RealCodeHosts.registry(credentials, hostHttp));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // webhooks need only the database: the server keeps taking them while the replica drains
            replica.stop();
            server.ifPresent(HttpService::close);
            stopped.countDown();
        }, id + "-shutdown"));
        WorkerMetrics.Snapshot last = replica.metrics().snapshot();
        while (!stopped.await(statusEvery.toMillis(), TimeUnit.MILLISECONDS)) {
            WorkerMetrics.Snapshot now = replica.metrics().snapshot();
            log.info("status: {} synced ({}/s), {} unchanged, {} failed, {} gone, {} rate-limited, {} in flight, {} fenced, "
                            + "{} database errors, {} unwritable results",
                    now.completed() - last.completed(),
                    (now.completed() - last.completed()) / Math.max(1, statusEvery.toSeconds()),
                    now.unchanged() - last.unchanged(), now.failed() - last.failed(), now.gone() - last.gone(),
                    now.deferred() - last.deferred(), replica.inFlight(), now.fenced() - last.fenced(),
                    now.databaseErrors() - last.databaseErrors(), now.unwritable() - last.unwritable());
            last = now;
        }
        return 0;
    }

    /** Migrates, waiting (with backoff) for the database to come up rather than failing the start. */
    private void migrateWhenReachable(String id) throws InterruptedException {
        Duration pause = Duration.ofSeconds(1);
        while (true) {
            try (HikariDataSource pool = DataSources.open(database.config(id + "-migrate", 1))) {
                Migrations.migrate(pool);
                return;
            } catch (RuntimeException e) {
                log.warn("cannot migrate {} yet, retrying in {} s: {}", JdbcUrls.redact(database.url()),
                        pause.toSeconds(), DatabaseErrors.brief(DatabaseErrors.rootCause(e)));
                Thread.sleep(pause);
                pause = pause.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30)
                        : pause.multipliedBy(2);
            }
        }
    }
}
