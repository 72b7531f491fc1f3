package dev.changesetsyncer.codehost.bitbucket;

import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.TimelineEvent;
import dev.changesetsyncer.codehost.http.JsonFields;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The build statuses of the head commit ({@code GET /rest/build-status/1.0/commits/{sha}}, items of
 * {@code values[]}). Any failed or cancelled build fails; else any running one is pending; else
 * passed if there was anything at all. UNKNOWN (newer servers) says nothing either way.
 *
 * @param marker a digest of what was read, to tell a re-read that found nothing new
 */
record BitbucketBuilds(CheckState state, List<TimelineEvent> events, String marker) {
    private static final Set<String> FINISHED = Set.of("SUCCESSFUL", "FAILED", "CANCELLED");

    static BitbucketBuilds parse(List<JsonFields> statuses, String sha) {
        boolean failed = false;
        boolean pending = false;
        boolean passed = false;
        List<TimelineEvent> events = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (JsonFields build : statuses) {
            String state = build.text("state");
            String key = build.text("key");
            // dateAdded in the older documentation; Data Center 8 documents createdDate/updatedDate instead
            Instant at = build.instantOrNull("dateAdded");
            if (at == null) {
                at = build.instantOrNull("updatedDate");
            }
            seen.add(key + " " + state + " " + at);
            switch (state) {
                case "FAILED", "CANCELLED" -> failed = true;
                case "SUCCESSFUL" -> passed = true;
                case "INPROGRESS" -> pending = true;
                default -> { } // UNKNOWN
            }
            if (FINISHED.contains(state) && at != null) {
                // the same build key reports on every commit pushed: the commit keeps them apart
                events.add(new TimelineEvent("build_" + state.toLowerCase(Locale.ROOT), at,
                        "bitbucket-build-" + key + "-" + state + "-" + sha, build.node().toString()));
            }
        }
        seen.sort(null);
        CheckState state = failed ? CheckState.FAILED : pending ? CheckState.PENDING : passed ? CheckState.PASSED
                : CheckState.NONE;
        return new BitbucketBuilds(state, events, ChangeMarkers.digest(sha, seen));
    }
}
