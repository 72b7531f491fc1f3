package dev.changesetsyncer.catalog;

import java.time.Duration;
import java.util.Objects;

/**
 * A code host's schedule settings. The database checks how they relate (min at most max, caps in
 * range) and rejects bad combinations with a named constraint; see {@code db/tables}.
 *
 * @param minSyncDelay shortest wait between syncs (a change after the last sync is synced this long after it)
 * @param maxSyncDelay longest wait for an open changeset
 * @param checksPendingMaxDelay longest wait while checks are running
 * @param finishedMaxDelay longest wait for merged, closed and read-only changesets
 */
public record ScheduleSettings(
        Duration minSyncDelay, Duration maxSyncDelay, Duration checksPendingMaxDelay, Duration finishedMaxDelay) {
    /**
     * The column defaults (docs/freshness.md says why): 2 min, 5 h, 5 min while checks run, 7 days when
     * finished.
     */
    public static final ScheduleSettings DEFAULTS = new ScheduleSettings(
            Duration.ofMinutes(2), Duration.ofHours(5), Duration.ofMinutes(5), Duration.ofDays(7));

    public ScheduleSettings {
        Objects.requireNonNull(minSyncDelay, "minSyncDelay");
        Objects.requireNonNull(maxSyncDelay, "maxSyncDelay");
        Objects.requireNonNull(checksPendingMaxDelay, "checksPendingMaxDelay");
        Objects.requireNonNull(finishedMaxDelay, "finishedMaxDelay");
    }
}
