package dev.changesetsyncer.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.changesetsyncer.testing.CapturedLogs;
import dev.changesetsyncer.testing.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Migrations from Java: idempotent, and safe when several replicas start at once on an empty database. */
class MigrationsTest {
    String database;

    @BeforeEach
    void emptyDatabase() {
        database = TestDatabases.createEmpty("migrations");
    }

    @AfterEach
    void dropIt() {
        TestDatabases.drop(database);
    }

    @Test
    void replicasMigratingAnEmptyDatabaseAtOnceAllSucceedAndApplyEachChangesetOnce() throws Exception {
        int replicas = 4;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(replicas)) {
            for (int i = 0; i < replicas; i++) {
                PGSimpleDataSource dataSource = dataSource();
                results.add(pool.submit(() -> {
                    start.await();
                    Migrations.migrate(dataSource);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> result : results) {
                result.get(); // rethrows a replica's failure
            }
        }

        assertThat(query("SELECT count(*) FROM databasechangelog")).isEqualTo(query(
                "SELECT count(DISTINCT (filename, id, author)) FROM databasechangelog"));
        assertThat(query("SELECT count(*) FROM databasechangelog")).isGreaterThanOrEqualTo(9);
        assertThat(query("SELECT count(*) FROM pg_tables WHERE tablename = 'changeset_sync_state'")).isEqualTo(1);
    }

    @Test
    void migratingAnUpToDateDatabaseChangesNothing() throws Exception {
        Migrations.migrate(dataSource());
        long applied = query("SELECT count(*) FROM databasechangelog");
        long lastOrder = query("SELECT max(orderexecuted) FROM databasechangelog");

        Migrations.migrate(dataSource());

        assertThat(query("SELECT count(*) FROM databasechangelog")).isEqualTo(applied);
        assertThat(query("SELECT max(orderexecuted) FROM databasechangelog")).isEqualTo(lastOrder);
    }

    @Test
    void theMigrationLockIsReleasedAfterwards() throws Exception {
        Migrations.migrate(dataSource());

        // (pg_locks shows the whole server's: other tests migrate their own databases meanwhile)
        assertThat(query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = "
                + (Migrations.ADVISORY_LOCK_KEY & 0xffffffffL)
                + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).isZero();
    }

    @Test
    void waitingForAnotherProcesssMigrationIsSaidAtInfoWithWhoHoldsTheLock() throws Exception {
        try (Connection other = DriverManager.getConnection(withApplicationName("other-migrator"));
                Statement lock = other.createStatement();
                CapturedLogs logs = new CapturedLogs();
                ExecutorService pool = Executors.newSingleThreadExecutor()) {
            lock.execute("SELECT pg_advisory_lock(" + Migrations.ADVISORY_LOCK_KEY + ")");
            Future<?> migration = pool.submit(() -> Migrations.migrate(dataSource()));

            await().atMost(Duration.ofMinutes(1)).until(() -> logs.text().contains("waiting for the migration lock"));
            assertThat(logs.text()).contains("INFO").contains("other-migrator (pid ").contains("is migrating this database");
            assertThat(migration).isNotDone();

            lock.execute("SELECT pg_advisory_unlock(" + Migrations.ADVISORY_LOCK_KEY + ")");
            migration.get();
            assertThat(logs.text()).contains("got the migration lock");
        }
    }

    @Test
    void theChangesetsADatabaseLacksAreListedWithoutChangingIt() throws Exception {
        assertThat(Migrations.missingChangesets(dataSource())).as("an empty database lacks all of them")
                .contains("001-code-hosts in db/tables/001-core-schema.sql").hasSizeGreaterThan(9);
        assertThat(query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).as("nothing created").isZero();

        Migrations.migrate(dataSource());

        assertThat(Migrations.missingChangesets(dataSource())).isEmpty();
    }

    String withApplicationName(String name) {
        String url = TestDatabases.urlOf(database);
        return url + (url.contains("?") ? "&" : "?") + "ApplicationName=" + name;
    }

    PGSimpleDataSource dataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(TestDatabases.urlOf(database));
        return dataSource;
    }

    long query(String sql) throws Exception {
        try (Connection connection = dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }
}
