package dev.changesetsyncer.codehost;

import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to a changeset, found by a sync (a review, a state change, a check result).
 *
 * @param dedupeKey stable identity of the host's item, so that re-syncs do not record it twice
 * @param payloadJson the host's item as JSON
 */
public record TimelineEvent(String kind, Instant occurredAt, String dedupeKey, String payloadJson) {
    public TimelineEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(dedupeKey, "dedupeKey");
    }
}
