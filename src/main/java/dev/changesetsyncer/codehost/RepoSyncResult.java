package dev.changesetsyncer.codehost;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one repository sync: {@link Found} (the host answered with it, changed or not, and its
 * listing when tracked), {@link NotFound} (a 404: deleted, or not visible to our token), or
 * {@link Failed} (retried with backoff; never a sign of deletion). Each carries the host's rate-limit
 * status when it gave one, and how many of its requests the host did not count (free 304s).
 */
public sealed interface RepoSyncResult {
    /** null when no response said anything about the rate limit */
    RateLimitStatus rateLimit();

    /** Requests the host answered without counting them against its quota (GitHub's 304s). */
    int freeRequests();

    /**
     * @param repository as the host has it; null when it answered 304 (unchanged since the last read)
     * @param changeMarkers what this sync saw of each resource (ETags), to send back next time
     * @param listing the pull requests updated since the last listing; null when the repository is not tracked
     */
    record Found(RepoSnapshot repository, Map<String, String> changeMarkers, PullListing listing,
            RateLimitStatus rateLimit, int freeRequests) implements RepoSyncResult {
        public Found {
            changeMarkers = Map.copyOf(changeMarkers);
        }
    }

    /** The host answered 404 for the repository. */
    record NotFound(String message, RateLimitStatus rateLimit, int freeRequests) implements RepoSyncResult {
        public NotFound {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * @param retryAfter how long the host asked us to wait (null if it did not say)
     */
    record Failed(FailureKind kind, String message, Duration retryAfter, RateLimitStatus rateLimit, int freeRequests)
            implements RepoSyncResult {
        public Failed {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }
    }
}
