package dev.changesetsyncer.simhost;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A pull request as the host has it at one moment. Immutable: each change makes a new version, so
 * an answer is always rendered from one consistent state.
 *
 * @param version bumped by every change; part of the ETag
 * @param headPushedAt when the head commit was pushed: its checks run for a while after that
 * @param deleted the pull request is gone: every request for it is answered 404
 */
record PullRequest(
        Repository repo,
        int number,
        long id,
        int version,
        String title,
        String author,
        boolean closed,
        boolean merged,
        boolean draft,
        Instant createdAt,
        Instant updatedAt,
        Instant closedAt,
        Instant mergedAt,
        String headSha,
        Instant headPushedAt,
        List<Review> reviews,
        boolean reviewersRequested,
        boolean deleted) {

    PullRequest {
        reviews = List.copyOf(reviews);
    }

    String key() {
        return repo.fullName() + "#" + number;
    }

    String headRef() {
        return "feature-" + number;
    }

    /** The checks of the head commit: running until {@code checksTake} after the push, then concluded. */
    Checks checks(Instant now, Duration checksTake) {
        Instant concludesAt = headPushedAt.plus(checksTake);
        if (now.isBefore(concludesAt)) {
            return new Checks(false, false, headPushedAt, null);
        }
        // about one head commit in seven fails its checks
        boolean failed = Math.floorMod(headSha.hashCode(), 7) == 0;
        return new Checks(true, failed, headPushedAt, concludesAt);
    }

    /** The checks of one commit: still running, or completed and passed or failed. */
    record Checks(boolean completed, boolean failed, Instant startedAt, Instant completedAt) {}

    PullRequest changed(Instant at) {
        return new PullRequest(repo, number, id, version + 1, title, author, closed, merged, draft, createdAt, at, closedAt,
                mergedAt, headSha, headPushedAt, reviews, reviewersRequested, deleted);
    }

    PullRequest withTitle(String value) {
        return new PullRequest(repo, number, id, version, value, author, closed, merged, draft, createdAt, updatedAt,
                closedAt, mergedAt, headSha, headPushedAt, reviews, reviewersRequested, deleted);
    }

    PullRequest withState(boolean isClosed, boolean isMerged, boolean isDraft, Instant closed, Instant merged) {
        return new PullRequest(repo, number, id, version, title, author, isClosed, isMerged, isDraft, createdAt, updatedAt,
                closed, merged, headSha, headPushedAt, reviews, reviewersRequested, deleted);
    }

    PullRequest withHead(String sha, Instant pushedAt) {
        return new PullRequest(repo, number, id, version, title, author, closed, merged, draft, createdAt, updatedAt,
                closedAt, mergedAt, sha, pushedAt, reviews, reviewersRequested, deleted);
    }

    PullRequest withReviews(List<Review> value, boolean requested) {
        return new PullRequest(repo, number, id, version, title, author, closed, merged, draft, createdAt, updatedAt,
                closedAt, mergedAt, headSha, headPushedAt, value, requested, deleted);
    }

    PullRequest asDeleted() {
        return new PullRequest(repo, number, id, version, title, author, closed, merged, draft, createdAt, updatedAt,
                closedAt, mergedAt, headSha, headPushedAt, reviews, reviewersRequested, true);
    }
}
