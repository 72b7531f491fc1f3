package dev.changesetsyncer.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The replica processes: started under fresh names ({@code soak-r1}, {@code soak-r2}, ...), killed
 * and replaced, paused and resumed, and stopped gracefully at the end.
 */
final class Fleet {
    /** Prefix of every replica's worker id, and so of its connections' {@code application_name}. */
    static final String PREFIX = "soak-r";

    private final ReplicaCommandLine commandLine;
    private final Map<String, String> environment;
    private final Path logDir;
    private final SplittableRandom random;
    private final List<ChildProcess> running = new ArrayList<>();
    private final List<ChildProcess> everyReplica = new ArrayList<>();
    private int started;

    Fleet(ReplicaCommandLine commandLine, Map<String, String> environment, Path logDir, long seed) {
        this.commandLine = commandLine;
        this.environment = Map.copyOf(environment);
        this.logDir = logDir;
        this.random = new SplittableRandom(seed);
    }

    synchronized ChildProcess startOne() {
        String id = PREFIX + (++started);
        ChildProcess replica = ChildProcess.start(id, commandLine.replica(id), environment, logDir.resolve(id + ".log"));
        running.add(replica);
        everyReplica.add(replica);
        return replica;
    }

    /** Kills a random replica with SIGKILL and starts another in its place; returns the one killed. */
    synchronized Optional<ChildProcess> killOneAndReplace() throws InterruptedException {
        List<ChildProcess> candidates = running.stream().filter(ChildProcess::alive).toList();
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        ChildProcess victim = candidates.get(random.nextInt(candidates.size()));
        victim.kill();
        running.remove(victim);
        startOne();
        return Optional.of(victim);
    }

    /** SIGSTOPs a random replica that is not paused yet. */
    synchronized Optional<ChildProcess> pauseOne() {
        List<ChildProcess> candidates = running.stream().filter(r -> r.alive() && !r.paused()).toList();
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        ChildProcess chosen = candidates.get(random.nextInt(candidates.size()));
        chosen.pause();
        return Optional.of(chosen);
    }

    synchronized void resume(ChildProcess replica) {
        if (replica.alive() && replica.paused()) {
            replica.resume();
        }
    }

    /** Replaces replicas that died on their own (counted by the caller as a finding). */
    synchronized List<String> replaceDead() {
        List<String> dead = new ArrayList<>();
        for (ChildProcess replica : List.copyOf(running)) {
            if (!replica.alive()) {
                dead.add(replica.name());
                running.remove(replica);
                startOne();
            }
        }
        return dead;
    }

    synchronized int alive() {
        return (int) running.stream().filter(ChildProcess::alive).count();
    }

    synchronized List<ChildProcess> all() {
        return List.copyOf(everyReplica);
    }

    /** SIGKILL to every replica still running: the soak itself failed and is leaving. */
    synchronized void killAll() throws InterruptedException {
        for (ChildProcess replica : everyReplica) {
            if (replica.alive()) {
                replica.kill();
            }
        }
        running.clear();
    }

    /** SIGTERM to every running replica at once, then their exit codes by name (null: had to be killed). */
    Map<String, Integer> stopAll(Duration patience) throws InterruptedException {
        List<ChildProcess> toStop;
        synchronized (this) {
            toStop = List.copyOf(running);
            running.clear();
        }
        List<Thread> stoppers = new ArrayList<>();
        Map<String, Integer> exitCodes = new TreeMap<>();
        for (ChildProcess replica : toStop) {
            stoppers.add(Thread.ofVirtual().start(() -> {
                try {
                    Integer code = replica.stop(patience);
                    synchronized (exitCodes) {
                        exitCodes.put(replica.name(), code);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread stopper : stoppers) {
            stopper.join();
        }
        return exitCodes;
    }
}
