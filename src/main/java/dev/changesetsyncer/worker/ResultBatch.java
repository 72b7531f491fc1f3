package dev.changesetsyncer.worker;

import dev.changesetsyncer.queue.Completion;
import dev.changesetsyncer.queue.Deferral;
import dev.changesetsyncer.queue.FailedAttempt;
import dev.changesetsyncer.queue.WriteBack;
import java.util.ArrayList;
import java.util.List;

/**
 * Sync results written together: one statement per kind (completions, then failed attempts, then
 * deferrals); each kind leaves the batch once written, so a retry never repeats it.
 */
final class ResultBatch {
    private final List<Completion> completions = new ArrayList<>();
    private final List<FailedAttempt> failures = new ArrayList<>();
    private final List<Deferral> deferrals = new ArrayList<>();

    static ResultBatch of(List<? extends WriteBack> results) {
        ResultBatch batch = new ResultBatch();
        results.forEach(batch::add);
        return batch;
    }

    private void add(WriteBack result) {
        switch (result) {
            case Completion completion -> completions.add(completion);
            case FailedAttempt failure -> failures.add(failure);
            case Deferral deferral -> deferrals.add(deferral);
        }
    }

    List<Completion> completions() {
        return List.copyOf(completions);
    }

    List<FailedAttempt> failures() {
        return List.copyOf(failures);
    }

    List<Deferral> deferrals() {
        return List.copyOf(deferrals);
    }

    void completionsWritten() {
        completions.clear();
    }

    void failuresWritten() {
        failures.clear();
    }

    void deferralsWritten() {
        deferrals.clear();
    }

    int size() {
        return completions.size() + failures.size() + deferrals.size();
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /** What is left to write, in write order. */
    List<WriteBack> results() {
        List<WriteBack> all = new ArrayList<>(size());
        all.addAll(completions);
        all.addAll(failures);
        all.addAll(deferrals);
        return all;
    }

    /** The first half of what is left, in write order, and the second (for at least two results). */
    List<ResultBatch> halves() {
        List<WriteBack> all = results();
        if (all.size() < 2) {
            throw new IllegalStateException("a batch of " + all.size() + " cannot be halved");
        }
        int half = all.size() / 2;
        return List.of(of(all.subList(0, half)), of(all.subList(half, all.size())));
    }
}
