package dev.changesetsyncer.worker;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.codehost.CodeHostClients;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.db.DatabaseConfig;
import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.queue.ClaimRef;
import dev.changesetsyncer.queue.SyncQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker replica: its own connection pool, a claim loop, changeset and repository syncs on virtual
 * threads, a batching writer, a lease keeper, a sweeper for other replicas' expired leases, and a
 * LISTEN connection.
 * Any number of replicas, in one process or many, may run against one database.
 */
public final class Replica {
    private static final Logger log = LoggerFactory.getLogger(Replica.class);
    /**
     * Pooled connections: the claim loop, the writer and the housekeeping thread each use one at a
     * time, plus a spare. The LISTEN connection comes on top: {@value} + 1 per replica.
     */
    private static final int POOL_SIZE = 4;
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);

    private final WorkerSettings settings;
    private final HikariDataSource pool;
    /**
     * A part that has not turned for this long is reported dead: longer than a database call may hang
     * (the socket timeout) plus a reconnect's backoff.
     */
    static final Duration STALL_LIMIT = SOCKET_TIMEOUT.multipliedBy(2);

    private final WorkerMetrics metrics;
    private final InFlight inFlight = new InFlight();
    private final SyncQueue queue;
    private final Wakeup workArrived = new Wakeup();
    private final Wakeup capacityFreed = new Wakeup();
    private final HostShares shares;
    private final CompletionWriter writer;
    private final RepoSyncs repoSyncs;
    private final ClaimLoop claimLoop;
    private final WakeupListener listener;
    private final ExecutorService syncs = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService housekeeping;
    private final Thread claimThread;
    private final Thread writerThread;
    private final Thread listenerThread;
    private volatile boolean stopped;

    private Replica(WorkerSettings settings, String jdbcUrl, CodeHostClients clients, MeterRegistry registry) {
        this.settings = settings;
        this.metrics = new WorkerMetrics(registry);
        this.pool = DataSources.openForWorker(new DatabaseConfig(jdbcUrl, settings.workerId(), POOL_SIZE),
                SOCKET_TIMEOUT, registry);
        metrics.inFlight(settings.workerId(), inFlight::size);
        this.queue = new SyncQueue(DSL.using(pool, SQLDialect.POSTGRES));
        this.writer = new CompletionWriter(settings.workerId(), queue, metrics, () -> {
            capacityFreed.signal();
            workArrived.signal(); // a write-back can make something due sooner than the loop thought
        }, inFlight::remove, inFlight::codeHostName);
        this.shares = new HostShares(settings.concurrency());
        SyncLauncher launcher = new SyncLauncher(settings, clients, writer, inFlight, shares, syncs, capacityFreed,
                metrics);
        this.repoSyncs = new RepoSyncs(settings, clients, queue, writer, syncs, capacityFreed);
        this.claimLoop = new ClaimLoop(settings, queue, launcher, repoSyncs, shares, writer, metrics, workArrived,
                capacityFreed);
        this.listener = new WakeupListener(settings.workerId(), jdbcUrl, claimLoop::requestsArrived, metrics);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name(settings.workerId() + "-housekeeping").daemon().factory());
        this.claimThread = Thread.ofPlatform().name(settings.workerId() + "-claims").unstarted(claimLoop);
        this.writerThread = Thread.ofPlatform().name(settings.workerId() + "-writer").unstarted(writer);
        this.listenerThread = Thread.ofPlatform().name(settings.workerId() + "-listener").daemon().unstarted(listener);
    }

    /**
     * Starts a replica. The schema must be migrated (the {@code run} command does so first).
     *
     * @param jdbcUrl the database; the replica opens a pool of 4 connections and a LISTEN connection,
     *     all named after its worker id in {@code pg_stat_activity}
     * @param clients resolves each claimed changeset's code host client
     */
    public static Replica start(WorkerSettings settings, String jdbcUrl, CodeHostClients clients) {
        return start(settings, jdbcUrl, clients, new SimpleMeterRegistry());
    }

    /**
     * As {@link #start(WorkerSettings, String, CodeHostClients)}, with its meters (and its pool's) in
     * {@code registry}: replicas sharing a registry add up their counts.
     */
    public static Replica start(WorkerSettings settings, String jdbcUrl, CodeHostClients clients,
            MeterRegistry registry) {
        Replica replica = new Replica(settings, jdbcUrl, clients, registry);
        replica.startThreads();
        return replica;
    }

    private void startThreads() {
        listenerThread.start();
        writerThread.start();
        claimThread.start();
        Duration heartbeat = LeaseKeeper.period(settings.lease());
        housekeeping.scheduleWithFixedDelay(
                new Guarded("lease heartbeat", settings.workerId(), log, metrics.databaseErrors,
                        new LeaseKeeper(settings.workerId(), queue, inFlight, settings.lease(), metrics)),
                heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        housekeeping.scheduleWithFixedDelay(
                new Guarded("repository lease heartbeat", settings.workerId(), log, metrics.databaseErrors,
                        repoSyncs::heartbeat),
                heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        housekeeping.scheduleWithFixedDelay(
                new Guarded("code host count", settings.workerId(), log, metrics.databaseErrors,
                        () -> shares.severalHosts(queue.codeHostCount() > 1)),
                0, 30, TimeUnit.SECONDS);
        long sweepMillis = settings.sweepPeriod().toMillis();
        housekeeping.scheduleWithFixedDelay(
                new Guarded("expired-lease sweep", settings.workerId(), log, metrics.databaseErrors, this::sweep),
                sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        log.info("replica {} started: concurrency {}, batch {}, lease {}, poll {}", settings.workerId(),
                settings.concurrency(), settings.batchSize(), settings.lease(), settings.pollInterval());
    }

    private void sweep() {
        int released = queue.releaseExpiredLeases();
        if (released > 0) {
            log.info("released {} expired leases of other workers; they are retried with backoff", released);
            claimLoop.requestsArrived(); // a request may wait for one of them: claim now, express slots too
        }
        int repos = queue.releaseExpiredRepoLeases();
        if (repos > 0) {
            log.info("released {} expired repository leases of other workers; they are retried with backoff", repos);
            workArrived.signal();
        }
    }

    public String workerId() {
        return settings.workerId();
    }

    public WorkerMetrics metrics() {
        return metrics;
    }

    /**
     * The claim loop, the writer and the LISTEN connection's thread: each alive while its thread runs
     * and it turned within its stall limit (the claim loop may sleep a poll interval more). After a
     * stop they are all dead, as they should be.
     */
    public List<Liveness> liveness() {
        long now = System.nanoTime();
        return List.of(
                liveness("claim loop", claimThread, now - claimLoop.lastTurnNanos(),
                        STALL_LIMIT.plus(settings.pollInterval().multipliedBy(2))),
                liveness("writer", writerThread, now - writer.lastTurnNanos(), STALL_LIMIT),
                liveness("listener", listenerThread, now - listener.lastTurnNanos(), STALL_LIMIT));
    }

    private static Liveness liveness(String part, Thread thread, long sinceTurnNanos, Duration limit) {
        Duration since = Duration.ofNanos(sinceTurnNanos);
        if (!thread.isAlive()) {
            return new Liveness(part, false, "its thread " + thread.getName() + " has ended");
        }
        if (since.compareTo(limit) > 0) {
            return new Liveness(part, false, "stuck: last turned " + since.toSeconds() + " s ago (limit "
                    + limit.toSeconds() + " s)");
        }
        return new Liveness(part, true, "turned " + since.toMillis() + " ms ago");
    }

    /**
     * The claim loop sleeps with nothing due, until a wake-up (a NOTIFY, a write-back) or the poll
     * interval: for tests that must know a request can only be picked up through its NOTIFY.
     */
    boolean asleep() {
        return workArrived.parked();
    }

    /** Claims held right now: syncs running, and finished ones whose result is not written back yet. */
    public int inFlight() {
        return inFlight.size();
    }

    /** Repository syncs this replica has written back so far. */
    public long repoSyncsWritten() {
        return repoSyncs.written();
    }

    /**
     * Graceful stop: claims nothing more, lets running syncs finish for up to the shutdown grace,
     * gives the rest back to the queue (no failure counted), writes back every result, and closes.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        log.info("replica {} stopping: {} syncs in flight", settings.workerId(), inFlight.size());
        claimLoop.stop();
        join(claimThread, Duration.ofSeconds(5));
        while ((!inFlight.running().isEmpty() || repoSyncs.running() > 0) && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(20));
        }
        releaseUnfinished();
        repoSyncs.releaseUnfinished();
        writer.stopAfterFlush();
        join(writerThread, Duration.ofNanos(Math.max(deadline - System.nanoTime(), Duration.ofSeconds(5).toNanos())));
        if (writerThread.isAlive()) {
            writer.stopNow();
            join(writerThread, Duration.ofSeconds(1));
        }
        closeEverything();
        WorkerMetrics.Snapshot m = metrics.snapshot();
        log.info("replica {} stopped: {} synced, {} failed, {} released unfinished", settings.workerId(),
                m.completed(), m.failed(), m.released());
    }

    /**
     * Simulates a crash: every thread stops at once, nothing is written back or released. The
     * claims stay leased in the database until they expire and another replica sweeps them.
     */
    public synchronized void kill() {
        if (stopped) {
            return;
        }
        stopped = true;
        log.warn("replica {} killed with {} syncs in flight", settings.workerId(), inFlight.size());
        claimLoop.stop();
        writer.stopNow();
        inFlight.all().forEach(InFlightSync::lose);
        repoSyncs.loseAll();
        closeEverything();
    }

    /** Gives back the claims whose sync is still running; finished ones are written by the writer's flush. */
    private void releaseUnfinished() {
        List<ClaimRef> unfinished = new ArrayList<>();
        for (InFlightSync sync : inFlight.running()) {
            if (sync.lose() == InFlightSync.State.RUNNING) { // else its result just went to the writer
                unfinished.add(sync.ref());
            }
        }
        if (unfinished.isEmpty()) {
            return;
        }
        try {
            int released = queue.release(unfinished);
            metrics.released.increment(released);
            log.info("gave {} unfinished claims back to the queue", released);
        } catch (RuntimeException e) {
            log.warn("could not give {} unfinished claims back; their leases will expire: {}", unfinished.size(),
                    DatabaseErrors.brief(e));
        }
    }

    private void closeEverything() {
        housekeeping.shutdownNow();
        listener.stop();
        syncs.shutdownNow();
        claimThread.interrupt();
        pool.close();
    }

    private static void join(Thread thread, Duration timeout) {
        try {
            thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
