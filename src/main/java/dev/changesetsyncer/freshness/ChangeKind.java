package dev.changesetsyncer.freshness;

/**
 * A change on the host, and what a sync of the GitHub client sees of it: whether it moves the pull
 * request's {@code updated_at} (and so its ETag), and whether the sync records it as an event.
 */
enum ChangeKind {
    /** New head commit: updated_at moves; the checks of the new head are fetched. */
    PUSH("push", true, false),
    /** A check run completed: updated_at does not move; found as an event when the checks are fetched. */
    CHECK("check", false, true),
    /** A review: updated_at moves and the reviews are fetched; found as an event. */
    REVIEW("review", true, true),
    /** A comment: updated_at moves; not an event the client records. */
    COMMENT("comment", true, false),
    /** Merged: updated_at moves, state event; the changeset is finished from then on. */
    MERGE("merge", true, true);

    final String label;
    final boolean movesUpdatedAt;
    final boolean foundAsEvent;

    ChangeKind(String label, boolean movesUpdatedAt, boolean foundAsEvent) {
        this.label = label;
        this.movesUpdatedAt = movesUpdatedAt;
        this.foundAsEvent = foundAsEvent;
    }
}
