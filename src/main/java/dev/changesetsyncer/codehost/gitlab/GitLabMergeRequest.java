package dev.changesetsyncer.codehost.gitlab;

import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.ChangesetState;
import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.TimelineEvent;
import dev.changesetsyncer.codehost.http.HostResponse;
import dev.changesetsyncer.codehost.http.JsonFields;
import dev.changesetsyncer.codehost.http.UnreadableResponseException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The fields we keep of GitLab's merge request ({@code GET /projects/:id/merge_requests/:iid}).
 *
 * @param state as the merge request says; the project's archived flag, which it does not carry, is
 *     applied in {@link #snapshot}
 * @param headSha null when GitLab has no diff for it (then the stored one is kept)
 * @param reviewersAssigned whether the merge request has reviewers (a review is pending without approvals)
 */
record GitLabMergeRequest(
        ChangesetState state,
        String title,
        String author,
        String url,
        String headRef,
        String baseRef,
        String headSha,
        Instant updatedAt,
        Instant closedAt,
        Instant mergedAt,
        boolean reviewersAssigned,
        GitLabChecks checks) {

    static GitLabMergeRequest parse(HostResponse response) {
        JsonFields mr = JsonFields.of(response);
        String state = mr.text("state");
        // older GitLab has only work_in_progress, newer deprecates it for draft
        boolean draft = mr.bool("draft", false) || mr.bool("work_in_progress", false);
        ChangesetState normalised = switch (state) {
            case "merged" -> ChangesetState.MERGED;
            case "closed" -> ChangesetState.CLOSED;
            // locked lasts only while GitLab merges it: still open (or draft) until the merge lands
            case "opened", "locked" -> draft ? ChangesetState.DRAFT : ChangesetState.OPEN;
            default -> throw new UnreadableResponseException(response.describe() + ": field state is \"" + state
                    + "\", not one of opened, closed, merged, locked");
        };
        return new GitLabMergeRequest(
                normalised,
                mr.text("title"),
                mr.textOrNull("author.username"),
                mr.textOrNull("web_url"),
                mr.text("source_branch"),
                mr.text("target_branch"),
                mr.textOrNull("sha"),
                mr.instant("updated_at"),
                state.equals("closed") ? mr.instantOrNull("closed_at") : null,
                state.equals("merged") ? mr.instantOrNull("merged_at") : null,
                mr.node().path("reviewers").size() > 0,
                GitLabChecks.parse(mr));
    }

    /** An archived project makes every merge request read-only, whatever its own state. */
    ChangesetSnapshot snapshot(ReviewState reviews, GitLabArchivedFlags.Flag archived) {
        return new ChangesetSnapshot(archived.archived() ? ChangesetState.READ_ONLY : state, title, author, url,
                headRef, baseRef, headSha, reviews, checks.state(), updatedAt, archived.reported());
    }

    /** Merged, closed and a finished head pipeline, from the merge request itself: no extra call. */
    List<TimelineEvent> events() {
        List<TimelineEvent> events = new ArrayList<>();
        if (mergedAt != null) {
            events.add(new TimelineEvent("merged", mergedAt, "gitlab-merged", null));
        } else if (closedAt != null) {
            // a merge request can be closed, reopened and closed again: one event per closing
            events.add(new TimelineEvent("closed", closedAt, "gitlab-closed-" + closedAt.getEpochSecond(), null));
        }
        events.addAll(checks.events());
        return events;
    }

    /**
     * A digest of what we keep of the merge request, its pipeline aside: our own change marker, since
     * GitLab may send no ETag, and an ETag also changes for fields we ignore. It decides whether the
     * approvals are read again, so a pipeline going from pending to running does not cost that call.
     */
    String digest() {
        String fields = String.join("\u0000", String.valueOf(state), title, Objects.toString(author),
                Objects.toString(url), headRef, baseRef, Objects.toString(headSha), String.valueOf(updatedAt),
                String.valueOf(closedAt), String.valueOf(mergedAt), String.valueOf(reviewersAssigned));
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(fields.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
