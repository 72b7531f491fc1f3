package dev.changesetsyncer.cli;

import dev.changesetsyncer.bench.Benchmarks;
import dev.changesetsyncer.db.LocalPostgres;
import dev.changesetsyncer.worker.WorkerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bench}: throughput, request latency and claim cost, on a database of its own. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure drain throughput (1, 2, 4 replicas), request-to-sync latency (idle and busy), a fast "
                + "host beside a throttled one, claim cost as the table grows, and webhooks (deliveries per second, delivery "
                + "to sync start), against simulated hosts at zero latency.",
            "Recreates its database (name must contain 'bench'). Record results in docs/benchmarks.md."})
final class BenchCommand implements Callable<Integer> {
    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/changeset_syncer_bench?user=postgres";

    @Option(names = "--database-url", paramLabel = "JDBC_URL", description = "Default: " + DEFAULT_URL + ".")
    String databaseUrl;

    @Option(names = "--json", description = "One JSON object per scenario, for scripts.")
    boolean json;

    @Option(names = "--replicas", paramLabel = "N", split = ",", defaultValue = "1,2,4",
            description = "Replica counts for the drain runs (default: ${DEFAULT-VALUE}).")
    List<Integer> replicas;

    @Option(names = "--drain", paramLabel = "N", defaultValue = "100000",
            description = "Changesets in each drain backlog (default: ${DEFAULT-VALUE}).")
    long drainChangesets;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "200",
            description = "Requests timed per latency run (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--with-10m", description = "Also measure the claim at 10 million changesets (seeding takes minutes).")
    boolean tenMillion;

    @Option(names = "--only", paramLabel = "SCENARIO", split = ",",
            description = "Run only these: drain, latency, two-hosts, claim, webhooks.")
    List<String> only;

    @Option(names = "--webhooks", paramLabel = "N", defaultValue = "20000",
            description = "Webhook deliveries in the webhook throughput run, at most a minute of them (default: ${DEFAULT-VALUE}; "
                    + "the latency run sends --requests of them).")
    long webhookDeliveries;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "1000",
            description = "Concurrent syncs per replica (default: ${DEFAULT-VALUE}: no-op syncs need many slots to keep the database busy).")
    int workers;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1000",
            description = "Most changesets per claim (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws Exception {
        List<Long> sizes = new ArrayList<>(List.of(100_000L, 1_000_000L));
        if (tenMillion) {
            sizes.add(10_000_000L);
        }
        WorkerSettings worker = WorkerSettings.defaults("bench").withConcurrency(workers).withBatchSize(batch);
        var plan = new Benchmarks.Plan(replicas, drainChangesets, requests, sizes, worker,
                runs("drain"), runs("latency"), runs("claim"), runs("two-hosts"), runs("webhooks"), webhookDeliveries);
        try (LocalPostgres postgres = LocalPostgres.dedicated(databaseUrl, DEFAULT_URL, "bench")) {
            Benchmarks.run(postgres.url(), plan, System.out, json);
        }
        return 0;
    }

    private boolean runs(String scenario) {
        if (only == null) {
            return true;
        }
        for (String wanted : only) {
            if (!List.of("drain", "latency", "two-hosts", "claim", "webhooks").contains(wanted)) {
                throw new IllegalArgumentException("unknown scenario " + wanted
                        + ": use drain, latency, two-hosts, claim or webhooks");
            }
        }
        return only.contains(scenario);
    }
}
