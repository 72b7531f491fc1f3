package dev.changesetsyncer.codehost.github;

import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.TimelineEvent;
import dev.changesetsyncer.codehost.http.JsonFields;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A pull request's reviews ({@code GET .../pulls/{number}/reviews}, oldest first). Each reviewer's
 * latest verdict counts: any "changes requested" wins, else any approval; comments do not change a
 * verdict and a dismissal withdraws it.
 */
record GitHubReviews(Map<String, String> verdicts, List<TimelineEvent> events) {

    static GitHubReviews parse(List<JsonFields> reviews) {
        Map<String, String> verdicts = new HashMap<>();
        List<TimelineEvent> events = new ArrayList<>();
        for (JsonFields review : reviews) {
            String state = review.text("state");
            String reviewer = review.textOrNull("user.login");
            switch (state) {
                case "APPROVED", "CHANGES_REQUESTED" -> verdicts.put(reviewer, state);
                case "DISMISSED" -> verdicts.remove(reviewer);
                default -> { } // COMMENTED, PENDING
            }
            if (review.instantOrNull("submitted_at") != null) {
                events.add(new TimelineEvent("review_" + state.toLowerCase(Locale.ROOT), review.instant("submitted_at"),
                        "github-review-" + review.number("id") + "-" + state, review.node().toString()));
            }
        }
        return new GitHubReviews(verdicts, events);
    }

    ReviewState state(boolean reviewersRequested) {
        if (verdicts.containsValue("CHANGES_REQUESTED")) {
            return ReviewState.CHANGES_REQUESTED;
        }
        if (verdicts.containsValue("APPROVED")) {
            return ReviewState.APPROVED;
        }
        return reviewersRequested ? ReviewState.PENDING : ReviewState.NONE;
    }

    /** The reviews did not change (304): keep the verdict, but a review request may have come or gone. */
    static ReviewState carriedOver(ReviewState stored, boolean reviewersRequested) {
        if (stored == ReviewState.APPROVED || stored == ReviewState.CHANGES_REQUESTED) {
            return stored;
        }
        return reviewersRequested ? ReviewState.PENDING : ReviewState.NONE;
    }
}
