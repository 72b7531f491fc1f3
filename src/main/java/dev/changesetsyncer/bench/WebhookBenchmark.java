package dev.changesetsyncer.bench;

import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.http.HttpSettings;
import dev.changesetsyncer.service.HttpService;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.webhooks.GitHubWebhookSender;
import dev.changesetsyncer.webhooks.WebhookSecrets;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jooq.Record;

/**
 * Webhooks into one replica's HTTP server, from a load generator on loopback in the same JVM:
 * GitHub-format {@code pull_request} deliveries, signed, padded to the size of GitHub's (~25 KB).
 * <ul>
 *   <li>throughput: deliveries per second answered 200, each stored (one event, one delivery id),
 *       bounded by a count and by a time limit;</li>
 *   <li>latency: from sending a delivery to the start of the changeset's sync, with an idle
 *       replica (it polls every ten minutes: only the delivery's NOTIFY wakes it).</li>
 * </ul>
 */
final class WebhookBenchmark {
    static final String SECRET = "benchmark-webhook-secret";
    /** Description characters that make a delivery as large as GitHub's pull request events. */
    static final int PADDING = 24_000;
    static final Duration TIME_LIMIT = Duration.ofSeconds(60);
    static final int CLIENTS = 32;

    /** @param replicaClaims claim round trips the replica made meanwhile (each delivery that made a changeset due earlier woke it) */
    record ThroughputResult(long deliveries, int clients, int bodyBytes, double seconds, double deliveriesPerSecond,
            long answered200, long otherAnswers, long eventsStored, Percentiles answerLatency, long replicaClaims) {}

    /**
     * @param latency from sending the delivery to the start of the changeset's fetch
     * @param afterAnswer from the delivery's answer (stored, committed) to the start of the fetch
     */
    record LatencyResult(int deliveries, Percentiles latency, Percentiles afterAnswer, String minSyncDelay) {}

    private record Target(long changesetId, long repoId, String repoName, String number) {}

    private final BenchDatabase db;
    private final WorkerSettings template;

    WebhookBenchmark(BenchDatabase db, WorkerSettings template) {
        this.db = db;
        this.template = template;
    }

