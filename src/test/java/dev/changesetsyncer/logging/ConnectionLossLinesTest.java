package dev.changesetsyncer.logging;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.testing.CapturedLogs;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.Replicas;
import dev.changesetsyncer.testing.TestDatabase;
import dev.changesetsyncer.worker.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend the server terminates is one WARN line of ours, saying what happened — not HikariCP's
 * stack traces and its hint to "consider using a shorter maxLifetime value".
 */
@ExtendWith(PostgresExtension.class)
class ConnectionLossLinesTest {
    final TestDatabase database;

    ConnectionLossLinesTest(TestDatabase database) {
        this.database = database;
    }

    @Test
    void terminatedBackendsOfAWorkingReplicaAreOneLineEachWithoutStackTraces() {
        database.truncateAll();
        Catalog catalog = new Catalog(database);
        catalog.changesets(catalog.repo(catalog.host()), 2000);
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT.withLatency(ofMillis(2)));

        try (CapturedLogs logs = new CapturedLogs(); Replicas replicas = new Replicas(database)) {
            replicas.start(WorkerSettings.defaults("lossy").withConcurrency(8).withLease(ofSeconds(3)), simulator);
            for (int round = 0; round < 3; round++) {
                long before = simulator.fetches();
                await().atMost(ofSeconds(60)).until(() -> simulator.fetches() >= before + 20); // working
                database.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lossy'");
            }
            await().atMost(ofSeconds(60)).until(() -> logs.text().contains("database pool lossy "));

            String text = logs.text();
            assertThat(text).doesNotContain("maxLifetime").doesNotContain("marked as broken")
                    .doesNotContain("Failed to validate connection");
            assertThat(text.lines().filter(line -> line.startsWith("\tat "))).as("stack trace lines").isEmpty();
            assertThat(text.lines().filter(line -> line.contains("database pool lossy ")))
                    .allSatisfy(line -> assertThat(line).startsWith("WARN").containsAnyOf(
                            "lost a connection in use: the server terminated its backend", "found an idle connection dead"));
        }
    }

    @Test
    void hikarisTwoLinesBecomeOursAndItsOtherLinesPass() {
        Logger proxy = LoggerFactory.getLogger("com.zaxxer.hikari.pool.ProxyConnection");
        Logger poolBase = LoggerFactory.getLogger("com.zaxxer.hikari.pool.PoolBase");
        Logger pool = LoggerFactory.getLogger("com.zaxxer.hikari.pool.HikariPool");
        SQLException terminated = new SQLException("FATAL: terminating connection due to administrator command", "57P01");

        try (CapturedLogs logs = new CapturedLogs()) {
            proxy.warn("{} - Connection {} marked as broken because of SQLSTATE({}), ErrorCode({})", "w1",
                    "org.postgresql.jdbc.PgConnection@1", "57P01", 0, terminated);
            poolBase.warn("{} - Failed to validate connection {} ({}). Possibly consider using a shorter maxLifetime value.",
                    "w1", "org.postgresql.jdbc.PgConnection@2", "This connection has been closed.");
            pool.warn("{} - Thread starvation or clock leap detected", "w1");

            assertThat(logs.text().lines()).containsExactly(
                    "WARN  d.c.l.ConnectionLossLines - database pool w1 lost a connection in use: the server terminated "
                            + "its backend (pg_terminate_backend, or a shutdown) [57P01]: FATAL: terminating connection due "
                            + "to administrator command; the pool replaces it and the call is retried",
                    "WARN  d.c.l.ConnectionLossLines - database pool w1 found an idle connection dead (This connection has "
                            + "been closed.): the server closed it (terminated backend or restart); the pool replaces it",
                    "WARN  c.z.h.p.HikariPool - w1 - Thread starvation or clock leap detected");
        }
    }

    @Test
    void theServiceAndTheTestsConfigureTheSameFilter() throws Exception {
        String filter = "<turboFilter class=\"" + ConnectionLossLines.class.getName() + "\"/>";
        assertThat(Files.readString(Path.of("src/main/resources/logback.xml"))).contains(filter);
        assertThat(Files.readString(Path.of("src/test/resources/logback-test.xml"))).contains(filter);
    }
}
