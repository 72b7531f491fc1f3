package dev.changesetsyncer.codehost.github;

import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.ChangesetState;
import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.TimelineEvent;
import dev.changesetsyncer.codehost.http.JsonFields;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The fields we keep of GitHub's pull request object ({@code GET /repos/{owner}/{repo}/pulls/{number}}). */
record GitHubPullRequest(
        int number,
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
        boolean repoArchived,
        boolean reviewersRequested) {

    static GitHubPullRequest parse(JsonFields pr) {
        boolean archived = pr.bool("base.repo.archived", false);
        boolean merged = pr.bool("merged", false);
        String state = pr.text("state");
        ChangesetState normalised = archived ? ChangesetState.READ_ONLY
                : merged ? ChangesetState.MERGED
                : state.equals("closed") ? ChangesetState.CLOSED
                : pr.bool("draft", false) ? ChangesetState.DRAFT
                : ChangesetState.OPEN;
        boolean reviewersRequested = pr.node().path("requested_reviewers").size() > 0
                || pr.node().path("requested_teams").size() > 0;
        return new GitHubPullRequest(
                (int) pr.number("number"),
                normalised,
                pr.text("title"),
                pr.textOrNull("user.login"),
                pr.textOrNull("html_url"),
                pr.text("head.ref"),
                pr.text("base.ref"),
                pr.text("head.sha"),
                pr.instant("updated_at"),
                state.equals("closed") ? pr.instantOrNull("closed_at") : null,
                merged ? pr.instantOrNull("merged_at") : null,
                archived,
                reviewersRequested);
    }

    ChangesetSnapshot snapshot(ReviewState reviews, CheckState checks) {
        return new ChangesetSnapshot(state, title, author, url, headRef, baseRef, headSha, reviews, checks, updatedAt,
                repoArchived);
    }

    /** Merged and closed, as events: their time is in the pull request itself, no timeline call needed. */
    List<TimelineEvent> stateEvents() {
        List<TimelineEvent> events = new ArrayList<>();
        if (mergedAt != null) {
            events.add(new TimelineEvent("merged", mergedAt, "github-merged", null));
        } else if (closedAt != null) {
            events.add(new TimelineEvent("closed", closedAt, "github-closed-" + closedAt.getEpochSecond(), null));
        }
        return events;
    }
}