    ThroughputResult throughput(long deliveries) throws Exception {
        CodeHost host = db.emptyWithHost("webhooks");
        db.seed(host, 10_000, 0.0);
        db.dsl.execute("VACUUM ANALYZE");
        List<Target> targets = targets(10_000);
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT.withChangeRate(0));
        List<Replica> replicas = BenchReplicas.start(db.url, template, "webhooks", 1, codeHost -> simulator);
        LongAdder ok = new LongAdder();
        LongAdder other = new LongAdder();
        long[] latencies = new long[(int) deliveries];
        AtomicInteger next = new AtomicInteger();
        long started;
        long finished;
        long claimsBefore;
        long claims;
        int bodyBytes;
        try (HttpService service = HttpService.start("bench", HttpSettings.onPort(0), db.url,
                WebhookSecrets.of(Map.of(host.name(), SECRET)))) {
            GitHubWebhookSender sender = new GitHubWebhookSender("http://127.0.0.1:" + service.port(), host.name(), SECRET);
            List<GitHubWebhookSender.Signed> bodies = new ArrayList<>();
            for (Target target : targets.subList(0, 1000)) { // signed up front: the generator only sends
                bodies.add(sender.sign("pull_request", GitHubWebhookSender.pullRequestEvent("synchronize", target.repoId(),
                        target.repoName(), target.number(), "0000", PADDING)));
            }
            bodyBytes = bodies.getFirst().body().length;
            send(sender, bodies.subList(0, 10), 100, "warm-up"); // connections, JIT
            long deadline = System.nanoTime() + TIME_LIMIT.toNanos();
            claimsBefore = replicas.getFirst().metrics().snapshot().claimCalls();
            started = System.nanoTime();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < CLIENTS; c++) {
                    clients.submit(() -> {
                        for (int i = next.getAndIncrement(); i < deliveries && System.nanoTime() < deadline;
                                i = next.getAndIncrement()) {
                            long sent = System.nanoTime();
                            int status = sender.send(bodies.get(i % bodies.size()), "bench-" + i).status();
                            latencies[i] = System.nanoTime() - sent;
                            (status == 200 ? ok : other).increment();
                        }
                        return null;
                    });
                }
            }
            finished = System.nanoTime();
            claims = replicas.getFirst().metrics().snapshot().claimCalls() - claimsBefore;
        } finally {
            replicas.forEach(Replica::stop);
        }
        long sent = ok.sum() + other.sum();
        double seconds = (finished - started) / 1e9;
        long events = db.count("SELECT count(*) FROM changeset_events WHERE source = 'webhook' AND dedupe_key LIKE 'delivery:bench-%'");
        return new ThroughputResult(sent, CLIENTS, bodyBytes, seconds, ok.sum() / seconds, ok.sum(), other.sum(), events,
                Percentiles.of(Arrays.copyOf(latencies, (int) Math.min(sent, latencies.length))), claims);
    }

    LatencyResult latency(int deliveries) throws Exception {
        CodeHost host = db.emptyWithHost("webhook-latency");
        // the smallest wait the rule allows: the sync follows the event at once whichever way the rule places it
        ScheduleSettings tiny = new ScheduleSettings(Duration.ofMillis(1), ScheduleSettings.DEFAULTS.maxSyncDelay(),
                ScheduleSettings.DEFAULTS.checksPendingMaxDelay(), ScheduleSettings.DEFAULTS.finishedMaxDelay());
        new CatalogStore(db.dsl).updateSettings(host.id(), tiny);
        db.seed(host, 10_000, 0.0); // synced in the last half hour after days of quiet: due in hours
        db.dsl.execute("VACUUM ANALYZE");
        List<Target> targets = targets(deliveries);
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT.withChangeRate(0));
        Map<Long, CompletableFuture<Long>> fetchStarted = new ConcurrentHashMap<>();
        simulator.observeFetches(id -> {
            CompletableFuture<Long> waiting = fetchStarted.get(id);
            if (waiting != null) {
                waiting.complete(System.nanoTime());
            }
        });
        List<Replica> replicas = BenchReplicas.start(db.url, template.withPollInterval(Duration.ofMinutes(10)),
                "webhook-latency", 1, codeHost -> simulator);
        long[] latencies = new long[deliveries];
        long[] afterAnswer = new long[deliveries];
        try (HttpService service = HttpService.start("bench-latency", HttpSettings.onPort(0), db.url,
                WebhookSecrets.of(Map.of(host.name(), SECRET)))) {
            GitHubWebhookSender sender = new GitHubWebhookSender("http://127.0.0.1:" + service.port(), host.name(), SECRET);
            Thread.sleep(1_000); // let the replica fall asleep (it sleeps until a NOTIFY: its poll is ten minutes)
            for (int i = 0; i < deliveries; i++) {
                Target target = targets.get(i);
                // once measured, the changeset is gone from the host: no re-syncs keep the replica busy
                simulator.script(target.changesetId(), SimulatedCodeHost.Scripted.GONE);
                GitHubWebhookSender.Signed signed = sender.sign("pull_request", GitHubWebhookSender.pullRequestEvent(
                        "synchronize", target.repoId(), target.repoName(), target.number(), "0000", PADDING));
                CompletableFuture<Long> started = new CompletableFuture<>();
                fetchStarted.put(target.changesetId(), started);
                long sent = System.nanoTime();
                int status = sender.send(signed, "latency-" + i).status();
                long answered = System.nanoTime();
                if (status != 200) {
                    throw new IllegalStateException("delivery " + i + " was answered " + status);
                }
                long fetched = started.get(30, TimeUnit.SECONDS);
                latencies[i] = fetched - sent;
                afterAnswer[i] = fetched - answered;
                Thread.sleep(10);
            }
        } finally {
            replicas.forEach(Replica::stop);
        }
        return new LatencyResult(deliveries, Percentiles.of(latencies), Percentiles.of(afterAnswer), "1 ms");
    }

    private List<Target> targets(int count) {
        List<Target> targets = new ArrayList<>();
        for (Record r : db.dsl.fetch("""
                SELECT c.id, r.id AS repo_id, r.name, c.external_id FROM changesets c JOIN repos r ON r.id = c.repo_id
                 ORDER BY c.id LIMIT ?""", count)) {
            targets.add(new Target(r.get("id", Long.class), r.get("repo_id", Long.class), r.get("name", String.class),
                    r.get("external_id", String.class)));
        }
        return targets;
    }

    private static void send(GitHubWebhookSender sender, List<GitHubWebhookSender.Signed> bodies, int count, String prefix)
            throws Exception {
        for (int i = 0; i < count; i++) {
            sender.send(bodies.get(i % bodies.size()), prefix + "-" + i);
        }
    }
}
