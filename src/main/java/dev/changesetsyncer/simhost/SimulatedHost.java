package dev.changesetsyncer.simhost;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.changesetsyncer.codehost.http.SyncCaller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GitHub that runs in its own process (Jetty on 127.0.0.1), serving a generated population of
 * repositories and pull requests that changes every second, and recording every fetch
 * ({@link FetchLog}). Besides the GitHub endpoints it serves {@code GET /_sim/report} (what it saw:
 * requests, syncs, overlaps, ETag hits) and {@code GET /_sim/population} (the repositories and how
 * many pull requests each has, for a harness to register them).
 */
public final class SimulatedHost implements AutoCloseable {
    /** The first line {@code simulate-host} prints, followed by the base URL: a harness reads the port from it. */
    public static final String READY_LINE_PREFIX = "simulate-host: listening on ";
    private static final Logger log = LoggerFactory.getLogger(SimulatedHost.class);
    private static final ObjectMapper json = new ObjectMapper();

    private final HostSettings settings;
    private final Server server;
    private final ServerConnector connector;
    private final ScheduledExecutorService clock;
    private final FetchJournal journal;
    private final FetchLog fetches;
    private final long startNanos = System.nanoTime();
    private final Instant start = Instant.now();
    private final AtomicLong ticks = new AtomicLong();
    private final Population population;
    private GitHubApi api;
    private HostLimits limits;

