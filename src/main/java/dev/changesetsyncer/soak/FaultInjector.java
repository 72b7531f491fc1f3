package dev.changesetsyncer.soak;

import dev.changesetsyncer.db.DatabaseErrors;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Injects the faults on schedule, each kind at its own offset within its period so that they
 * rarely coincide: kills at every {@code killEvery}; backend terminations 10 s after each
 * {@code terminateBackendsEvery}; pauses 15 s after each {@code pauseEvery}; Postgres restarts 20 s
 * after each {@code pgRestartEvery}; the pinned xmin from 5 s in. No fault starts that would not
 * end before the duration is over.
 */
final class FaultInjector {
    private final SoakSettings settings;
    private final Fleet fleet;
    private final SoakDatabase database;
    private final SoakClock clock;
    private final PrintStream out;
    private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(4,
            Thread.ofPlatform().name("soak-fault-", 1).daemon().factory());
    private final List<Fault> faults = new ArrayList<>();

    FaultInjector(SoakSettings settings, Fleet fleet, SoakDatabase database, SoakClock clock, PrintStream out) {
        this.settings = settings;
        this.fleet = fleet;
        this.database = database;
        this.clock = clock;
        this.out = out;
    }

    /** Schedules every fault of the plan, relative to the clock's start of faults. */
    void start() {
        double duration = settings.duration().toMillis() / 1000.0;
        every(settings.killEvery(), 0, 0, this::kill);
        every(settings.terminateBackendsEvery(), 10, 0, this::terminateBackends);
        every(settings.pauseEvery(), 15, seconds(settings.pauseFor()), this::pause);
        if (settings.pgRestartCommand() != null && !settings.pgRestartCommand().isBlank()) {
            if (settings.pgRestartEvery() == null) {
                at(duration / 2, this::restartPostgres);
            } else {
                every(settings.pgRestartEvery(), 20, 0, this::restartPostgres);
            }
        }
        if (settings.pinXmin() != null && 5 + seconds(settings.pinXmin()) <= duration) {
            at(5, this::pinXmin);
        }
    }

    private void every(Duration period, double offset, double length, FaultAction action) {
        if (period == null) {
            return;
        }
        double duration = settings.duration().toMillis() / 1000.0;
        for (double t = seconds(period) + offset; t + length < duration; t += seconds(period)) {
            at(t, action);
        }
    }

    private void at(double seconds, FaultAction action) {
        executor.schedule(() -> {
            double at = clock.seconds();
            try {
                Fault fault = action.inject(at);
                record(fault);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                record(new Fault(at, "failed", "a fault could not be injected: " + DatabaseErrors.brief(e), 0));
            }
        }, Math.max(0, clock.nanosUntil(seconds)), TimeUnit.NANOSECONDS);
    }

    @FunctionalInterface
    private interface FaultAction {
        Fault inject(double at) throws InterruptedException;
    }

    private Fault kill(double at) throws InterruptedException {
        var victim = fleet.killOneAndReplace();
        if (victim.isEmpty()) {
            return new Fault(at, "kill", "no replica alive to kill", 0);
        }
        long held = database.claimsHeldBy(victim.get().name());
        return new Fault(at, "kill", victim.get().name() + " (pid " + victim.get().pid() + ") killed with SIGKILL holding "
                + held + " claim(s); a new replica started", 0);
    }

    private Fault pause(double at) {
        var paused = fleet.pauseOne();
        if (paused.isEmpty()) {
            return new Fault(at, "pause", "no replica to pause", 0);
        }
        long started = System.nanoTime();
        try {
            Thread.sleep(settings.pauseFor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the soak is ending: continue the replica now
        } finally {
            fleet.resume(paused.get());
        }
        return new Fault(at, "pause", paused.get().name() + " stopped (SIGSTOP) for " + seconds(settings.pauseFor())
                + " s, then continued", (System.nanoTime() - started) / 1e9);
    }

    private Fault terminateBackends(double at) {
        int terminated = database.terminateReplicaBackends();
        return new Fault(at, "terminate-backends", terminated + " replica connections terminated (pg_terminate_backend)", 0);
    }

    private Fault restartPostgres(double at) throws InterruptedException {
        long started = System.nanoTime();
        Path log = settings.workDir().resolve("pg-restart.log");
        try {
            Process process = new ProcessBuilder("bash", "-c", settings.pgRestartCommand())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            boolean ended = process.waitFor(120, TimeUnit.SECONDS);
            double took = (System.nanoTime() - started) / 1e9;
            if (!ended) {
                process.destroyForcibly();
                return new Fault(at, "pg-restart", "`" + settings.pgRestartCommand() + "` did not end within 120 s; see " + log,
                        took);
            }
            return new Fault(at, "pg-restart", "`" + settings.pgRestartCommand() + "` exited " + process.exitValue()
                    + " after %.1f s".formatted(took), took);
        } catch (IOException e) {
            return new Fault(at, "pg-restart", "could not run `" + settings.pgRestartCommand() + "`: " + e.getMessage(), 0);
        }
    }

    private Fault pinXmin(double at) {
        Duration held = database.pinXmin(settings.pinXmin());
        return new Fault(at, "pin-xmin", "a REPEATABLE READ transaction read changeset_schedule and stayed open %.0f s"
                .formatted(held.toMillis() / 1000.0), held.toMillis() / 1000.0);
    }

    private synchronized void record(Fault fault) {
        faults.add(fault);
        out.printf("  %+6.0fs  %-18s %s%n", fault.at(), fault.kind(), fault.detail());
    }

    /** Stops injecting: pending faults are dropped, running ones interrupted, paused replicas continued. */
    void stop() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(60, TimeUnit.SECONDS);
        for (ChildProcess replica : fleet.all()) {
            fleet.resume(replica);
        }
    }

    synchronized List<Fault> faults() {
        return faults.stream().sorted(Comparator.comparingDouble(Fault::at)).toList();
    }

    synchronized long count(String kind) {
        return faults.stream().filter(f -> f.kind().equals(kind)).count();
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
