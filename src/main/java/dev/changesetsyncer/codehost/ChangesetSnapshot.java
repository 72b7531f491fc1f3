package dev.changesetsyncer.codehost;

import java.time.Instant;

/**
 * A changeset as its host described it, normalised across hosts. A null field was not fetched this
 * time (for example the checks changed but the pull request did not): the stored value is kept.
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
    /** This snapshot with another archived flag (null: nothing to report). */
    public ChangesetSnapshot withRepoArchived(Boolean value) {
        return new ChangesetSnapshot(state, title, author, url, headRef, baseRef, headSha, reviewState, checkState,
                updatedAt, value);
    }

    /** Only the checks, for a re-sync that found the pull request itself unchanged. */
    public static ChangesetSnapshot checksOnly(CheckState checkState) {
        return new ChangesetSnapshot(null, null, null, null, null, null, null, null, checkState, null, null);
    }
}
