package dev.changesetsyncer.worker;

import static java.time.Duration.ofHours;
import static java.time.Duration.ofMillis;
import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.ChangesetState;
import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.queue.ClaimRef;
import dev.changesetsyncer.queue.Completion;
import dev.changesetsyncer.queue.SyncQueue;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.testing.CapturedLogs;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.Replicas;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Crashes, lost connections, hung syncs and shutdowns lose no sync and never run one twice at once. */
@ExtendWith(PostgresExtension.class)
class ReplicaResilienceTest {
    /** A host whose retries and quiet periods are a second, so recovery shows within a test. */
    static final ScheduleSettings FAST = new ScheduleSettings(ofSeconds(1), ofHours(8), ofMinutes(5), ofHours(24));

    final TestDatabase database;
    final Catalog catalog;

    ReplicaResilienceTest(TestDatabase database) {
        this.database = database;
        this.catalog = new Catalog(database);
    }

    @BeforeEach
    void emptyQueue() {
        database.truncateAll(); // replicas claim from every host: start each test from nothing
    }

    @Test
    void aKilledReplicasChangesetsAreSyncedByAnotherAfterItsLeaseExpiresAndItsLateWriteBackIsFenced() {
        CodeHost host = catalog.host(FAST);
        Repo repo = catalog.repo(host);
        List<Long> ids = catalog.changesets(repo, 20);
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT.withLatency(ofHours(1)));

