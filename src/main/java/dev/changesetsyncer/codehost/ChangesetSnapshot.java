package dev.changesetsyncer.codehost;

import java.time.Instant;
import java.util.Objects;

/**
 * A changeset as its host described it, normalised across hosts.
 *
 * @param updatedAt the host's own last-modified time of the changeset
 * @param repoArchived whether the repository is archived, when the host's payload says (else null)
 */
public record ChangesetSnapshot(
        ChangesetState state,
        String title,
        String author,
        String url,
        String headRef,
        String baseRef,
        String headSha,
        ReviewState reviewState,
        CheckState checkState,
        Instant updatedAt,
        Boolean repoArchived) {
    public ChangesetSnapshot {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reviewState, "reviewState");
        Objects.requireNonNull(checkState, "checkState");
    }
}
