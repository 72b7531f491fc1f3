package dev.changesetsyncer.bench;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.codehost.CodeHostClientRegistry;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Request latency: the time from the start of a plain {@code INSERT INTO sync_requests} (its own
 * transaction) until the simulated host sees the fetch of that changeset begin — while the
 * replicas idle, and while they drain a backlog.
 */
final class RequestLatencyBenchmark {
    /**
     * @param latency from the start of the INSERT to the start of the fetch
     * @param afterCommit from the INSERT's return (committed) to the start of the fetch
     */
    record Result(String load, int replicas, Percentiles latency, Percentiles afterCommit, long backlogLeft) {}

    private final BenchDatabase db;
    private final WorkerSettings template;

    RequestLatencyBenchmark(BenchDatabase db, WorkerSettings template) {
        this.db = db;
        this.template = template;
    }

    /**
     * @param backlog due changesets the replicas are draining meanwhile (0: idle)
     * @param hostLatency how long each fetch takes: with a slow host every regular slot stays busy
     */
    Result run(int replicaCount, int requests, long backlog, Duration hostLatency) throws Exception {
        CodeHost host = db.emptyWithHost(backlog == 0 ? "latency-idle" : "latency-busy");
        db.seed(host, 10_000, 0.0); // quiet changesets to request
        List<Long> targets = db.dsl.fetch("SELECT changeset_id FROM changeset_sync_state ORDER BY changeset_id LIMIT ?",
                requests).getValues(0, Long.class);
        if (backlog > 0) {
            db.seed(host, backlog, 1.0);
        }
        db.dsl.execute("VACUUM ANALYZE changeset_sync_state");
        SimulatedCodeHost simulator = new SimulatedCodeHost(
                SimulationSettings.DEFAULT.withChangeRate(0).withLatency(hostLatency));
        Map<Long, CompletableFuture<Long>> started = new ConcurrentHashMap<>();
        simulator.observeFetches(id -> {
            CompletableFuture<Long> waiting = started.get(id);
            if (waiting != null) {
                waiting.complete(System.nanoTime());
            }
        });

        List<Replica> replicas = BenchReplicas.start(db.url, template, "latency", replicaCount,
                new CodeHostClientRegistry().register(CodeHostKind.SIMULATED, codeHost -> simulator));
        long[] latencies = new long[requests];
        long[] afterCommit = new long[requests];
        try (Connection connection = db.pool.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO sync_requests (changeset_id, reason, requested_by) VALUES (?, 'benchmark', 'bench')")) {
            connection.setAutoCommit(true);
            Thread.sleep(backlog > 0 ? 500 : 1_000); // idle: let the replicas fall asleep; busy: let them get going
            for (int i = 0; i < requests; i++) {
                long id = targets.get(i);
                CompletableFuture<Long> fetchStarted = new CompletableFuture<>();
                started.put(id, fetchStarted);
                long before = System.nanoTime();
                execute(insert, id);
                long committed = System.nanoTime();
                long fetched = fetchStarted.get(30, TimeUnit.SECONDS);
                latencies[i] = fetched - before;
                afterCommit[i] = fetched - committed;
                Thread.sleep(10);
            }
        } finally {
            replicas.forEach(Replica::stop);
        }
        long left = db.count("SELECT count(*) FROM changeset_sync_state WHERE next_sync_at <= now()");
        String load = backlog == 0 ? "idle" : "busy (" + backlog + " due"
                + (hostLatency.isZero() ? "" : ", " + hostLatency.toMillis() + " ms per fetch") + ")";
        return new Result(load, replicaCount, Percentiles.of(latencies),
                Percentiles.of(afterCommit), left);
    }

    private static void execute(PreparedStatement insert, long changesetId) throws SQLException {
        insert.setLong(1, changesetId);
        insert.executeUpdate();
    }
}
