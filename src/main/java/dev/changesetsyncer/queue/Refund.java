package dev.changesetsyncer.queue;

/**
 * Requests a claim paid for that the host did not count (free 304s), to give back to its budget.
 *
 * @param requests at most what the claim cost
 */
public record Refund(long codeHostId, double requests) {
    public Refund {
        if (!(requests >= 0)) {
            throw new IllegalArgumentException("requests must not be negative, got " + requests);
        }
    }

    /** What a sync that made {@code freeRequests} free requests gets back of a claim that cost {@code cost}. */
    public static Refund of(long codeHostId, Double cost, int freeRequests) {
        return new Refund(codeHostId, cost == null ? 0 : Math.min(cost, freeRequests));
    }
}
