package dev.changesetsyncer.codehost.gitlab;

import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.http.JsonFields;

/**
 * A merge request's approvals ({@code GET /projects/:id/merge_requests/:iid/approvals}, a Premium and
 * Ultimate endpoint; GitLab Free answers 404 or 403, and then only the reviewers on the merge request
 * itself say anything). GitLab has no "changes requested" verdict here.
 *
 * @param approvers how many have approved ({@code approved_by})
 * @param approvalsLeft how many approvals the rules still require ({@code approvals_left}; 0 when absent)
 * @param approved GitLab's own verdict ({@code approved}; when absent, nothing is left to approve)
 */
record GitLabApprovals(int approvers, long approvalsLeft, boolean approved) {

    static GitLabApprovals parse(JsonFields approvals) {
        int approvers = approvals.node().path("approved_by").size();
        long left = approvals.node().path("approvals_left").isIntegralNumber()
                ? approvals.node().path("approvals_left").asLong() : 0;
        return new GitLabApprovals(approvers, left, approvals.bool("approved", left <= 0));
    }

    ReviewState state(boolean reviewersAssigned) {
        // "approved" alone is not a verdict: with no rules, GitLab says approved before anyone looked
        if (approved && approvers > 0) {
            return ReviewState.APPROVED;
        }
        if (approvalsLeft > 0) {
            return ReviewState.PENDING;
        }
        return withoutApprovals(reviewersAssigned);
    }

    /** No approval data (GitLab Free, or nobody approved and nothing is required): reviewers mean a review is pending. */
    static ReviewState withoutApprovals(boolean reviewersAssigned) {
        return reviewersAssigned ? ReviewState.PENDING : ReviewState.NONE;
    }
}
