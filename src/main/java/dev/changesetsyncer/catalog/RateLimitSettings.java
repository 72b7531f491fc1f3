package dev.changesetsyncer.catalog;

/**
 * A code host's limits, enforced by the claim for all replicas. Null means "none" for the budget and
 * the cap, and "a minute's worth" for the burst.
 *
 * @param requestsPerHour the token bucket's refill rate
 * @param requestBurst the bucket's size
 * @param requestsPerSync tokens each claimed changeset takes
 * @param maxInFlight most syncs of the host running at once
 */
public record RateLimitSettings(Integer requestsPerHour, Integer requestBurst, double requestsPerSync, Integer maxInFlight) {
    /** The schema's bound (table 007): it keeps the claim's arithmetic in range. */
    public static final int MAX_REQUESTS_PER_HOUR = 100_000_000;

    /** These limits with another budget (null: none). */
    public RateLimitSettings withRequestsPerHour(Integer value) {
        return new RateLimitSettings(value, requestBurst, requestsPerSync, maxInFlight);
    }
}
