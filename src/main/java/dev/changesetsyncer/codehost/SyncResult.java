package dev.changesetsyncer.codehost;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one fetch: {@link Completed} (fetched, unchanged, gone), written back as the
 * changeset's new state, or {@link Failed}. Each variant carries the host's rate-limit status when
 * it gave one.
 */
public sealed interface SyncResult {
    /** null when the host's response said nothing about its rate limit */
    RateLimitStatus rateLimit();

    /** The host answered for the changeset: the sync is complete, whatever the answer. */
    sealed interface Completed extends SyncResult {}

    /**
     * The changeset, fetched.
     *
     * @param changeMarkers what this fetch saw of each resource (its ETag, or a marker of our own), to compare with next time
     * @param events timeline items found; already-recorded ones are skipped by their dedupe key
     */
    record Fetched(ChangesetSnapshot snapshot, Map<String, String> changeMarkers, List<TimelineEvent> events,
            RateLimitStatus rateLimit) implements Completed {
        public Fetched {
            Objects.requireNonNull(snapshot, "snapshot");
            changeMarkers = Map.copyOf(changeMarkers);
            events = List.copyOf(events);
        }

        /** The same fetch with another snapshot. */
        public Fetched withSnapshot(ChangesetSnapshot value) {
            return new Fetched(value, changeMarkers, events, rateLimit);
        }
    }

    /** Nothing changed since the last fetch (conditional requests answered 304). */
    record Unchanged(RateLimitStatus rateLimit) implements Completed {}

    /** The host says the changeset (or its repository) does not exist (404). */
    record Gone(String message, RateLimitStatus rateLimit) implements Completed {}

    /**
     * The fetch failed; the changeset is retried with backoff.
     *
     * @param retryAfter how long the host asked us to wait (null if it did not say)
     */
    record Failed(FailureKind kind, String message, Duration retryAfter, RateLimitStatus rateLimit)
            implements SyncResult {
        public Failed {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }
    }
}
