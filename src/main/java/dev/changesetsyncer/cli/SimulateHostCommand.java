package dev.changesetsyncer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.changesetsyncer.simhost.HostSettings;
import dev.changesetsyncer.simhost.SimulatedHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code simulate-host}: a GitHub over HTTP, in its own process, that watches its callers. */
@Command(name = "simulate-host", mixinStandardHelpOptions = true,
        description = {"Serve a simulated GitHub REST API on 127.0.0.1 (pull requests, reviews, check runs, combined "
                + "status, repositories, pull request lists; ETags and 304s, rate-limit headers, 404 for deleted pull "
                + "requests, 429 windows) with a generated population that changes over time, reproducible from --seed.",
            "It records every fetch and reports syncs per changeset, overlaps (one changeset fetched by two syncs at "
                    + "once) and ETag hits at GET /_sim/report, and on exit. Point a code host row of kind github at "
                    + "the printed URL and give replicas the token as SYNCER_TOKEN_<NAME>."})
final class SimulateHostCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "N", defaultValue = "0",
            description = "TCP port on 127.0.0.1 (default: any free one; the first line printed says which).")
    int port;

    @Option(names = "--repos", paramLabel = "N", defaultValue = "20", description = "Repositories (default: ${DEFAULT-VALUE}).")
    int repos;

    @Option(names = "--pulls-per-repo", paramLabel = "N", defaultValue = "100",
            description = "Pull requests per repository (default: ${DEFAULT-VALUE}).")
    int pullsPerRepo;

    @Option(names = "--owner", paramLabel = "LOGIN", defaultValue = "soak-org",
            description = "Organisation owning the repositories (default: ${DEFAULT-VALUE}).")
    String owner;

    @Option(names = "--latency", paramLabel = "DURATION", defaultValue = "20ms", converter = DurationConverter.class,
            description = "Time each answer takes (default: ${DEFAULT-VALUE}).")
    Duration latency;

    @Option(names = "--change-rate", paramLabel = "SHARE", defaultValue = "0.01",
            description = "Share of the pull requests that change each minute: pushes, reviews, edits, merges, closes "
                    + "(default: ${DEFAULT-VALUE}).")
    double changeRate;

    @Option(names = "--gone-rate", paramLabel = "SHARE", defaultValue = "0.0005",
            description = "Share of the pull requests deleted each minute, answered 404 from then on (default: ${DEFAULT-VALUE}).")
    double goneRate;

    @Option(names = "--error-rate", paramLabel = "SHARE", defaultValue = "0",
            description = "Share of requests answered 502 Bad Gateway (default: ${DEFAULT-VALUE}).")
    double errorRate;

    @Option(names = "--checks-take", paramLabel = "DURATION", defaultValue = "20s", converter = DurationConverter.class,
            description = "How long the checks of a new head commit run (default: ${DEFAULT-VALUE}).")
    Duration checksTake;

    @Option(names = "--rate-limit-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Open a window of 429 answers (with Retry-After) this often (default: never).")
    Duration rateLimitEvery;

    @Option(names = "--rate-limit-for", paramLabel = "DURATION", defaultValue = "3s", converter = DurationConverter.class,
            description = "How long each 429 window lasts (default: ${DEFAULT-VALUE}).")
    Duration rateLimitFor;

    @Option(names = "--quota-per-hour", paramLabel = "N", defaultValue = "1000000",
            description = "Primary rate limit reported in x-ratelimit-* headers; 304s are free (default: ${DEFAULT-VALUE}).")
    long quotaPerHour;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = HostSettings.DEFAULT_TOKEN,
            description = "The token clients must send (default: ${DEFAULT-VALUE}).")
    String token;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the population and its changes (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--fetch-log", paramLabel = "FILE",
            description = "Write every request as a JSON line (changeset, claim, replica, start, end, status) to this file.")
    Path fetchLog;

    @Override
    public Integer call() throws Exception {
        HostSettings settings = new HostSettings(port, owner, repos, pullsPerRepo, latency, changeRate, goneRate, errorRate,
                checksTake, rateLimitEvery, rateLimitFor, quotaPerHour, token, seed);
        SimulatedHost host = SimulatedHost.start(settings, fetchLog);
        System.out.println(SimulatedHost.READY_LINE_PREFIX + host.baseUrl());
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(host.report()));
                System.out.flush();
            } catch (Exception e) {
                System.err.println("simulate-host: could not print the final report: " + e);
            }
            host.close();
            stopped.countDown();
        }, "simulate-host-shutdown"));
        stopped.await();
        return 0;
    }
}