    private SimulatedHost(HostSettings settings, Path fetchLog) {
        this.settings = settings;
        this.journal = fetchLog == null ? null : new FetchJournal(fetchLog);
        this.fetches = new FetchLog(journal);
        this.population = new Population(settings, start);
        QueuedThreadPool threads = new QueuedThreadPool(1024, 8);
        threads.setName("simulated-host");
        this.server = new Server(threads);
        this.connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(settings.port());
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                serve(request, response, callback);
                return true;
            }
        });
        this.clock = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("simulated-host-clock").daemon().factory());
    }

    /** Starts serving; {@link #port()} tells where. */
    public static SimulatedHost start(HostSettings settings) throws Exception {
        return start(settings, null);
    }

    /** As {@link #start(HostSettings)}, writing every request as a JSON line to {@code fetchLog} (null: nowhere). */
    public static SimulatedHost start(HostSettings settings, Path fetchLog) throws Exception {
        SimulatedHost host = new SimulatedHost(settings, fetchLog);
        host.server.start();
        String apiBase = host.baseUrl();
        host.limits = new HostLimits(settings, host.startNanos, host.start);
        host.api = new GitHubApi(settings, host.population, new GitHubPayloads(apiBase, settings.checksTake()), host.limits,
                apiBase);
        host.clock.scheduleAtFixedRate(host::tick, 1, 1, TimeUnit.SECONDS);
        log.info("simulated GitHub at {}: {} pull requests in {} repositories of {}", apiBase, settings.pulls(),
                settings.repos(), settings.owner());
        return host;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** The API root clients use as the code host's {@code base_url}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    private void tick() {
        try {
            long n = ticks.incrementAndGet();
            population.tick(n, start.plus(Duration.ofSeconds(n)));
            if (journal != null) {
                journal.flush();
            }
        } catch (RuntimeException e) {
            log.error("the population's tick failed; it will try the next one", e);
        }
    }

    private void serve(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (path.startsWith("/_sim/")) {
            serveOwn(path, response, callback);
            return;
        }
        if (!request.getMethod().equals("GET")) {
            write(response, callback, new GitHubApi.Answer(404, new HashMap<>(),
                    "{\"message\":\"Not Found\",\"status\":\"404\"}".getBytes(StandardCharsets.UTF_8)));
            return;
        }
        Route route = Route.parse(path);
        String worker = request.getHeaders().get(SyncCaller.WORKER_HEADER);
        String replica = worker != null ? worker
                : request.getHeaders().get(HttpHeader.USER_AGENT) != null ? request.getHeaders().get(HttpHeader.USER_AGENT)
                : Request.getRemoteAddr(request);
        FetchLog.Fetch fetch = fetches.begin(route.endpoint(), api.changesetOf(route),
                request.getHeaders().get(SyncCaller.CLAIM_HEADER), replica);
        GitHubApi.Answer answer;
        try {
            if (!settings.latency().isZero()) {
                Thread.sleep(settings.latency());
            }
            answer = api.answer(route, new GitHubApi.ApiRequest(path, query(request),
                    request.getHeaders().get(HttpHeader.AUTHORIZATION), request.getHeaders().get(HttpHeader.IF_NONE_MATCH)),
                    System.nanoTime(), Instant.now());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer = new GitHubApi.Answer(503, new HashMap<>(), new byte[0]);
        } catch (RuntimeException e) {
            log.error("answering GET {} failed", path, e);
            answer = new GitHubApi.Answer(500, new HashMap<>(),
                    "{\"message\":\"Server Error\",\"status\":\"500\"}".getBytes(StandardCharsets.UTF_8));
        }
        fetches.end(fetch, answer.status());
        write(response, callback, answer);
    }

    private static Map<String, String> query(Request request) {
        Fields fields = Request.extractQueryParameters(request);
        Map<String, String> query = new TreeMap<>();
        for (Fields.Field field : fields) {
            query.put(field.getName(), field.getValue());
        }
        return query;
    }

    private void serveOwn(String path, Response response, Callback callback) {
        byte[] body;
        int status = 200;
        switch (path) {
            case "/_sim/report" -> body = bytes(report());
            case "/_sim/population" -> body = bytes(populationSummary());
            default -> {
                status = 404;
                body = "{\"message\":\"no such simulator endpoint: use /_sim/report or /_sim/population\"}"
                        .getBytes(StandardCharsets.UTF_8);
            }
        }
        write(response, callback, new GitHubApi.Answer(status, new HashMap<>(), body));
    }

    private static void write(Response response, Callback callback, GitHubApi.Answer answer) {
        response.setStatus(answer.status());
        answer.headers().forEach((name, value) -> response.getHeaders().put(name, value));
        if (answer.body().length > 0) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        }
        response.getHeaders().put("x-github-api-version-selected", "2022-11-28");
        response.write(true, ByteBuffer.wrap(answer.body()), callback);
    }

    /** What the host saw so far; the same document {@code GET /_sim/report} serves. */
    public ObjectNode report() {
        ObjectNode report = json.createObjectNode();
        long now = System.nanoTime();
        report.put("uptime_seconds", (now - startNanos) / 1_000_000_000.0);
        report.put("requests", fetches.requests());
        report.put("syncs", fetches.syncs());
        report.put("overlaps", fetches.overlaps());
        report.put("etag_hits", fetches.etagHits());
        report.set("by_status", json.valueToTree(fetches.byStatus()));
        report.set("by_endpoint", json.valueToTree(fetches.byEndpoint()));
        long[] perChangeset = fetches.syncsPerChangeset();
        ObjectNode distribution = report.putObject("syncs_per_changeset");
        distribution.put("changesets", perChangeset.length);
        if (perChangeset.length > 0) {
            distribution.put("min", perChangeset[0]);
            distribution.put("median", perChangeset[perChangeset.length / 2]);
            distribution.put("p99", perChangeset[(int) Math.min(perChangeset.length - 1, perChangeset.length * 0.99)]);
            distribution.put("max", perChangeset[perChangeset.length - 1]);
        }
        ObjectNode replicas = report.putObject("replicas");
        fetches.byReplica().forEach((replica, counts) -> {
            ObjectNode entry = replicas.putObject(replica);
            entry.put("requests", counts[0]);
            entry.put("syncs", counts[1]);
        });
        ArrayNode examples = report.putArray("overlap_examples");
        fetches.overlapExamples().forEach(overlap -> examples.add(json.valueToTree(overlap)));
        report.put("rate_limit_windows", limits.windowsOpened(now));
        ObjectNode changes = report.putObject("population");
        changes.put("pulls", settings.pulls());
        changes.put("changes", population.changes());
        changes.put("deleted", population.deletions());
        return report;
    }

    private ObjectNode populationSummary() {
        ObjectNode summary = json.createObjectNode();
        summary.put("owner", settings.owner());
        summary.put("pulls_per_repo", settings.pullsPerRepo());
        ArrayNode repos = summary.putArray("repos");
        for (Repository repo : population.repos()) {
            ObjectNode entry = repos.addObject();
            entry.put("id", repo.id());
            entry.put("full_name", repo.fullName());
        }
        return summary;
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        clock.shutdownNow();
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("the simulated host did not stop cleanly: {}", e.toString());
        }
        if (journal != null) {
            journal.close();
        }
    }
}
