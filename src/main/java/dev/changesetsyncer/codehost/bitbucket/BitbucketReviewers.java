package dev.changesetsyncer.codehost.bitbucket;

import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.http.JsonFields;

/**
 * The review verdict from the pull request's own {@code reviewers[].status} (UNAPPROVED, APPROVED,
 * NEEDS_WORK), so it costs no extra call: any "needs work" wins, else any approval; reviewers who
 * have not decided leave it pending.
 */
final class BitbucketReviewers {
    private BitbucketReviewers() {}

    static ReviewState state(JsonFields pullRequest) {
        boolean any = false;
        boolean approved = false;
        boolean needsWork = false;
        for (JsonFields reviewer : pullRequest.array("reviewers")) {
            any = true;
            // servers before 4.2 had no status, only the approved flag
            String status = reviewer.textOrNull("status");
            if (status == null) {
                status = reviewer.bool("approved", false) ? "APPROVED" : "UNAPPROVED";
            }
            needsWork |= status.equals("NEEDS_WORK");
            approved |= status.equals("APPROVED");
        }
        return needsWork ? ReviewState.CHANGES_REQUESTED
                : approved ? ReviewState.APPROVED
                : any ? ReviewState.PENDING
                : ReviewState.NONE;
    }
}
