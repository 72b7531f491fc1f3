package dev.changesetsyncer.codehost.gitlab;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.TimelineEvent;
import dev.changesetsyncer.codehost.http.JsonFields;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The checks of a merge request, from its own {@code head_pipeline} (no extra call). GitLab gives one
 * pipeline status for the head commit: success passes, failed or canceled fails, skipped (or no
 * pipeline) is nothing, and anything still to run is pending.
 *
 * @param marker the pipeline's identity and status ("id:status", or "none"), to tell whether it changed
 */
record GitLabChecks(CheckState state, String marker, List<TimelineEvent> events) {
    private static final Set<String> FINISHED = Set.of("success", "failed", "canceled", "skipped");

    static GitLabChecks parse(JsonFields mr) {
        if (!mr.node().path("head_pipeline").isObject()) {
            return new GitLabChecks(CheckState.NONE, "none", List.of());
        }
        JsonFields pipeline = mr.object("head_pipeline");
        long id = pipeline.number("id");
        String status = pipeline.text("status");
        return new GitLabChecks(state(status), id + ":" + status, finished(pipeline, id, status));
    }

    private static CheckState state(String status) {
        return switch (status) {
            case "success" -> CheckState.PASSED;
            case "failed", "canceled" -> CheckState.FAILED;
            case "skipped" -> CheckState.NONE;
            // running, pending, created, waiting_for_resource, preparing, scheduled, manual, and
            // anything newer (canceling...): not settled yet, so not a verdict
            default -> CheckState.PENDING;
        };
    }

    /** A finished pipeline as an event, keyed by pipeline and status so that re-syncs do not repeat it. */
    private static List<TimelineEvent> finished(JsonFields pipeline, long id, String status) {
        Instant at = pipeline.instantOrNull("finished_at");
        if (at == null) {
            at = pipeline.instantOrNull("updated_at");
        }
        if (!FINISHED.contains(status) || at == null) {
            return List.of();
        }
        ObjectNode payload = JsonNodeFactory.instance.objectNode().put("id", id);
        String url = pipeline.textOrNull("web_url");
        if (url != null) {
            payload.put("web_url", url);
        }
        return List.of(new TimelineEvent("pipeline_" + status, at, "gitlab-pipeline-" + id + "-" + status,
                payload.toString()));
    }
}
