package dev.changesetsyncer.soak;

import com.fasterxml.jackson.databind.JsonNode;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.codehost.CodeHostCredentials;
import dev.changesetsyncer.db.DatabaseErrors;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet soak: {@code run} replicas as processes against a database of their own, syncing a
 * simulated GitHub over HTTP, while replicas are killed, paused and cut off and Postgres restarts.
 *
 * <ol>
 *   <li>Set-up: migrate, start the simulated host, register it (a {@code github} code host row),
 *       its repositories, and start the replicas.</li>
 *   <li>Warm-up (twice {@code syncEvery}, and until the fleet has caught up): the changesets are
 *       registered in slices over one {@code syncEvery}, so that their syncs spread over the cycle.</li>
 *   <li>Faults, for {@code duration}, with sync requests inserted throughout.</li>
 *   <li>Drain: faults stop, replicas are continued; it waits until every request is served and no
 *       changeset is owed a sync for longer than a lease (at most {@code 2 × (lease + margin) + 60 s}).</li>
 *   <li>Stop: SIGTERM to every replica, the host's last report, the logs read.</li>
 * </ol>
 */
public final class Soak {
    private static final Logger log = LoggerFactory.getLogger(Soak.class);
    /** The code host row's name; the replicas get its token as {@code SYNCER_TOKEN_SIMULATED_GITHUB}. */
    static final String HOST_NAME = "simulated-github";

    private final SoakSettings settings;
    private final String databaseUrl;
    private final Class<?> mainClass;
    private final PrintStream out;

    /** @param mainClass changeset-syncer's command-line entry point, which the replica processes run */
    public Soak(SoakSettings settings, String databaseUrl, Class<?> mainClass, PrintStream out) {
        this.settings = settings;
        this.databaseUrl = databaseUrl;
        this.mainClass = mainClass;
        this.out = out;
    }

    /** Runs the soak (the database must exist and be empty) and returns what it found. */
    public SoakReport run() throws IOException, InterruptedException {
        Files.createDirectories(settings.workDir());
        Launcher launcher = Launcher.forThisCode(settings.workDir(), mainClass);
        out.printf("soak: %d replicas, faults for %s; replicas run from %s; logs in %s%n", settings.replicas(),
                settings.duration(), launcher.source(), settings.workDir());
        ReplicaCommandLine commandLine = new ReplicaCommandLine(launcher, databaseUrl, settings.lease(),
                settings.workersPerReplica());
        try (SoakDatabase database = new SoakDatabase(databaseUrl)) {
            database.migrate();
            SimulatedHostProcess host = SimulatedHostProcess.start(commandLine, settings.host().withPort(0),
                    settings.workDir().resolve("simulate-host.log"));
            try {
                return runWithHost(database, host, commandLine, launcher);
            } finally {
                host.stop();
            }
        }
    }

    private SoakReport runWithHost(SoakDatabase database, SimulatedHostProcess host, ReplicaCommandLine commandLine,
            Launcher launcher) throws IOException, InterruptedException {
        Fleet fleet = new Fleet(commandLine, Map.of(CodeHostCredentials.variableFor(HOST_NAME), settings.host().token(),
                "SYNCER_LOG_LEVEL", "INFO"), settings.workDir(), settings.seed());
        try {
            return runWithFleet(database, host, launcher, fleet);
        } catch (IOException | InterruptedException | RuntimeException e) {
            fleet.killAll();
            throw e;
        }
    }

