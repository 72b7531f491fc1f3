package dev.changesetsyncer.worker;

import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.queue.ClaimRef;
import dev.changesetsyncer.queue.Completion;
import dev.changesetsyncer.queue.Deferral;
import dev.changesetsyncer.queue.FailedAttempt;
import dev.changesetsyncer.queue.WriteBack;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch so that one result the database rejects for its data cannot block the others: a
 * rejected part is halved until the rejected result is alone, and that one is given up on. A
 * completion or deferral given up on becomes a failed attempt (the claim ends, the changeset is
 * retried with backoff, the error is in {@code last_error}); a failed attempt that cannot be written
 * either is left to its lease, which the sweep counts as a failure. A failure for the database's
 * sake (connection, deadlock, shutdown) is thrown with the unwritten parts kept, and the next
 * {@link #writeAll} resumes there.
 */
final class BadResultIsolator {
    private static final Logger log = LoggerFactory.getLogger(BadResultIsolator.class);

    private final BatchWriter writer;
    private final WorkerMetrics metrics;
    private final Consumer<ClaimRef> claimEnded;
    /** The parts of the current batch still to write, the next first. */
    private final Deque<ResultBatch> parts = new ArrayDeque<>();

    /** @param claimEnded called for a result given up on without a write */
    BadResultIsolator(BatchWriter writer, WorkerMetrics metrics, Consumer<ClaimRef> claimEnded) {
        this.writer = writer;
        this.metrics = metrics;
        this.claimEnded = claimEnded;
    }

    /** Takes the next batch to write; the previous one must be written. */
    void start(ResultBatch batch) {
        if (!parts.isEmpty()) {
            throw new IllegalStateException("the previous batch is not written yet");
        }
        parts.add(batch);
    }

    /** Results of the current batch not yet written. */
    int unwritten() {
        return parts.stream().mapToInt(ResultBatch::size).sum();
    }

    boolean isEmpty() {
        return parts.isEmpty();
    }

    /** Writes what is left of the current batch. @throws RuntimeException when the database failed, not the data */
    void writeAll() {
        while (!parts.isEmpty()) {
            ResultBatch part = parts.getFirst();
            try {
                writer.write(part);
                parts.removeFirst();
            } catch (RuntimeException e) {
                if (!WriteErrors.isCausedByData(e)) {
                    throw e; // the part keeps what is still unwritten
                }
                parts.removeFirst();
                if (part.size() == 1) {
                    giveUp(part.results().getFirst(), e);
                } else if (part.size() > 1) {
                    List<ResultBatch> halves = part.halves();
                    parts.addFirst(halves.get(1));
                    parts.addFirst(halves.get(0));
                }
            }
        }
    }

    private void giveUp(WriteBack result, RuntimeException e) {
        String why = "could not be written back: " + DatabaseErrors.brief(e);
        log.error("{} {}", describe(result), why);
        metrics.unwritable.increment();
        switch (result) {
            case Completion completion -> parts.addFirst(asFailedAttempt(completion.ref(), why));
            case Deferral deferral -> parts.addFirst(asFailedAttempt(deferral.ref(), why));
            case FailedAttempt failure -> claimEnded.accept(failure.ref());
        }
    }

    private static ResultBatch asFailedAttempt(ClaimRef ref, String why) {
        return ResultBatch.of(List.of(new FailedAttempt(ref, why)));
    }

    private static String describe(WriteBack result) {
        String what = switch (result) {
            case Completion completion -> "the result";
            case FailedAttempt failure -> "the failed attempt";
            case Deferral deferral -> "the deferral";
        };
        return "%s of changeset=%d claim=%d".formatted(what, result.ref().changesetId(), result.ref().claimToken());
    }
}
