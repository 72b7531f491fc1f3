package dev.changesetsyncer.cli;

import dev.changesetsyncer.db.JdbcUrls;
import dev.changesetsyncer.db.LocalPostgres;
import dev.changesetsyncer.demo.DemoHttp;
import dev.changesetsyncer.demo.DemoRun;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code demo}: the whole system on a laptop, against a local (or embedded) Postgres. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "Recreate a demo database, put a few thousand changesets on a simulated code host, run replicas "
                    + "in-process and print a live summary; stop after --duration or Ctrl-C.",
            "Uses Postgres on 127.0.0.1:5432 (user postgres) or, when none answers, an embedded one."})
final class DemoCommand implements Callable<Integer> {
    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/changeset_syncer_demo?user=postgres";

    @Option(names = "--database-url", paramLabel = "JDBC_URL",
            description = "Database to (re)create for the demo; its name must contain 'demo' (default: " + DEFAULT_URL + ").")
    String databaseUrl;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "20s", converter = DurationConverter.class,
            description = "How long to run (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--changesets", paramLabel = "N", defaultValue = "3000",
            description = "Changesets on the simulated host (default: ${DEFAULT-VALUE}).")
    int changesets;

    @Option(names = "--replicas", paramLabel = "N", defaultValue = "2",
            description = "Worker replicas, each with its own connection pool (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Mixin
    WorkerOptions worker;

    @Mixin
    HttpOptions http;

    @Override
    public Integer call() throws InterruptedException {
        AtomicBoolean interrupted = new AtomicBoolean();
        Interrupts.onCtrlC(() -> interrupted.set(true));
        Optional<DemoHttp> server = http.settings().map(settings -> new DemoHttp(settings, !http.portChosen()));
        try (LocalPostgres postgres = LocalPostgres.dedicated(databaseUrl, DEFAULT_URL, "demo")) {
            System.out.printf("demo database: %s%s%n", JdbcUrls.redact(postgres.url()),
                    postgres.isEmbedded() ? " (embedded Postgres)" : "");
            String summary = new DemoRun(postgres.url(), changesets, replicas, worker.settings("demo"), server, System.out)
                    .run(duration, interrupted::get);
            System.out.println(summary);
        }
        return 0;
    }
}
