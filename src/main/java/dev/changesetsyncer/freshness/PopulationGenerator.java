package dev.changesetsyncer.freshness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws the changesets and every change on the host during the run from a seed, so the same seed
 * gives every strategy the same history. Times are seconds from the start of the run.
 */
final class PopulationGenerator {
    private static final double DAY = 86_400;

    /** Where the generated rows go. */
    interface Sink {
        void changeset(long id, ChangesetClass type, boolean hasCi, double phase, double updatedAt);

        /**
         * @param webhookDraw uniform in [0, 1): the change comes as a webhook when it is below the webhook share,
         *     so the webhooks of a smaller share are a subset of those of a larger one
         * @param checksPendingUntil for a push with CI: when its checks stop running (or a later push replaces
         *     them); NaN otherwise
         */
        void change(long changesetId, double at, ChangeKind kind, double webhookDraw, double checksPendingUntil);
    }

    /** @param pushedAt for a push, its CI's end; for a check run, when its head was pushed; else NaN */
    private record Change(double at, ChangeKind kind, double checksDoneAt, double pushedAt) {
        static Change of(double at, ChangeKind kind) {
            return new Change(at, kind, Double.NaN, Double.NaN);
        }
    }

    private final Population population;
    private final double horizon;

    PopulationGenerator(Population population, int days) {
        this.population = population;
        this.horizon = days * DAY;
    }

    void generate(long changesets, long seed, Sink sink) {
        SplittableRandom random = new SplittableRandom(seed);
        for (long id = 1; id <= changesets; id++) {
            double draw = random.nextDouble();
            ChangesetClass type = draw < population.activeShare() ? ChangesetClass.ACTIVE
                    : draw < population.activeShare() + population.openIdleShare() ? ChangesetClass.OPEN_IDLE
                    : ChangesetClass.FINISHED;
            boolean hasCi = random.nextDouble() >= population.withoutCiShare();
            double phase = random.nextDouble();
            double quiet = switch (type) {
                case FINISHED -> between(random, DAY, seconds(population.finishedQuietUpTo()));
                case OPEN_IDLE -> between(random, DAY, seconds(population.openIdleQuietUpTo()));
                case ACTIVE -> random.nextDouble() * seconds(population.activeQuietUpTo());
            };
            sink.changeset(id, type, hasCi, phase, -quiet);
            List<Change> changes = switch (type) {
                case FINISHED -> comments(random, population.finishedChangesPerDay());
                case OPEN_IDLE -> idle(random, hasCi);
                case ACTIVE -> active(random, hasCi);
            };
            write(id, changes, random, sink);
        }
    }

    private List<Change> comments(SplittableRandom random, double perDay) {
        List<Change> changes = new ArrayList<>();
        for (double at : poisson(random, perDay / DAY, 0, horizon)) {
            changes.add(Change.of(at, ChangeKind.COMMENT));
        }
        return changes;
    }

    private List<Change> idle(SplittableRandom random, boolean hasCi) {
        List<Change> changes = new ArrayList<>();
        for (double at : poisson(random, population.openIdleChangesPerDay() / DAY, 0, horizon)) {
            if (random.nextDouble() < population.openIdlePushShare()) {
                push(random, at, hasCi, changes);
            } else {
                changes.add(Change.of(at, ChangeKind.COMMENT));
            }
        }
        return changes;
    }

    private List<Change> active(SplittableRandom random, boolean hasCi) {
        List<Change> changes = new ArrayList<>();
        double mergedAt = random.nextDouble() * seconds(population.activeMergeWithin());
        for (double at : poisson(random, population.burstsPerDay() / DAY, 0, Math.min(mergedAt, horizon))) {
            push(random, at, hasCi, changes);
            if (random.nextDouble() < population.reviewsPerBurst()) {
                double delay = seconds(population.reviewDelayMedian()) * Math.exp(random.nextGaussian());
                changes.add(Change.of(at + delay, ChangeKind.REVIEW));
            }
            for (int i = poissonCount(random, population.commentsPerBurst()); i > 0; i--) {
                double delay = random.nextExponential() * seconds(population.commentDelayMean());
                changes.add(Change.of(at + delay, ChangeKind.COMMENT));
            }
        }
        if (mergedAt < horizon) {
            changes.add(Change.of(mergedAt, ChangeKind.MERGE));
        }
        return changes;
    }

    /** A push and, with CI, its check runs: the slowest ends after the CI duration, the others earlier. */
    private void push(SplittableRandom random, double at, boolean hasCi, List<Change> changes) {
        if (!hasCi) {
            changes.add(Change.of(at, ChangeKind.PUSH));
            return;
        }
        double duration = seconds(population.ciMedian()) * Math.exp(population.ciSigma() * random.nextGaussian());
        changes.add(new Change(at, ChangeKind.PUSH, at + duration, Double.NaN));
        changes.add(new Change(at + duration, ChangeKind.CHECK, Double.NaN, at));
        for (int i = 1; i < population.checkRunsPerPush(); i++) {
            changes.add(new Change(at + duration * between(random, 0.2, 1), ChangeKind.CHECK, Double.NaN, at));
        }
    }

    /**
     * Sorted by time, within the run: check runs of a head that a later push replaced are dropped (the client
     * only reads the current head's checks), and a push's checks run until they finish or the next push,
     * whichever comes first.
     */
    private void write(long id, List<Change> changes, SplittableRandom random, Sink sink) {
        changes.sort(Comparator.comparingDouble(Change::at));
        double[] nextPushAt = new double[changes.size()];
        double next = Double.POSITIVE_INFINITY;
        for (int i = changes.size() - 1; i >= 0; i--) {
            nextPushAt[i] = next;
            if (changes.get(i).kind() == ChangeKind.PUSH) {
                next = changes.get(i).at();
            }
        }
        double head = Double.NaN;
        for (int i = 0; i < changes.size(); i++) {
            Change change = changes.get(i);
            if (change.kind() == ChangeKind.PUSH) {
                head = change.at();
            }
            if (change.at() >= horizon || change.kind() == ChangeKind.CHECK && change.pushedAt() != head) {
                continue;
            }
            double checksPendingUntil = change.kind() == ChangeKind.PUSH
                    ? Math.min(change.checksDoneAt(), nextPushAt[i]) : Double.NaN;
            sink.change(id, change.at(), change.kind(), random.nextDouble(), checksPendingUntil);
        }
    }

    private static List<Double> poisson(SplittableRandom random, double perSecond, double from, double until) {
        List<Double> times = new ArrayList<>();
        if (perSecond <= 0) {
            return times;
        }
        for (double at = from + random.nextExponential() / perSecond; at < until;
                at += random.nextExponential() / perSecond) {
            times.add(at);
        }
        return times;
    }

    private static int poissonCount(SplittableRandom random, double mean) {
        int count = 0;
        for (double sum = random.nextExponential(); sum < mean; sum += random.nextExponential()) {
            count++;
        }
        return count;
    }

    private static double between(SplittableRandom random, double low, double high) {
        return low + random.nextDouble() * (high - low);
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
