package dev.changesetsyncer.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.changesetsyncer.simhost.HostSettings;
import dev.changesetsyncer.simhost.SimulatedHost;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The simulated GitHub, as a process of its own, and its report over HTTP. */
final class SimulatedHostProcess {
    private static final ObjectMapper json = new ObjectMapper();
    private static final Duration STARTUP = Duration.ofSeconds(90);

    private final ChildProcess process;
    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SimulatedHostProcess(ChildProcess process, String baseUrl) {
        this.process = process;
        this.baseUrl = baseUrl;
    }

    static SimulatedHostProcess start(ReplicaCommandLine commandLine, HostSettings settings, Path log)
            throws InterruptedException {
        List<String> options = new ArrayList<>(options(settings));
        options.addAll(List.of("--fetch-log", log.resolveSibling("fetches.jsonl").toString()));
        ChildProcess process = ChildProcess.start("simulate-host", commandLine.simulatedHost(options), Map.of(), log);
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : lines(log)) {
                if (line.startsWith(SimulatedHost.READY_LINE_PREFIX)) {
                    return new SimulatedHostProcess(process, line.substring(SimulatedHost.READY_LINE_PREFIX.length()).trim());
                }
            }
            if (!process.alive()) {
                throw new IllegalStateException("the simulated host exited at start; see " + log);
            }
            Thread.sleep(100);
        }
        process.kill();
        throw new IllegalStateException("the simulated host did not say where it listens within " + STARTUP + "; see " + log);
    }

    private static List<String> options(HostSettings settings) {
        List<String> options = new ArrayList<>(List.of(
                "--port", String.valueOf(settings.port()),
                "--owner", settings.owner(),
                "--repos", String.valueOf(settings.repos()),
                "--pulls-per-repo", String.valueOf(settings.pullsPerRepo()),
                "--latency", settings.latency().toMillis() + "ms",
                "--change-rate", String.valueOf(settings.changeRate()),
                "--gone-rate", String.valueOf(settings.goneRate()),
                "--error-rate", String.valueOf(settings.errorRate()),
                "--checks-take", settings.checksTake().toMillis() + "ms",
                "--quota-per-hour", String.valueOf(settings.quotaPerHour()),
                "--token", settings.token(),
                "--seed", String.valueOf(settings.seed())));
        if (settings.rateLimitEvery() != null) {
            options.addAll(List.of("--rate-limit-every", settings.rateLimitEvery().toMillis() + "ms",
                    "--rate-limit-for", settings.rateLimitFor().toMillis() + "ms"));
        }
        return options;
    }

    private static List<String> lines(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    String baseUrl() {
        return baseUrl;
    }

    ChildProcess process() {
        return process;
    }

    /** What the host saw so far ({@code GET /_sim/report}). */
    JsonNode report() throws IOException, InterruptedException {
        return get("/_sim/report");
    }

    /** The repositories to register ({@code GET /_sim/population}). */
    JsonNode population() throws IOException, InterruptedException {
        return get("/_sim/population");
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + baseUrl + path + " answered " + response.statusCode());
        }
        return json.readTree(response.body());
    }

    /** SIGTERM: the host prints its final report to its log and exits. */
    void stop() throws InterruptedException {
        process.stop(Duration.ofSeconds(30));
    }
}
