package dev.changesetsyncer.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.simulation.BulkSeeder;
import dev.changesetsyncer.simulation.SeedPlan;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.jooq.Record;

/** The benchmark's own database: emptying it, seeding it, and reading Postgres's statistics. */
final class BenchDatabase {
    private static final AtomicInteger seedRound = new AtomicInteger();
    final String url;
    final HikariDataSource pool;
    final DSLContext dsl;

    BenchDatabase(String url, HikariDataSource pool, DSLContext dsl) {
        this.url = url;
        this.pool = pool;
        this.dsl = dsl;
    }

    /** Empties every table and returns a fresh simulated host with the default schedule. */
    CodeHost emptyWithHost(String name) {
        dsl.execute("TRUNCATE code_hosts, repos, changesets, changeset_sync_state, sync_requests, changeset_events CASCADE");
        return new CatalogStore(dsl).createCodeHost(name, CodeHostKind.SIMULATED, "https://bench.example.test",
                ScheduleSettings.DEFAULTS);
    }

    /** Adds {@code changesets} changesets (1,000 per repository) of which {@code dueFraction} are due. */
    void seed(CodeHost host, long changesets, double dueFraction) {
        int perRepo = (int) Math.min(1000, changesets);
        int repos = (int) (changesets / perRepo);
        new BulkSeeder(pool).seed(new SeedPlan(host.id(), "bench-" + seedRound.incrementAndGet(), repos, perRepo,
                dueFraction));
    }

    long count(String sql) {
        return dsl.fetchSingle(sql).get(0, Long.class);
    }

    /** Committed plus rolled-back transactions of this database so far. */
    long transactions() {
        return count("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()");
    }

    /** Shared buffers hit and read in this database so far. */
    long buffers() {
        return count("SELECT blks_hit + blks_read FROM pg_stat_database WHERE datname = current_database()");
    }

    long deadTuples(String table) {
        Record row = dsl.fetchSingle("SELECT n_dead_tup, n_live_tup FROM pg_stat_user_tables WHERE relname = ?", table);
        return row.get(0, Long.class);
    }

    /** Statistics are flushed by each backend at most once a second: wait for them. */
    static void letStatisticsSettle() throws InterruptedException {
        Thread.sleep(1_200);
    }
}
