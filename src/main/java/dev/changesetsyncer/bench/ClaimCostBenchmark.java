package dev.changesetsyncer.bench;

import dev.changesetsyncer.catalog.CodeHost;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Claim cost as the table grows: with 1% of the rows due, the claim of a batch of 100 is timed
 * (one round trip) and its shared-buffer reads counted, inside a transaction that is rolled back
 * so every repetition does the same work.
 */
final class ClaimCostBenchmark {
    record Result(long changesets, int batch, Percentiles latency, double buffersPerClaim) {}

    private static final int WARMUP = 20;
    private final BenchDatabase db;

    ClaimCostBenchmark(BenchDatabase db) {
        this.db = db;
    }

    /** Measures at each size in turn, growing the same table (sizes ascending). */
    List<Result> run(List<Long> sizes, int batch, int repetitions) throws SQLException, InterruptedException {
        CodeHost host = db.emptyWithHost("claim-cost");
        List<Result> results = new ArrayList<>();
        long seeded = 0;
        for (long size : sizes) {
            db.seed(host, size - seeded, 0.01);
            seeded = size;
            db.dsl.execute("VACUUM ANALYZE changeset_sync_state");
            results.add(measure(size, batch, repetitions));
        }
        return results;
    }

    private Result measure(long size, int batch, int repetitions) throws SQLException, InterruptedException {
        try (Connection connection = db.pool.getConnection();
                PreparedStatement claim = connection.prepareStatement(
                        "SELECT count(*) FROM claim_changesets('bench-claim', ?, interval '1 minute')")) {
            connection.setAutoCommit(false);
            claim.setInt(1, batch);
            for (int i = 0; i < WARMUP; i++) {
                claimAndRollBack(connection, claim, batch);
            }
            flushStatistics(connection);
            long buffersBefore = db.buffers();
            long[] latencies = new long[repetitions];
            for (int i = 0; i < repetitions; i++) {
                long before = System.nanoTime();
                claimAndRollBack(connection, claim, batch);
                latencies[i] = System.nanoTime() - before;
            }
            flushStatistics(connection);
            // the statistics queries themselves read a few buffers: negligible next to the claims
            double buffers = (double) (db.buffers() - buffersBefore) / repetitions;
            return new Result(size, batch, Percentiles.of(latencies), buffers);
        }
    }

    /** Makes this backend publish its counters now rather than up to 10 s later. */
    private static void flushStatistics(Connection connection) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute("SELECT pg_stat_force_next_flush()");
        }
        connection.commit();
    }

    private static void claimAndRollBack(Connection connection, PreparedStatement claim, int batch) throws SQLException {
        try (ResultSet row = claim.executeQuery()) {
            row.next();
            if (row.getLong(1) != batch) {
                throw new IllegalStateException("expected to claim " + batch + " rows, got " + row.getLong(1));
            }
        }
        connection.rollback();
    }
}
