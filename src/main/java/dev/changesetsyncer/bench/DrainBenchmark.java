package dev.changesetsyncer.bench;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.codehost.CodeHostClientRegistry;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerSettings;
import java.util.List;

/**
 * Drain throughput: a backlog of due changesets, a simulated host that answers "unchanged" at once
 * (no-op syncs), and R replicas, each with its own connection pool, draining it.
 */
final class DrainBenchmark {
    /**
     * @param walBytesPerSync WAL written during the drain (pg_current_wal_lsn before and after), per sync
     * @param heapMbPerMillion the changesets' and their queue rows' tables (with TOAST) as seeded, per million changesets
     * @param indexMbPerMillion their indexes, as seeded, per million changesets
     */
    record Result(int replicas, long changesets, double seconds, double syncsPerSecond, double transactionsPerSync,
            long claimRoundTrips, long writeRoundTrips, long deadTuples, long overlaps, double walBytesPerSync,
            double heapMbPerMillion, double indexMbPerMillion) {}

    private static final String SIZES = """
            SELECT sum(pg_total_relation_size(c.oid) - pg_indexes_size(c.oid)), sum(pg_indexes_size(c.oid))
              FROM pg_class c WHERE c.relname IN ('changesets', 'changeset_sync_state') AND c.relkind = 'r'""";

    private final BenchDatabase db;
    private final WorkerSettings template;

    DrainBenchmark(BenchDatabase db, WorkerSettings template) {
        this.db = db;
        this.template = template;
    }

    Result run(int replicaCount, long changesets) throws InterruptedException {
        CodeHost host = db.emptyWithHost("drain");
        db.seed(host, changesets, 1.0);
        db.dsl.execute("VACUUM ANALYZE changeset_sync_state");
        BenchDatabase.letStatisticsSettle();
        var sizes = db.dsl.fetchSingle(SIZES);
        double perMillion = 1e6 / changesets / (1024 * 1024);
        long walBefore = db.dsl.fetchSingle("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn").get(0, Long.class);
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT.withChangeRate(0));

        long transactionsBefore = db.transactions();
        long started = System.nanoTime();
        List<Replica> replicas = BenchReplicas.start(db.url, template, "bench", replicaCount,
                new CodeHostClientRegistry().register(CodeHostKind.SIMULATED, codeHost -> simulator));
        while (completed(replicas) < changesets) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long claims = replicas.stream().mapToLong(r -> r.metrics().snapshot().claimCalls()).sum();
        long writes = replicas.stream().mapToLong(r -> r.metrics().snapshot().writeBatches()).sum();
        replicas.forEach(Replica::stop);
        BenchDatabase.letStatisticsSettle();
        long transactions = db.transactions() - transactionsBefore;
        long wal = db.dsl.fetchSingle("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn").get(0, Long.class) - walBefore;
        return new Result(replicaCount, changesets, seconds, changesets / seconds, (double) transactions / changesets,
                claims, writes, db.deadTuples("changeset_sync_state"), simulator.overlaps(), (double) wal / changesets,
                sizes.get(0, Long.class) * perMillion, sizes.get(1, Long.class) * perMillion);
    }

    private static long completed(List<Replica> replicas) {
        return replicas.stream().mapToLong(r -> r.metrics().snapshot().completed()).sum();
    }
}
