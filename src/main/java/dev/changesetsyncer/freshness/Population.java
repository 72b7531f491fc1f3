package dev.changesetsyncer.freshness;

import java.time.Duration;
import java.util.Objects;

/**
 * The simulated changesets and what happens to them on the host. Every changeset is in one of three
 * classes for the whole run: finished (merged or closed: the same to the schedule), open but idle,
 * or active (bursts of changes: a push, its CI check runs, reviews, comments; merged at some point).
 * Where each default comes from is in docs/freshness.md; those marked there as unsourced are guesses.
 *
 * @param activeShare share of changesets under active work
 * @param openIdleShare share of open changesets with little activity; the rest are finished
 * @param withoutCiShare share of changesets whose repository runs no checks (their check state stays "none")
 * @param finishedChangesPerDay late changes (comments) per finished changeset per day
 * @param openIdleChangesPerDay changes per idle open changeset per day
 * @param openIdlePushShare share of an idle changeset's changes that are pushes (with CI); the rest are comments
 * @param burstsPerDay pushes per active changeset per day (a Poisson process), each starting a burst
 * @param checkRunsPerPush check runs each push starts; each completion is a change
 * @param ciMedian median CI duration (lognormal): the last check run of a push completes then
 * @param ciSigma the lognormal's sigma (1.32 puts the 95th percentile at 35 min for a 4 min median)
 * @param reviewsPerBurst chance that a push draws a review
 * @param reviewDelayMedian median delay from the push to its review (lognormal, sigma 1)
 * @param commentsPerBurst mean number of comments after a push (Poisson)
 * @param commentDelayMean mean delay from the push to a comment (exponential)
 * @param activeMergeWithin an active changeset is merged at a uniform time within this long from the start
 * @param finishedQuietUpTo a finished changeset last changed between 1 day and this long before the start
 * @param openIdleQuietUpTo an idle changeset last changed between 1 day and this long before the start
 * @param activeQuietUpTo an active changeset last changed up to this long before the start
 */
public record Population(
        double activeShare,
        double openIdleShare,
        double withoutCiShare,
        double finishedChangesPerDay,
        double openIdleChangesPerDay,
        double openIdlePushShare,
        double burstsPerDay,
        int checkRunsPerPush,
        Duration ciMedian,
        double ciSigma,
        double reviewsPerBurst,
        Duration reviewDelayMedian,
        double commentsPerBurst,
        Duration commentDelayMean,
        Duration activeMergeWithin,
        Duration finishedQuietUpTo,
        Duration openIdleQuietUpTo,
        Duration activeQuietUpTo) {

    /** The documented defaults (docs/freshness.md says where each comes from). */
    public static final Population DEFAULTS = new Population(
            0.03, 0.05, 0.10,
            0.02, 0.3, 0.3,
            4, 5, Duration.ofMinutes(4), 1.32,
            0.5, Duration.ofHours(1), 0.75, Duration.ofHours(1),
            Duration.ofDays(14), Duration.ofDays(90), Duration.ofDays(30), Duration.ofHours(6));

    public Population {
        share("activeShare", activeShare);
        share("openIdleShare", openIdleShare);
        share("withoutCiShare", withoutCiShare);
        share("openIdlePushShare", openIdlePushShare);
        share("reviewsPerBurst", reviewsPerBurst);
        if (activeShare + openIdleShare > 1) {
            throw new IllegalArgumentException("activeShare + openIdleShare must not exceed 1, got "
                    + (activeShare + openIdleShare));
        }
        rate("finishedChangesPerDay", finishedChangesPerDay);
        rate("openIdleChangesPerDay", openIdleChangesPerDay);
        rate("burstsPerDay", burstsPerDay);
        rate("commentsPerBurst", commentsPerBurst);
        if (checkRunsPerPush < 1 || checkRunsPerPush > 100) {
            throw new IllegalArgumentException("checkRunsPerPush must be between 1 and 100, got " + checkRunsPerPush);
        }
        if (!(ciSigma >= 0 && ciSigma <= 5)) {
            throw new IllegalArgumentException("ciSigma must be between 0 and 5, got " + ciSigma);
        }
        positive("ciMedian", ciMedian);
        positive("reviewDelayMedian", reviewDelayMedian);
        positive("commentDelayMean", commentDelayMean);
        positive("activeMergeWithin", activeMergeWithin);
        atLeast("finishedQuietUpTo", finishedQuietUpTo, Duration.ofDays(1));
        atLeast("openIdleQuietUpTo", openIdleQuietUpTo, Duration.ofDays(1));
        positive("activeQuietUpTo", activeQuietUpTo);
    }

    private static void share(String name, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1, got " + value);
        }
    }

    private static void rate(String name, double value) {
        if (!(value >= 0 && value <= 1000)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1000, got " + value);
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    private static void atLeast(String name, Duration value, Duration least) {
        Objects.requireNonNull(value, name);
        if (value.compareTo(least) < 0) {
            throw new IllegalArgumentException(name + " must be at least " + least + ", got " + value);
        }
    }
}
