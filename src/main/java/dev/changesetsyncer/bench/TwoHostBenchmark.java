package dev.changesetsyncer.bench;

import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.RateLimitSettings;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.codehost.CodeHostClient;
import dev.changesetsyncer.codehost.CodeHostClientRegistry;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerSettings;
import java.util.List;
import java.util.Map;

/**
 * Fairness under a rate limit: a fast host's throughput alone, and again next to a second host
 * throttled by its budget — and the throttled host's request rate against its limit.
 */
final class TwoHostBenchmark {
    /**
     * @param throttledLimitPerSecond the throttled host's budget, in requests per second
     * @param throttledPerSecond its measured request rate, after its initial burst
     */
    record Result(int replicas, double seconds, double fastAlonePerSecond, double fastBesideThrottledPerSecond,
            double throttledLimitPerSecond, int throttledBurst, double throttledPerSecond) {}

    private static final int REQUESTS_PER_HOUR = 36_000; // 10 a second
    private static final int BURST = 10;
    private final BenchDatabase db;
    private final WorkerSettings template;

    TwoHostBenchmark(BenchDatabase db, WorkerSettings template) {
        this.db = db;
        this.template = template;
    }

    /** Drains the fast host's backlog alone, then again beside the throttled host, and compares. */
    Result run(int replicaCount, long backlog) throws InterruptedException {
        CodeHost fast = db.emptyWithHost("fast");
        db.seed(fast, backlog, 1.0);
        SimulatedCodeHost fastAlone = new SimulatedCodeHost(SimulationSettings.DEFAULT.withChangeRate(0));
        double aloneSeconds = drain(replicaCount, backlog, fastAlone, Map.of(fast.id(), fastAlone));
        double alone = backlog / aloneSeconds;

        fast = db.emptyWithHost("fast");
        CatalogStore catalog = new CatalogStore(db.dsl);
        CodeHost throttled = catalog.createCodeHost("throttled", CodeHostKind.SIMULATED, "https://throttled.example.test",
                ScheduleSettings.DEFAULTS);
        catalog.updateRateLimits(throttled.id(), new RateLimitSettings(REQUESTS_PER_HOUR, BURST, 1, null));
        db.seed(fast, backlog, 1.0);
        db.seed(throttled, backlog, 1.0);
        SimulatedCodeHost fastBeside = new SimulatedCodeHost(SimulationSettings.DEFAULT.withChangeRate(0));
        SimulatedCodeHost limited = new SimulatedCodeHost(SimulationSettings.DEFAULT.withChangeRate(0));
        double besideSeconds = drain(replicaCount, backlog, fastBeside,
                Map.of(fast.id(), fastBeside, throttled.id(), limited));
        double beside = backlog / besideSeconds;
        double throttledRate = Math.max(0, limited.fetches() - BURST) / besideSeconds;
        return new Result(replicaCount, besideSeconds, alone, beside, REQUESTS_PER_HOUR / 3600.0, BURST, throttledRate);
    }

    /** Runs replicas until {@code watched} has seen {@code fetches} fetches; returns the seconds it took. */
    private double drain(int replicaCount, long fetches, SimulatedCodeHost watched, Map<Long, CodeHostClient> clients)
            throws InterruptedException {
        long started = System.nanoTime();
        List<Replica> replicas = BenchReplicas.start(db.url, template, "two-hosts", replicaCount,
                new CodeHostClientRegistry().register(CodeHostKind.SIMULATED, codeHost -> clients.get(codeHost.id())));
        while (watched.fetches() < fetches) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        replicas.forEach(Replica::stop);
        return seconds;
    }
}
