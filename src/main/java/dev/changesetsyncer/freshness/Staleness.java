package dev.changesetsyncer.freshness;

/**
 * For every change on the host, the time until the sync that brought it into the mirror started: nearest-rank
 * percentiles in seconds.
 *
 * @param changes changes on the host during the run
 * @param unsynced of those, changes no sync brought in (a rule that stopped syncing a changeset)
 */
public record Staleness(long changes, long unsynced, double p50, double p95, double p99, double max) {
    static Staleness none(long changes) {
        return new Staleness(changes, changes, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
}
