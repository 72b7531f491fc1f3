package dev.changesetsyncer.soak;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How long changesets wait for the sync they are owed, from samples of the database: a changeset
 * is owed from the moment it became due until a sync writes a result for it. One that waits longer
 * than lease + margin is <b>lost</b> work: no replica took care of it when it should have.
 */
final class WaitTracker {
    private static final int EXAMPLES = 20;

    private final Duration lostAfter;
    private final Map<Long, Instant> owedSince = new HashMap<>();
    private final Set<Long> lost = new HashSet<>();
    private final List<String> lostExamples = new ArrayList<>();
    private Duration longestEver = Duration.ZERO;
    private Duration longestNow = Duration.ZERO;

    WaitTracker(Duration lostAfter) {
        this.lostAfter = lostAfter;
    }

    /**
     * @param countLost whether a wait past the threshold counts as lost now (not during the warm-up,
     *     while the replicas' JVMs are still starting)
     */
    synchronized void observe(SoakDatabase.OwedSample sample, boolean countLost) {
        Set<Long> present = new HashSet<>();
        Duration longest = Duration.ZERO;
        for (SoakDatabase.Owed owed : sample.owed()) {
            present.add(owed.changesetId());
            Instant since = owedSince.merge(owed.changesetId(), owed.dueSince(), (a, b) -> a.isBefore(b) ? a : b);
            Duration waited = Duration.between(since, sample.now());
            if (waited.compareTo(longest) > 0) {
                longest = waited;
            }
            if (countLost && waited.compareTo(lostAfter) > 0 && lost.add(owed.changesetId()) && lostExamples.size() < EXAMPLES) {
                lostExamples.add("changeset " + owed.changesetId() + " due since " + since + " was still owed a sync at "
                        + sample.now());
            }
        }
        owedSince.keySet().retainAll(present);
        longestNow = longest;
        if (countLost && longest.compareTo(longestEver) > 0) {
            longestEver = longest;
        }
    }

    /** The longest wait of a changeset owed a sync at the last sample. */
    synchronized Duration longestNow() {
        return longestNow;
    }

    /** The longest wait sampled since the faults began (the warm-up's JVM starts left out, as for lost work). */
    synchronized Duration longestEver() {
        return longestEver;
    }

    synchronized int lost() {
        return lost.size();
    }

    synchronized List<String> lostExamples() {
        return List.copyOf(lostExamples);
    }
}
