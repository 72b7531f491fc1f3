package dev.changesetsyncer.worker;

import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.queue.ClaimRef;
import dev.changesetsyncer.queue.RateLimitObservation;
import dev.changesetsyncer.queue.Refund;
import dev.changesetsyncer.queue.SyncQueue;
import dev.changesetsyncer.queue.WriteBack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Writes sync results back in batches: whatever has accumulated while the previous batch was being
 * written goes in the next one, so under load a round trip carries hundreds of syncs and when idle
 * a single result is written at once. A write that fails for the database's sake (connection,
 * deadlock, shutdown) is retried with the results still queued; one that fails for its data is
 * split until the result that cannot be written is alone ({@link BadResultIsolator}). One batch is
 * written by the {@link BatchWriter}.
 */
final class CompletionWriter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(CompletionWriter.class);
    private static final int MAX_BATCH = 1000;

    private final String workerId;
    private final WorkerMetrics metrics;
    private final Runnable afterWrite;
    private final BatchWriter batchWriter;
    private final BadResultIsolator current;
    private final LinkedBlockingQueue<WriteBack> results = new LinkedBlockingQueue<>();
    private volatile boolean running = true;
    private volatile boolean discardOnStop;
    private volatile long lastTurn = System.nanoTime();

    /**
     * @param afterWrite called after each batch written (it may have made room or made work due)
     * @param claimEnded called for each result once written, fenced off or given up on
     */
    CompletionWriter(String workerId, SyncQueue queue, WorkerMetrics metrics, Runnable afterWrite,
            Consumer<ClaimRef> claimEnded) {
        this(workerId, queue, metrics, afterWrite, claimEnded, ref -> "unknown");
    }

    /** @param codeHostOf the code host of a claim still held, for the meters */
    CompletionWriter(String workerId, SyncQueue queue, WorkerMetrics metrics, Runnable afterWrite,
            Consumer<ClaimRef> claimEnded, Function<ClaimRef, String> codeHostOf) {
        this.workerId = workerId;
        this.metrics = metrics;
        this.afterWrite = afterWrite;
        this.batchWriter = new BatchWriter(queue, metrics, claimEnded, codeHostOf);
        this.current = new BadResultIsolator(batchWriter, metrics, claimEnded);
    }

    /** Queues a sync's result; its claim ends once it is written. Any thread. */
    void submit(WriteBack result) {
        results.add(result);
    }

    /** A host's rate-limit status, written with the next batch (only the latest per host matters). Any thread. */
    void observed(RateLimitObservation observation) {
        batchWriter.observed(observation);
    }

    /** Requests a claim paid for that the host did not count, given back with the next batch. Any thread. */
    void refunded(Refund refund) {
        batchWriter.refunded(refund);
    }

    /** Results waiting for the next batch. */
    int pending() {
        return results.size();
    }

    /** The writer's last turn (System.nanoTime()): it turns at least every 100 ms while alive and not stuck. */
    long lastTurnNanos() {
        return lastTurn;
    }

    /** Stops once everything queued is written (the caller bounds the wait, then {@link #stopNow}). */
    void stopAfterFlush() {
        running = false;
    }

    /** Stops at once, dropping what is queued (a simulated crash). */
    void stopNow() {
        discardOnStop = true;
        running = false;
    }

    /** What hosts said and what goes back to their budgets, when no batch is being written. */
    private void writeAdvisories() {
        try {
            batchWriter.writeAdvisories();
        } catch (RuntimeException e) {
            metrics.databaseErrors.increment();
            log.warn("writing back rate-limit observations and refunds failed, will retry: {}", DatabaseErrors.brief(e));
        }
    }

    @Override
    public void run() {
        MDC.put("worker", workerId);
        Backoff backoff = new Backoff();
        try {
            while ((running || !current.isEmpty() || !results.isEmpty()) && !discardOnStop) {
                lastTurn = System.nanoTime();
                if (current.isEmpty()) {
                    WriteBack first = results.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        writeAdvisories(); // a repository sync's refund or quota, with no changeset to carry it
                        continue;
                    }
                    List<WriteBack> batch = new ArrayList<>();
                    batch.add(first);
                    results.drainTo(batch, MAX_BATCH - 1);
                    current.start(ResultBatch.of(batch));
                }
                try {
                    current.writeAll();
                    backoff.reset();
                    afterWrite.run();
                } catch (RuntimeException e) {
                    metrics.databaseErrors.increment();
                    Duration pause = backoff.next();
                    log.warn("writing back {} sync results failed (attempt {}), retrying in {} ms: {}",
                            current.unwritten(), backoff.attempts(), pause.toMillis(), DatabaseErrors.brief(e));
                    Thread.sleep(pause);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            int unwritten = current.unwritten() + results.size();
            if (unwritten > 0) {
                log.warn("stopped with {} sync results not written back; their leases will expire and they will be synced again",
                        unwritten);
            }
            MDC.remove("worker");
        }
    }
}
