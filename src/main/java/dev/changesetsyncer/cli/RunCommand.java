package dev.changesetsyncer.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.admin.AdminCredentials;
import dev.changesetsyncer.codehost.CodeHostCredentials;
import dev.changesetsyncer.codehost.hosts.RealCodeHosts;
import dev.changesetsyncer.codehost.http.HostHttp;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.db.JdbcUrls;
import dev.changesetsyncer.db.Migrations;
import dev.changesetsyncer.service.GracefulStop;
import dev.changesetsyncer.service.HttpService;
import dev.changesetsyncer.service.Observability;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    static final Duration MIN_STATUS_EVERY = Duration.ofSeconds(1);
    static final Duration MAX_STATUS_EVERY = Duration.ofDays(1);
    static final Duration MIN_HTTP_TIMEOUT = Duration.ofMillis(100);
    static final Duration MAX_HTTP_TIMEOUT = Duration.ofMinutes(10);

    @Mixin
    DatabaseOptions database;

    @Mixin
    WorkerOptions worker;

    @Mixin
    HttpOptions http;

    @Option(names = "--worker-id", paramLabel = "ID", defaultValue = "${env:SYNCER_WORKER_ID}",
            description = "Name of this replica in leases, logs and pg_stat_activity (default: $SYNCER_WORKER_ID, else <host>-<pid>).")
    String workerId;

    @Option(names = "--tokens-file", paramLabel = "FILE", defaultValue = "${env:SYNCER_TOKENS_FILE}",
            description = "Code-host tokens as <code host name>=<token> lines (default: $SYNCER_TOKENS_FILE; "
                    + "SYNCER_TOKEN_<NAME> variables override it).")
    Path tokensFile;

    @Option(names = "--http-timeout", paramLabel = "DURATION", defaultValue = "${env:SYNCER_HTTP_TIMEOUT:-20s}", converter = DurationConverter.class,
            description = "Longest wait for a code host's answer (default: $SYNCER_HTTP_TIMEOUT, else 20s).")
    Duration httpTimeout;

    @Option(names = "--status-every", paramLabel = "DURATION", defaultValue = "${env:SYNCER_STATUS_EVERY:-60s}", converter = DurationConverter.class,
            description = "How often to log a status line (default: $SYNCER_STATUS_EVERY, else 60s).")
    Duration statusEvery;

    @Option(names = "--no-migrate", defaultValue = "${env:SYNCER_NO_MIGRATE:-false}",
            description = "Do not change the schema (for a role that may not): check that it is this version's, and stop if not "
                    + "(or $SYNCER_NO_MIGRATE=true).")
    boolean noMigrate;

    @Override
    public Integer call() throws InterruptedException {
        String id = workerId != null ? workerId : WorkerIds.forThisProcess();
        var settings = worker.settings(id);
        OptionBounds.within("--status-every", statusEvery, MIN_STATUS_EVERY, MAX_STATUS_EVERY);
        OptionBounds.within("--http-timeout", httpTimeout, MIN_HTTP_TIMEOUT, MAX_HTTP_TIMEOUT);
        AdminCredentials admin = AdminCredentials.fromEnvironment(System.getenv()); // a half-set pair stops the start
        prepareSchema(id);
        Path tokens = tokensFile != null ? tokensFile
                : System.getenv("SYNCER_TOKENS_FILE") == null ? null : Path.of(System.getenv("SYNCER_TOKENS_FILE"));
        CodeHostCredentials credentials = CodeHostCredentials.load(System.getenv(), tokens);
        HostHttp hostHttp = new HostHttp(new HostHttp.Settings(Duration.ofSeconds(5), httpTimeout, 3));
        // the server first: a port that cannot be bound stops the start before anything is claimed
        Observability observability = Observability.fromEnvironment(System.getenv());
        Optional<HttpService> server = http.settings().map(serverSettings ->
                HttpService.start(id, serverSettings, database.url(), http.secrets(), observability, admin));
        Replica replica = Replica.start(settings, database.url(), RealCodeHosts.registry(credentials, hostHttp),
                observability.registry());
        server.ifPresent(s -> s.watch(replica::liveness));
        CountDownLatch stopped = new CountDownLatch(1);
        StopOnce stop = new StopOnce(() -> {
            GracefulStop.stop(replica, server); // not ready at once; webhooks go on while the replica drains
            stopped.countDown();
        });
        Interrupts.onStopSignals(stop); // SIGTERM, Ctrl-C: stop, then return 0 (the JVM would exit 143)
        Runtime.getRuntime().addShutdownHook(new Thread(stop, id + "-shutdown")); // any other way out
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

    /**
     * Migrates (or, with {@code --no-migrate}, checks the schema), waiting with backoff while the
     * database is unreachable, starting or busy. A mistake that waiting cannot cure — a URL that is
     * not Postgres's, a database or role that does not exist, a wrong password, a missing privilege,
     * a migration that fails — stops the start with one line saying what it is.
     */
    private void prepareSchema(String id) throws InterruptedException {
        Duration pause = Duration.ofSeconds(1);
        String doing = noMigrate ? "check the schema of " : "migrate ";
        while (true) {
            try (HikariDataSource pool = DataSources.open(database.config(id + "-migrate", 1))) {
                if (noMigrate) {
                    requireThisVersionsSchema(pool);
                } else {
                    Migrations.migrate(pool);
                }
                return;
            } catch (RuntimeException e) {
                if (!DatabaseErrors.isTransient(e)) {
                    throw new IllegalStateException("cannot " + doing + JdbcUrls.redact(database.url()) + ": "
                            + StartFailures.describe(e), e);
                }
                log.warn("cannot {}{} yet, retrying in {} s: {}", doing, JdbcUrls.redact(database.url()),
                        pause.toSeconds(), DatabaseErrors.brief(DatabaseErrors.rootCause(e)));
                Thread.sleep(pause);
                pause = pause.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30)
                        : pause.multipliedBy(2);
            }
        }
    }

    private static void requireThisVersionsSchema(HikariDataSource pool) {
        List<String> missing = Migrations.missingChangesets(pool);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("its schema lacks " + missing.size() + " of this version's changes (first: "
                    + missing.getFirst() + "): run `changeset-syncer migrate` (as the migrator) before starting replicas "
                    + "with --no-migrate");
        }
    }
}