    private SoakReport runWithFleet(SoakDatabase database, SimulatedHostProcess host, Launcher launcher, Fleet fleet)
            throws IOException, InterruptedException {
        List<String> firstReplicas = new ArrayList<>();
        for (int i = 0; i < settings.replicas(); i++) {
            firstReplicas.add(fleet.startOne().name());
        }
        awaitConnected(database, fleet, firstReplicas);
        CodeHost codeHost = database.createHost(HOST_NAME, host.baseUrl(), settings.syncEvery());
        List<Slice> slices = slices(database, codeHost, host.population());
        Duration warmUp = settings.syncEvery().multipliedBy(2);
        SoakClock clock = new SoakClock(System.nanoTime() + warmUp.toNanos());
        WaitTracker waits = new WaitTracker(settings.lostAfter());
        Timeline timeline = new Timeline();
        Sampler sampler = new Sampler(host, database, fleet, waits, timeline, clock, settings.vacuumEvery());
        boolean autovacuum = database.autovacuumOn();
        Thread sampling = Thread.ofPlatform().name("soak-sampler").daemon().start(sampler);
        List<String> diedOnTheirOwn = new ArrayList<>();
        List<Long> changesets = new ArrayList<>();
        FaultInjector faults = new FaultInjector(settings, fleet, database, clock, out);
        AtomicLong requests = new AtomicLong();
        AtomicLong requestsNotInserted = new AtomicLong();
        double drainSeconds;
        try {
            out.printf("warm-up: %d changesets registered over %s, then %s of steady syncing%n",
                    slices.stream().mapToInt(s -> s.numbers().size()).sum(), settings.syncEvery(), settings.syncEvery());
            registerSlices(database, slices, changesets, clock, warmUp.toNanos());
            waitUntil(clock, 0, fleet, diedOnTheirOwn);
            awaitCaughtUp(waits, clock);
            out.printf("faults for %s:%n", settings.duration());
            faults.start();
            injectRequests(database, changesets, clock, fleet, diedOnTheirOwn, requests, requestsNotInserted);
            faults.stop();
            drainSeconds = drain(database, waits, clock, fleet, diedOnTheirOwn);
        } finally {
            faults.stop();
            sampler.stop();
            sampling.join(10_000);
        }
        out.println("stopping the replicas (SIGTERM) ...");
        Map<String, Integer> exitCodes = fleet.stopAll(Duration.ofSeconds(60));
        JsonNode hostReport = host.report();
        List<ChildProcess> everyReplica = fleet.all();
        LogFindings logs = LogFindings.read(everyReplica.stream().map(ChildProcess::log).toList());
        List<FaultOutcome> outcomes = faults.faults().stream().map(f -> FaultOutcome.of(f, timeline)).toList();
        double faultSeconds = settings.duration().toMillis() / 1000.0;
        List<JsonNode> overlapExamples = new ArrayList<>();
        hostReport.path("overlap_examples").forEach(overlapExamples::add);
        long unserved = database.unservedRequests();
        SoakReport report = new SoakReport(settings.replicas(), faultSeconds, launcher.source(), host.baseUrl(),
                faults.count("kill"), faults.count("pause"), faults.count("terminate-backends"), faults.count("pg-restart"),
                faults.faults().stream().filter(f -> f.kind().equals("pin-xmin")).mapToDouble(Fault::seconds).sum(),
                autovacuum, sampler.vacuums(),
                hostReport.path("syncs").asLong(), timeline.rate(0, faultSeconds), hostReport.path("overlaps").asLong(),
                overlapExamples, waits.lost(), waits.lostExamples(), settings.lostAfter().toMillis() / 1000.0,
                waits.longestEver().toMillis() / 1000.0, requests.get(), requestsNotInserted.get(), unserved,
                unserved == 0 ? List.of() : database.unservedExamples(), database.requestLatencyMillis(), logs.fenced(),
                logs.cancelled(), outcomes, timeline.tableSamples(), timeline.samples(), logs, exitCodes, diedOnTheirOwn,
                drainSeconds, sampler.gaps(), hostReport);
        return report;
    }

    /** Waits (up to 3 minutes) until the replicas are up, so that the warm-up measures syncing, not JVM starts. */
    private void awaitConnected(SoakDatabase database, Fleet fleet, List<String> workerIds) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (database.replicasConnected(workerIds) < workerIds.size()) {
            for (ChildProcess replica : fleet.all()) {
                if (!replica.alive()) {
                    throw new IllegalStateException(replica.name() + " exited at start; the end of its log ("
                            + replica.log() + "):\n" + tail(replica.log(), 20));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the replicas " + workerIds + " did not connect within 3 minutes; see their logs in "
                        + settings.workDir());
            }
            Thread.sleep(200);
        }
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Changesets to register together: one slice of pull request numbers of one repository. */
    private record Slice(Repo repo, List<String> numbers) {}

    private List<Slice> slices(SoakDatabase database, CodeHost codeHost, JsonNode population) {
        int perRepo = population.path("pulls_per_repo").asInt();
        List<Repo> repos = new ArrayList<>();
        for (JsonNode repo : population.path("repos")) {
            repos.add(database.createRepo(codeHost.id(), repo.path("id").asText(), repo.path("full_name").asText()));
        }
        // about two slices a second over one syncEvery
        int sliceCount = (int) Math.max(1, settings.syncEvery().toSeconds() * 2);
        int perSlice = Math.max(1, (int) Math.ceil((double) perRepo * repos.size() / sliceCount));
        List<Slice> slices = new ArrayList<>();
        for (Repo repo : repos) {
            for (int first = 1; first <= perRepo; first += perSlice) {
                List<String> numbers = new ArrayList<>();
                for (int n = first; n < first + perSlice && n <= perRepo; n++) {
                    numbers.add(String.valueOf(n));
                }
                slices.add(new Slice(repo, numbers));
            }
        }
        return slices;
    }

