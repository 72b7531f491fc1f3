package dev.changesetsyncer.codehost.bitbucket;

import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.ChangesetState;
import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.TimelineEvent;
import dev.changesetsyncer.codehost.http.JsonFields;
import dev.changesetsyncer.codehost.http.UnreadableResponseException;
import java.time.Instant;
import java.util.List;

/**
 * The fields we keep of Bitbucket Server's pull request
 * ({@code GET /rest/api/1.0/projects/{key}/repos/{slug}/pull-requests/{id}}).
 *
 * @param version Bitbucket's optimistic-locking version, bumped by most updates
 * @param mergedAt the {@code closedDate} of a merged pull request, else null
 * @param declinedAt the {@code closedDate} of a declined pull request, else null
 */
record BitbucketPullRequest(
        long version,
        ChangesetState state,
        String title,
        String author,
        String url,
        String headRef,
        String baseRef,
        String headSha,
        ReviewState reviewState,
        Instant updatedAt,
        Instant mergedAt,
        Instant declinedAt,
        boolean repoArchived) {

    static BitbucketPullRequest parse(JsonFields pr) {
        // "archived" arrived with Bitbucket 8.0 and "draft" with 8.18: older servers omit them
        boolean archived = pr.bool("toRef.repository.archived", false);
        String state = pr.text("state");
        ChangesetState normalised = switch (state) {
            case "MERGED" -> ChangesetState.MERGED;
            case "DECLINED" -> ChangesetState.CLOSED;
            case "OPEN" -> pr.bool("draft", false) ? ChangesetState.DRAFT : ChangesetState.OPEN;
            default -> throw new UnreadableResponseException(
                    "pull request state \"" + state + "\" is none of OPEN, MERGED, DECLINED");
        };
        Instant closedAt = pr.instantOrNull("closedDate");
        String author = pr.textOrNull("author.user.name");
        return new BitbucketPullRequest(
                pr.number("version"),
                archived ? ChangesetState.READ_ONLY : normalised,
                pr.text("title"),
                author != null ? author : pr.textOrNull("author.user.slug"),
                pr.textOrNull("links.self.0.href"),
                pr.text("fromRef.displayId"),
                pr.text("toRef.displayId"),
                pr.text("fromRef.latestCommit"),
                BitbucketReviewers.state(pr),
                pr.instant("updatedDate"),
                state.equals("MERGED") ? closedAt : null,
                state.equals("DECLINED") ? closedAt : null,
                archived);
    }

    ChangesetSnapshot snapshot(CheckState checks) {
        return new ChangesetSnapshot(state, title, author, url, headRef, baseRef, headSha, reviewState, checks, updatedAt,
                repoArchived);
    }

    /**
     * Our own "did it change" marker. Version and updatedDate say most of it, but an approval or an
     * archived repository need not touch either, so a digest of everything we keep is added.
     */
    String changeMarker() {
        return version + "@" + updatedAt.toEpochMilli() + "#" + ChangeMarkers.digest(state, title, author, url, headRef,
                baseRef, headSha, reviewState, repoArchived);
    }

    /** Merged and declined, as events: their time is in the pull request itself. */
    List<TimelineEvent> stateEvents() {
        if (mergedAt != null) {
            return List.of(new TimelineEvent("merged", mergedAt, "bitbucket-merged", null));
        }
        if (declinedAt != null) {
            // a declined pull request can be reopened and declined again
            return List.of(new TimelineEvent("declined", declinedAt, "bitbucket-declined-" + declinedAt.toEpochMilli(), null));
        }
        return List.of();
    }
}
