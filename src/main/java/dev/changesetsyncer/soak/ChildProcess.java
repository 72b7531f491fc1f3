package dev.changesetsyncer.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process the soak started, its output going to a log file: killed with SIGKILL, paused with
 * SIGSTOP and resumed with SIGCONT, or stopped gracefully with SIGTERM.
 */
final class ChildProcess {
    private final String name;
    private final Process process;
    private final Path log;
    private volatile boolean paused;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command} with these extra environment variables, appending its output to {@code log}. */
    static ChildProcess start(String name, List<String> command, Map<String, String> environment, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(log.getParent().toFile()) // not the caller's: nothing there may matter
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().remove("SYNCER_DATABASE_URL");
        builder.environment().putAll(environment);
        try {
            return new ChildProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    boolean paused() {
        return paused;
    }

    /** {@code kill -9}: the process ends at once, with nothing written back or released. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the process freezes, as in a long GC pause or a frozen VM. */
    void pause() {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT: a paused process goes on where it stopped. */
    void resume() {
        signal("CONT");
        paused = false;
    }

    /** SIGTERM, then waits; SIGKILL after {@code patience}. Returns the exit code (null if it had to be killed). */
    Integer stop(Duration patience) throws InterruptedException {
        if (paused) {
            resume();
        }
        process.destroy();
        if (process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        kill();
        return null;
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " (" + name + ") failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + signal + " for " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + name, e);
        }
    }
}
