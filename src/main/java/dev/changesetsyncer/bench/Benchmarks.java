package dev.changesetsyncer.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.db.DatabaseConfig;
import dev.changesetsyncer.db.Migrations;
import dev.changesetsyncer.worker.WorkerSettings;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/** Runs the benchmark scenarios against a freshly created database. */
public final class Benchmarks {
    /**
     * @param replicaCounts drain with each of these numbers of replicas
     * @param drainChangesets backlog size for the drain runs
     * @param claimSizes table sizes for the claim-cost runs, ascending
     * @param webhookDeliveries deliveries sent in the webhook throughput run (at most a minute of them)
     */
    public record Plan(List<Integer> replicaCounts, long drainChangesets, int latencyRequests, List<Long> claimSizes,
            WorkerSettings worker, boolean drain, boolean latency, boolean claims, boolean twoHosts, boolean webhooks,
            long webhookDeliveries) {}

    private Benchmarks() {}

    public static void run(String jdbcUrl, Plan plan, PrintStream out, boolean json) throws Exception {
        BenchReport report = new BenchReport(out, json);
        try (HikariDataSource pool = DataSources.open(new DatabaseConfig(jdbcUrl, "bench", 4))) {
            Migrations.migrate(pool);
            BenchDatabase db = new BenchDatabase(jdbcUrl, pool, DSL.using(pool, SQLDialect.POSTGRES));
            if (plan.drain()) {
                DrainBenchmark drain = new DrainBenchmark(db, plan.worker());
                for (int replicas : plan.replicaCounts()) {
                    report.drain(drain.run(replicas, plan.drainChangesets()));
                }
            }
            if (plan.latency()) {
                RequestLatencyBenchmark latency = new RequestLatencyBenchmark(db, plan.worker());
                report.latency(latency.run(2, plan.latencyRequests(), 0, Duration.ZERO));
                report.latency(latency.run(2, plan.latencyRequests(), plan.drainChangesets(), Duration.ZERO));
                // every regular slot busy with a slow host: requests go through the express slots
                report.latency(latency.run(2, plan.latencyRequests(), plan.drainChangesets(), Duration.ofMillis(200)));
            }
            if (plan.twoHosts()) {
                report.twoHosts(new TwoHostBenchmark(db, plan.worker()).run(2, plan.drainChangesets()));
            }
            if (plan.webhooks()) {
                WebhookBenchmark webhooks = new WebhookBenchmark(db, plan.worker());
                report.webhookThroughput(webhooks.throughput(plan.webhookDeliveries()));
                report.webhookLatency(webhooks.latency(plan.latencyRequests()));
            }
            if (plan.claims()) {
                for (ClaimCostBenchmark.Result result : new ClaimCostBenchmark(db).run(plan.claimSizes(), 100, 300)) {
                    report.claim(result);
                }
            }
        }
    }
}