    private void registerSlices(SoakDatabase database, List<Slice> slices, List<Long> changesets, SoakClock clock,
            long warmUpNanos) throws InterruptedException {
        double start = clock.seconds();
        double spread = settings.syncEvery().toMillis() / 1000.0;
        for (int i = 0; i < slices.size(); i++) {
            sleepUntil(clock, start + spread * i / slices.size());
            Slice slice = slices.get(i);
            changesets.addAll(database.createChangesets(slice.repo().id(), slice.numbers()));
        }
        log.debug("registered {} changesets; the warm-up lasts {} ms", changesets.size(), warmUpNanos / 1_000_000);
    }

    /**
     * Faults begin once the fleet has caught up with the warm-up (nothing owed a sync for a lease or
     * longer), so that a fleet slow to warm up is not mistaken for lost work; at most 2 minutes more.
     */
    private void awaitCaughtUp(WaitTracker waits, SoakClock clock) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        boolean said = false;
        while (waits.longestNow().compareTo(settings.lease()) >= 0 && System.nanoTime() < deadline) {
            if (!said) {
                out.printf("warm-up: the fleet is still catching up (a changeset has waited %d s); faults wait%n",
                        waits.longestNow().toSeconds());
                said = true;
            }
            clock.faultsBeginAt(System.nanoTime() + Duration.ofSeconds(1).toNanos());
            Thread.sleep(1000);
        }
        clock.faultsBeginAt(System.nanoTime());
    }

    /** Inserts sync requests for random changesets until the faults' time is over. */
    private void injectRequests(SoakDatabase database, List<Long> changesets, SoakClock clock, Fleet fleet,
            List<String> diedOnTheirOwn, AtomicLong requests, AtomicLong notInserted) throws InterruptedException {
        SplittableRandom random = new SplittableRandom(settings.seed() ^ 0x5EEDL);
        double end = settings.duration().toMillis() / 1000.0;
        double interval = settings.requestsPerSecond() > 0 ? 1 / settings.requestsPerSecond() : end;
        for (double t = interval; t < end; t += interval) {
            sleepUntil(clock, Math.min(t, end));
            checkForDead(fleet, diedOnTheirOwn);
            if (settings.requestsPerSecond() == 0) {
                continue;
            }
            long changeset = changesets.get(random.nextInt(changesets.size()));
            try {
                database.requestSync(changeset);
                requests.incrementAndGet();
            } catch (RuntimeException e) {
                notInserted.incrementAndGet(); // the database is down (a restart): the request was never made
                log.info("a sync request could not be inserted: {}", DatabaseErrors.brief(e));
            }
        }
        sleepUntil(clock, end);
    }

    /**
     * Waits until every request is served and nothing is owed a sync for longer than a lease, but
     * at most twice the lost threshold plus a minute. Returns how long it took.
     */
    private double drain(SoakDatabase database, WaitTracker waits, SoakClock clock, Fleet fleet,
            List<String> diedOnTheirOwn) throws InterruptedException {
        double start = clock.seconds();
        double limit = 2 * settings.lostAfter().toSeconds() + 60;
        out.printf("drain: waiting for every request to be served (at most %.0f s) ...%n", limit);
        while (clock.seconds() - start < limit) {
            checkForDead(fleet, diedOnTheirOwn);
            try {
                if (database.unservedRequests() == 0 && database.expiredLeases() == 0
                        && waits.longestNow().compareTo(settings.lease()) < 0 && clock.seconds() - start >= 3) {
                    break;
                }
            } catch (RuntimeException e) {
                log.info("drain check failed, retrying: {}", DatabaseErrors.brief(e));
            }
            Thread.sleep(1000);
        }
        return clock.seconds() - start;
    }

    private void waitUntil(SoakClock clock, double seconds, Fleet fleet, List<String> diedOnTheirOwn)
            throws InterruptedException {
        while (clock.seconds() < seconds) {
            checkForDead(fleet, diedOnTheirOwn);
            sleepUntil(clock, Math.min(seconds, clock.seconds() + 1));
        }
    }

    private static void checkForDead(Fleet fleet, List<String> diedOnTheirOwn) {
        diedOnTheirOwn.addAll(fleet.replaceDead());
    }

    private static void sleepUntil(SoakClock clock, double seconds) throws InterruptedException {
        long nanos = clock.nanosUntil(seconds);
        if (nanos > 0) {
            Thread.sleep(Duration.ofNanos(nanos));
        }
    }
}
