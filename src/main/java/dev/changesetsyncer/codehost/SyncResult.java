package dev.changesetsyncer.codehost;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one fetch: {@link Completed} (fetched, unchanged, gone), written back as the
 * changeset's new state, or {@link Failed}. Each variant carries the host's rate-limit status when
 * it gave one, and how many of its requests the host did not count against its quota (GitHub's
 * 304s), which go back to the budget the claim paid from.
 */
public sealed interface SyncResult {
    /** null when the host's response said nothing about its rate limit */
    RateLimitStatus rateLimit();

    /** Requests the host answered without counting them (free 304s). */
    int freeRequests();

    /** The same result, saying that {@code n} of its requests were free. */
    SyncResult withFreeRequests(int n);

    /** The host answered for the changeset: the sync is complete, whatever the answer. */
    sealed interface Completed extends SyncResult {}

    /**
     * The changeset, fetched.
     *
     * @param changeMarkers what this fetch saw of each resource (its ETag, or a marker of our own), to compare with next time
     * @param events timeline items found; already-recorded ones are skipped by their dedupe key
     */
    record Fetched(ChangesetSnapshot snapshot, Map<String, String> changeMarkers, List<TimelineEvent> events,
            RateLimitStatus rateLimit, int freeRequests) implements Completed {
        public Fetched {
            Objects.requireNonNull(snapshot, "snapshot");
            changeMarkers = Map.copyOf(changeMarkers);
            events = List.copyOf(events);
        }

        public Fetched(ChangesetSnapshot snapshot, Map<String, String> changeMarkers, List<TimelineEvent> events,
                RateLimitStatus rateLimit) {
            this(snapshot, changeMarkers, events, rateLimit, 0);
        }

        /** The same fetch with another snapshot. */
        public Fetched withSnapshot(ChangesetSnapshot value) {
            return new Fetched(value, changeMarkers, events, rateLimit, freeRequests);
        }

        @Override
        public Fetched withFreeRequests(int n) {
            return new Fetched(snapshot, changeMarkers, events, rateLimit, n);
        }
    }

    /** Nothing changed since the last fetch (conditional requests answered 304). */
    record Unchanged(RateLimitStatus rateLimit, int freeRequests) implements Completed {
        public Unchanged(RateLimitStatus rateLimit) {
            this(rateLimit, 0);
        }

        @Override
        public Unchanged withFreeRequests(int n) {
            return new Unchanged(rateLimit, n);
        }
    }

    /** The host says the changeset (or its repository) does not exist (404). */
    record Gone(String message, RateLimitStatus rateLimit, int freeRequests) implements Completed {
        public Gone(String message, RateLimitStatus rateLimit) {
            this(message, rateLimit, 0);
        }

        @Override
        public Gone withFreeRequests(int n) {
            return new Gone(message, rateLimit, n);
        }
    }

    /**
     * The fetch failed; the changeset is retried with backoff.
     *
     * @param retryAfter how long the host asked us to wait (null if it did not say)
     */
    record Failed(FailureKind kind, String message, Duration retryAfter, RateLimitStatus rateLimit, int freeRequests)
            implements SyncResult {
        public Failed {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }

        public Failed(FailureKind kind, String message, Duration retryAfter, RateLimitStatus rateLimit) {
            this(kind, message, retryAfter, rateLimit, 0);
        }

        @Override
        public Failed withFreeRequests(int n) {
            return new Failed(kind, message, retryAfter, rateLimit, n);
        }
    }
}
