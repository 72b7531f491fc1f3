package dev.changesetsyncer.cli;

import dev.changesetsyncer.db.JdbcUrls;
import dev.changesetsyncer.db.LocalPostgres;
import dev.changesetsyncer.simhost.HostSettings;
import dev.changesetsyncer.soak.Soak;
import dev.changesetsyncer.soak.SoakReport;
import dev.changesetsyncer.soak.SoakReportWriter;
import dev.changesetsyncer.soak.SoakSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code soak}: a fleet of replica processes under faults, checked for overlaps, lost work and unserved requests. */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Run replica processes (`run`, from this jar) against a database of their own and a simulated GitHub "
                + "process, kill -9 them, pause them, terminate their connections, restart Postgres and pin the xmin "
                + "horizon, with sync requests throughout; then drain and report throughput around each fault, recovery "
                + "times, waits, fenced write-backs and the sync-state table's growth.",
            "Exits 1 when an invariant fails: an overlap (a changeset fetched by two syncs at once), lost work (a "
                    + "changeset owed a sync for longer than lease + margin), or a request unserved after the drain.",
            "Recreates its database (name must contain 'soak')."})
final class SoakCommand implements Callable<Integer> {
    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/changeset_syncer_soak?user=postgres";

    @Option(names = "--database-url", paramLabel = "JDBC_URL",
            description = "Database to (re)create; its name must contain 'soak' (default: " + DEFAULT_URL + ").")
    String databaseUrl;

    @Option(names = "--replicas", paramLabel = "N", defaultValue = "4", description = "Replica processes (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
            description = "How long faults are injected, after a warm-up of twice --sync-every (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--kill-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "kill -9 a random replica this often and start a new one (default: never).")
    Duration killEvery;

    @Option(names = "--pause-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "SIGSTOP a random replica this often, for --pause-for (default: never).")
    Duration pauseEvery;

    @Option(names = "--pause-for", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long a paused replica stays stopped (default: 1.5 × --lease).")
    Duration pauseFor;

    @Option(names = "--terminate-backends-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "pg_terminate_backend every replica connection this often (default: never).")
    Duration terminateBackendsEvery;

    @Option(names = "--pg-restart-command", paramLabel = "COMMAND",
            description = "Shell command that restarts Postgres, run once at half the duration or every --pg-restart-every; "
                    + "on Debian: 'pg_ctlcluster --skip-systemctl-redirect 15 main restart' (default: no restart).")
    String pgRestartCommand;

    @Option(names = "--pg-restart-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often to run --pg-restart-command (default: once).")
    Duration pgRestartEvery;

    @Option(names = "--pin-xmin", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Hold a REPEATABLE READ transaction reading changeset_schedule this long, from 5 s into the "
                    + "faults, as a DBA's long report would (default: no).")
    Duration pinXmin;

    @Option(names = "--vacuum-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Run VACUUM changeset_sync_state from the soak this often, standing in for autovacuum on a "
                    + "server where it is off (default: leave it to the server).")
    Duration vacuumEvery;

    @Option(names = "--lease", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "The replicas' --lease (default: ${DEFAULT-VALUE}).")
    Duration lease;

    @Option(names = "--margin", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long past the lease a due changeset may wait before it counts as lost "
                    + "(default: half the lease, the sweep's period, plus 15 s).")
    Duration margin;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "16",
            description = "Each replica's --workers (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--sync-every", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "The code host's max_sync_delay: the load is about changesets / this (default: ${DEFAULT-VALUE}).")
    Duration syncEvery;

    @Option(names = "--requests-per-second", paramLabel = "X", defaultValue = "2",
            description = "Sync requests inserted per second during the faults (default: ${DEFAULT-VALUE}).")
    double requestsPerSecond;

    @Option(names = "--repos", paramLabel = "N", defaultValue = "20", description = "Repositories on the simulated host (default: ${DEFAULT-VALUE}).")
    int repos;

    @Option(names = "--pulls-per-repo", paramLabel = "N", defaultValue = "100",
            description = "Pull requests per repository (default: ${DEFAULT-VALUE}).")
    int pullsPerRepo;

    @Option(names = "--latency", paramLabel = "DURATION", defaultValue = "50ms", converter = DurationConverter.class,
            description = "The simulated host's time per answer (default: ${DEFAULT-VALUE}).")
    Duration latency;

    @Option(names = "--change-rate", paramLabel = "SHARE", defaultValue = "0.01",
            description = "Share of pull requests changing per minute on the host (default: ${DEFAULT-VALUE}).")
    double changeRate;

    @Option(names = "--error-rate", paramLabel = "SHARE", defaultValue = "0.01",
            description = "Share of the host's answers that are 502s (default: ${DEFAULT-VALUE}).")
    double errorRate;

    @Option(names = "--rate-limit-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Open a 3-second window of 429s on the host this often (default: never).")
    Duration rateLimitEvery;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of the host and of the faults' choices (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the logs and the jar's copy go (default: a new directory under the system's temp dir).")
    Path workDir;

    @Option(names = "--json", description = "Print the report as one JSON object (progress goes to stderr).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        HostSettings host = HostSettings.defaults().withPopulation(repos, pullsPerRepo).withLatency(latency)
                .withRates(changeRate, HostSettings.defaults().goneRate(), errorRate).withSeed(seed)
                .withRateLimitWindows(rateLimitEvery, rateLimitEvery == null ? Duration.ZERO : Duration.ofSeconds(3));
        Path dir = workDir != null ? workDir : Files.createTempDirectory("changeset-syncer-soak-");
        SoakSettings settings = new SoakSettings(replicas, duration, killEvery, pauseEvery,
                pauseFor != null ? pauseFor : lease.multipliedBy(3).dividedBy(2), terminateBackendsEvery, pgRestartCommand,
                pgRestartEvery, pinXmin, vacuumEvery, lease, margin != null ? margin : SoakSettings.defaultMargin(lease), workers,
                syncEvery, requestsPerSecond, host, dir, seed);
        var progress = json ? System.err : System.out;
        try (LocalPostgres postgres = LocalPostgres.dedicated(databaseUrl, DEFAULT_URL, "soak")) {
            progress.println("soak database: " + JdbcUrls.redact(postgres.url())
                    + (postgres.isEmbedded() ? " (embedded Postgres)" : ""));
            SoakReport report = new Soak(settings, postgres.url(), Main.class, progress).run();
            String document = SoakReportWriter.json(report).toString();
            Files.writeString(dir.resolve("report.json"), document);
            if (json) {
                System.out.println(document);
            } else {
                SoakReportWriter.text(report, System.out);
                System.out.println("the report as JSON: " + dir.resolve("report.json"));
            }
            return report.passed() ? 0 : 1;
        }
    }
}