        try (Replicas replicas = new Replicas(database)) {
            Replica doomed = replicas.start(settings("doomed").withConcurrency(20).withLease(ofSeconds(2)), simulator);
            await().atMost(ofSeconds(30)).until(() -> simulator.fetches() == 20);
            List<ClaimRef> doomedClaims = claimsHeldBy("doomed");
            assertThat(doomedClaims).hasSize(20);

            doomed.kill();
            simulator.settings(SimulationSettings.DEFAULT);
            Replica survivor = replicas.start(settings("survivor").withLease(ofSeconds(2)), simulator);

            await().atMost(ofSeconds(60)).until(() -> database.value(Long.class,
                    "SELECT count(*) FROM changeset_sync_state WHERE last_synced_at IS NOT NULL AND code_host_id = "
                            + host.id()) == 20);
            assertThat(survivor.metrics().snapshot().completed()).isEqualTo(20);

            // the crashed replica comes back to life and writes its (stale) results
            List<Completion> late = doomedClaims.stream()
                    .map(ref -> new Completion(ref, new SyncResult.Fetched(staleSnapshot(), Map.of(), List.of(), null)))
                    .toList();
            assertThat(new SyncQueue(database.dsl()).complete(late)).as("fenced off").isEmpty();
        }
        assertThat(database.value(Long.class, "SELECT count(*) FROM changesets WHERE title = 'stale' AND repo_id = "
                + repo.id())).isZero();
        assertThat(simulator.overlaps()).isZero();
        assertThat(ids).allSatisfy(id -> assertThat(simulator.fetchesOf(id)).isEqualTo(2));
    }

    @Test
    void byDefaultAChangesetACrashedReplicaHeldIsOutOfReachForAtMostTheLeasePlusASecond() {
        WorkerSettings defaults = WorkerSettings.defaults("w");

        assertThat(defaults.sweepPeriod()).isEqualTo(ofSeconds(1));
        assertThat(defaults.crashedClaimBound()).as("docs/schedule.md promises it").isEqualTo(ofSeconds(16));
        assertThat(defaults.withLease(ofSeconds(3)).sweepPeriod()).isEqualTo(ofMillis(500));
        assertThat(defaults.withLease(ofMillis(500)).crashedClaimBound()).isGreaterThan(ofMillis(500));
    }

    @Test
    void aRequestForAChangesetACrashedReplicaHeldIsServedByTheSweeperWithoutWaitingForThePoll() {
        CodeHost host = catalog.host(FAST);
        long id = catalog.changeset(catalog.repo(host));
        SimulatedCodeHost stuck = new SimulatedCodeHost(SimulationSettings.DEFAULT);
        stuck.hold();
        SimulatedCodeHost healthy = new SimulatedCodeHost(SimulationSettings.DEFAULT);

        try (CapturedLogs logs = new CapturedLogs(); Replicas replicas = new Replicas(database)) {
            Replica doomed = replicas.start(settings("doomed"), stuck); // the default lease
            await().atMost(ofSeconds(30)).until(() -> stuck.fetchesOf(id) == 1);
            // the survivor sleeps through everything but NOTIFYs and its own sweeps
            Replica survivor = replicas.start(settings("survivor").withPollInterval(ofMinutes(10)), healthy);
            await().atMost(ofSeconds(30)).until(survivor::asleep);
            database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'held by a dead one')"
                    .formatted(id));
            doomed.kill();

            await().atMost(ofSeconds(90)).until(() -> database.value(Boolean.class,
                    "SELECT served_at IS NOT NULL FROM sync_requests WHERE changeset_id = " + id));
            assertThat(logs.text()).as("the survivor's sweep released it").contains("released 1 expired leases");
        }
        assertThat(database.value(String.class, "SELECT served_by FROM sync_requests WHERE changeset_id = " + id))
                .isEqualTo("survivor");
        assertThat(healthy.fetchesOf(id)).isEqualTo(1);
    }

    @Test
    void aRequestInsertedWhileReplicasIdleIsPickedUpThroughNotifyNotThePoll() {
        CodeHost host = catalog.host();
        long id = catalog.changeset(catalog.repo(host));
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT);

        try (Replicas replicas = new Replicas(database)) {
            Replica idle1 = replicas.start(settings("idle-1").withPollInterval(ofMinutes(10)), simulator);
            Replica idle2 = replicas.start(settings("idle-2").withPollInterval(ofMinutes(10)), simulator);
            await().atMost(ofSeconds(30)).until(() -> simulator.fetchesOf(id) == 1);
            await().atMost(ofSeconds(10)).until(() -> database.value(Boolean.class,
                    "SELECT last_synced_at IS NOT NULL AND claim_token IS NULL FROM changeset_sync_state WHERE changeset_id = " + id));
            // both replicas asleep with nothing due: the poll would wake them in ten minutes
            await().atMost(ofSeconds(30)).until(() -> idle1.asleep() && idle2.asleep());

            database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'please')".formatted(id));

            await().atMost(ofSeconds(60)).until(() -> simulator.fetchesOf(id) == 2);
            await().atMost(ofSeconds(60)).until(() -> database.value(Boolean.class,
                    "SELECT served_at IS NOT NULL FROM sync_requests WHERE changeset_id = " + id));
        }
        assertThat(database.value(String.class, "SELECT served_by FROM sync_requests WHERE changeset_id = " + id))
                .startsWith("idle-");
        assertThat(database.value(Long.class, """
                SELECT count(*) FROM sync_requests q JOIN changeset_sync_state s USING (changeset_id)
                 WHERE q.changeset_id = %d AND s.requested_at IS NULL AND s.priority = 0""".formatted(id)))
                .isEqualTo(1);
    }

    @Test
    void aRequestStartsAtOnceEvenWhenEverySlotIsBusyWithASlowHost() {
        CodeHost host = catalog.host();
        List<Long> ids = catalog.changesets(catalog.repo(host), 40);
        long requested = ids.getLast();
        database.execute("UPDATE changeset_sync_state SET last_synced_at = now(), last_attempt_at = now(), "
                + "synced_updated_at = now() - interval '1 day' WHERE changeset_id = " + requested);
        SimulatedCodeHost slow = new SimulatedCodeHost(SimulationSettings.DEFAULT);
        slow.hold(); // every fetch runs until the test ends

        try (Replicas replicas = new Replicas(database)) {
            replicas.start(settings("busy").withConcurrency(4).withPollInterval(ofMinutes(10))
                    .withShutdownGrace(ofMillis(100)), slow);
            await().atMost(ofSeconds(30)).until(() -> slow.fetches() == 4); // every regular slot taken

            database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'now')".formatted(requested));

            // started in an express slot: a regular one never frees
            await().atMost(ofSeconds(60)).until(() -> slow.fetchesOf(requested) == 1);
            assertThat(slow.fetches()).isEqualTo(5);
            assertThat(slow.running()).isEqualTo(5);
        }
    }

    @Test
    void aFailingChangesetBacksOffAndAGoneOneIsLeftAloneWhileTheOthersSync() {
        CodeHost host = catalog.host(FAST);
        List<Long> ids = catalog.changesets(catalog.repo(host), 50);
        long failing = ids.get(10);
        long gone = ids.get(20);
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT);
        simulator.script(failing, SimulatedCodeHost.Scripted.FAIL);
        simulator.script(gone, SimulatedCodeHost.Scripted.GONE);

        recordAttemptsOf(failing);

        try (Replicas replicas = new Replicas(database)) {
            replicas.start(settings("backoff").withPollInterval(ofMillis(200)), simulator);
            // all but the failing one: the gone one was synced too, to find it gone
            await().atMost(ofSeconds(30)).until(() -> database.value(Long.class,
                    "SELECT count(*) FROM changeset_sync_state WHERE last_synced_at IS NOT NULL AND code_host_id = "
                            + host.id()) == 49);
            // retries after 1 s, then 2 s: three attempts
            await().atMost(ofSeconds(60)).until(() -> database.value(Integer.class,
                    "SELECT failures FROM changeset_sync_state WHERE changeset_id = " + failing) >= 3);
        }

        long attempts = simulator.fetchesOf(failing);
        assertThat(database.value(Integer.class, "SELECT failures FROM changeset_sync_state WHERE changeset_id = " + failing))
                .as("every attempt recorded").isEqualTo((int) attempts);
        // each retry was claimed no earlier than the backoff the previous failure set, and the backoff doubles
        assertThat(database.value(Long.class, """
                SELECT count(*) FROM attempt_log a JOIN attempt_log b ON b.failures = a.failures + 1
                 WHERE b.attempted_at < a.next_sync_at""")).isZero();
        List<Double> backoffSeconds = database.dsl()
                .fetch("SELECT extract(epoch FROM next_sync_at - attempted_at) FROM attempt_log ORDER BY failures")
                .getValues(0, Double.class);
        assertThat(backoffSeconds).hasSize((int) attempts);
        for (int k = 0; k < 3; k++) { // 1 s, 2 s, 4 s, each shortened by the changeset's jitter (under 5 %)
            assertThat(backoffSeconds.get(k)).as("backoff after failure %d", k + 1)
                    .isBetween(0.95 * (1 << k), 1.0 * (1 << k));
        }
        assertThat(database.value(String.class, "SELECT last_error FROM changeset_sync_state WHERE changeset_id = " + failing))
                .isEqualTo("transient: simulated 502 Bad Gateway");
        assertThat(simulator.fetchesOf(gone)).isEqualTo(1);
        assertThat(database.value(String.class, "SELECT rule FROM changeset_schedule WHERE changeset_id = " + gone))
                .startsWith("gone");
        assertThat(ids.stream().filter(id -> id != failing && id != gone))
                .allSatisfy(id -> assertThat(simulator.fetchesOf(id)).as("changeset %d", id).isEqualTo(1));
    }

    @AfterEach
    void dropAttemptLog() {
        database.execute("DROP TRIGGER IF EXISTS test_log_attempt ON changeset_sync_state; "
                + "DROP FUNCTION IF EXISTS test_log_attempt(); DROP TABLE IF EXISTS attempt_log");
    }

    @Test
    void killingTheReplicasDatabaseConnectionsDoesNotStopTheWork() {
        CodeHost host = catalog.host(FAST);
        for (int r = 0; r < 5; r++) {
            catalog.changesets(catalog.repo(host), 1000);
        }
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT.withLatency(ofMillis(2)));

        try (Replicas replicas = new Replicas(database)) {
            replicas.start(settings("term-1").withConcurrency(8).withLease(ofSeconds(3)), simulator);
            replicas.start(settings("term-2").withConcurrency(8).withLease(ofSeconds(3)), simulator);
            for (int round = 0; round < 5; round++) {
                long before = simulator.fetches();
                await().atMost(ofSeconds(60)).until(() -> simulator.fetches() >= before + 50); // working again
                database.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'term-%'");
            }
            await().atMost(ofSeconds(90)).until(() -> database.value(Long.class,
                    "SELECT count(*) FROM changeset_sync_state WHERE (last_synced_at IS NULL OR claim_token IS NOT NULL) "
                            + "AND code_host_id = " + host.id()) == 0);
        }
        assertThat(simulator.fetchCounts()).hasSize(5000);
        assertThat(simulator.overlaps()).isZero();
    }

    @Test
    void aGracefulStopGivesUnfinishedClaimsBackWithoutCountingAFailure() {
        CodeHost host = catalog.host();
        List<Long> ids = catalog.changesets(catalog.repo(host), 5);
        SimulatedCodeHost slow = new SimulatedCodeHost(SimulationSettings.DEFAULT.withLatency(ofHours(1)));

        try (Replicas replicas = new Replicas(database)) {
            Replica stopping = replicas.start(settings("graceful").withConcurrency(5).withShutdownGrace(ofMillis(300)), slow);
            await().atMost(ofSeconds(30)).until(() -> slow.fetches() == 5);

            stopping.stop();

            assertThat(stopping.metrics().snapshot().released()).isEqualTo(5);
            assertThat(database.value(Long.class, """
                    SELECT count(*) FROM changeset_schedule
                     WHERE due AND lease_holder IS NULL AND failures = 0 AND code_host_id = %d""".formatted(host.id())))
                    .isEqualTo(5);

            SimulatedCodeHost quick = new SimulatedCodeHost(SimulationSettings.DEFAULT);
            replicas.start(settings("successor"), quick);
            await().atMost(ofSeconds(30)).until(() -> ids.stream().allMatch(id -> quick.fetchesOf(id) == 1));
        }
    }

    WorkerSettings settings(String workerId) {
        return WorkerSettings.defaults(workerId).withConcurrency(4).withBatchSize(16);
    }

    List<ClaimRef> claimsHeldBy(String worker) {
        return database.dsl().fetch("SELECT changeset_id, claim_token FROM changeset_sync_state WHERE lease_holder = ?",
                        worker)
                .map(r -> new ClaimRef(r.get(0, Long.class), r.get(1, Long.class)));
    }

    static ChangesetSnapshot staleSnapshot() {
        return new ChangesetSnapshot(ChangesetState.OPEN, "stale", "ghost", "http://x/1", "a", "main", "abc",
                ReviewState.NONE, CheckState.NONE, Instant.parse("2020-01-01T00:00:00Z"), null);
    }

    /**
     * Keeps, in a table of the test's own, each failed attempt of one changeset as the write-back
     * recorded it: when it started, and when the schedule then made the retry due.
     */
    void recordAttemptsOf(long changesetId) {
        database.execute("""
                CREATE TABLE IF NOT EXISTS attempt_log (failures integer, attempted_at timestamptz, next_sync_at timestamptz);
                TRUNCATE attempt_log;
                CREATE OR REPLACE FUNCTION test_log_attempt() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO attempt_log VALUES (NEW.failures, NEW.last_attempt_at, NEW.next_sync_at);
                    RETURN NULL;
                END $$;
                CREATE OR REPLACE TRIGGER test_log_attempt AFTER UPDATE OF failures ON changeset_sync_state
                    FOR EACH ROW WHEN (NEW.changeset_id = %d AND NEW.failures > OLD.failures)
                    EXECUTE FUNCTION test_log_attempt();""".formatted(changesetId));
    }
}
