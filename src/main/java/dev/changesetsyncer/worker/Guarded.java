package dev.changesetsyncer.worker;

import dev.changesetsyncer.db.DatabaseErrors;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * Wraps a periodic task so that an exception is logged and counted instead of silently cancelling
 * every later run (a {@code ScheduledExecutorService} stops a task after its first exception).
 */
final class Guarded implements Runnable {
    private final String name;
    private final String workerId;
    private final Logger log;
    private final Runnable task;
    private final Counter errors;

    Guarded(String name, String workerId, Logger log, Counter errors, Runnable task) {
        this.name = name;
        this.workerId = workerId;
        this.log = log;
        this.errors = errors;
        this.task = task;
    }

    @Override
    public void run() {
        MDC.put("worker", workerId);
        try {
            task.run();
        } catch (RuntimeException e) {
            errors.increment();
            log.warn("{} failed, will keep running: {}", name, DatabaseErrors.brief(e));
        } catch (Error e) { // still keep the schedule alive: a dead heartbeat loses every lease
            errors.increment();
            log.error("{} failed, will keep running", name, e);
        } finally {
            MDC.remove("worker");
        }
    }
}
