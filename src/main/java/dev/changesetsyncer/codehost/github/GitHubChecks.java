package dev.changesetsyncer.codehost.github;

import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.TimelineEvent;
import dev.changesetsyncer.codehost.http.JsonFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The head commit's checks: check runs ({@code .../commits/{sha}/check-runs}) and the combined
 * status of the older status API ({@code .../commits/{sha}/status}). Any failure fails; anything
 * still running is pending; else passed if there was anything at all.
 */
record GitHubChecks(CheckState state, List<TimelineEvent> events) {
    private static final Set<String> FAILED = Set.of("failure", "timed_out", "cancelled", "action_required", "startup_failure", "stale");

    static GitHubChecks parse(JsonFields runs, JsonFields combined) {
        boolean failed = false;
        boolean pending = false;
        boolean passed = false;
        List<TimelineEvent> events = new ArrayList<>();
        for (JsonFields run : runs.array("check_runs")) {
            if (!"completed".equals(run.text("status"))) {
                pending = true;
                continue;
            }
            String conclusion = run.textOrNull("conclusion");
            if (conclusion != null && FAILED.contains(conclusion)) {
                failed = true;
            } else {
                passed = true;
            }
            if (run.instantOrNull("completed_at") != null) {
                events.add(new TimelineEvent("check_" + (conclusion == null ? "completed" : conclusion),
                        run.instant("completed_at"), "github-check-run-" + run.number("id") + "-" + conclusion,
                        run.node().path("name").isTextual() ? "{\"name\":" + run.node().path("name") + "}" : null));
            }
        }
        // the combined state is "pending" when there are no statuses at all: only count it when there are some
        if (combined.number("total_count") > 0) {
            switch (combined.text("state")) {
                case "failure", "error" -> failed = true;
                case "pending" -> pending = true;
                default -> passed = true;
            }
            for (JsonFields status : combined.array("statuses")) {
                if (status.instantOrNull("updated_at") != null && !"pending".equals(status.textOrNull("state"))) {
                    events.add(new TimelineEvent("status_" + status.text("state"), status.instant("updated_at"),
                            "github-status-" + status.number("id"), "{\"context\":" + status.node().path("context") + "}"));
                }
            }
        }
        CheckState state = failed ? CheckState.FAILED : pending ? CheckState.PENDING : passed ? CheckState.PASSED
                : CheckState.NONE;
        return new GitHubChecks(state, events);
    }
}
