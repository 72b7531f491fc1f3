package dev.changesetsyncer.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.webhooks.Interpretation.ChangesetActivity;
import dev.changesetsyncer.webhooks.Interpretation.NotUsed;
import dev.changesetsyncer.webhooks.Interpretation.RepositoryActivity;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.eclipse.jetty.http.HttpFields;

/**
 * GitLab's project, group and system hooks: the event in {@code X-Gitlab-Event}, the secret token
 * itself in {@code X-Gitlab-Token} (nothing signs the body), the id in {@code Idempotency-Key}
 * (newer GitLab) or {@code X-Gitlab-Event-UUID}.
 */
final class GitLabDialect implements WebhookDialect {
    static final String EVENT = "X-Gitlab-Event";
    static final String TOKEN = "X-Gitlab-Token";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String EVENT_UUID = "X-Gitlab-Event-UUID";

    @Override
    public String path() {
        return Webhooks.GITLAB_PATH;
    }

    @Override
    public Set<CodeHostKind> kinds() {
        return Set.of(CodeHostKind.GITLAB);
    }

    @Override
    public boolean authentic(HttpFields headers, byte[] body, List<Secret> secrets) {
        return Signatures.tokenMatches(headers.get(TOKEN), secrets);
    }

    @Override
    public String authenticationProblem(HttpFields headers) {
        return headers.get(TOKEN) == null
                ? "no " + TOKEN + " header: set the webhook's secret token on GitLab"
                : TOKEN + " is not the secret token we have for this code host";
    }

    @Override
    public String deliveryKey(HttpFields headers, byte[] body) throws MalformedDelivery {
        return DeliveryKeys.from(headers, body, IDEMPOTENCY_KEY, EVENT_UUID);
    }

    @Override
    public Interpretation interpret(HttpFields headers, JsonNode payload) throws MalformedDelivery {
        String event = headers.get(EVENT);
        if (event == null || event.isBlank()) {
            throw new MalformedDelivery("no " + EVENT + " header");
        }
        PayloadFields p = new PayloadFields(payload, event);
        return switch (event) {
            case "Merge Request Hook" -> mergeRequest(p);
            case "Pipeline Hook" -> pipeline(p);
            case "Note Hook" -> note(p);
            // system hooks (instance-wide) carry merge request events too; group hooks carry project events
            case "System Hook", "Project Hook" -> "merge_request".equals(p.textOrNull("object_kind"))
                    ? mergeRequest(p) : project(p, event);
            default -> new NotUsed("GitLab event " + event + " is not used: enable merge request, pipeline and "
                    + "comment events");
        };
    }

    /** Every action, approvals included: even a thin payload records an event (the sync reads the rest). */
    private static Interpretation mergeRequest(PayloadFields p) throws MalformedDelivery {
        String action = p.textOrNull("object_attributes.action");
        String kind = action == null ? "merge_request" : "merge_request." + action;
        return new ChangesetActivity(kind, List.of(Target.byNumber(project(p), p.text("object_attributes.iid"),
                        p.textOrNull("object_attributes.state"), "opened", "locked")),
                Summaries.of(kind, p.textOrNull("user.username"), p.textOrNull("object_attributes.state")));
    }

    /** A merge request pipeline names its merge request; a branch pipeline only its commit. */
    private static Interpretation pipeline(PayloadFields p) throws MalformedDelivery {
        String status = p.textOrNull("object_attributes.status");
        String kind = status == null ? "pipeline" : "pipeline." + status;
        Target target;
        if (p.has("merge_request")) {
            RepoRef project = project(p);
            String targetProject = p.textOrNull("merge_request.target_project_id");
            RepoRef repo = targetProject == null || Objects.equals(targetProject, project.externalId())
                    ? project : new RepoRef(targetProject, null); // a fork's pipeline: the merge request is upstream
            target = Target.byNumber(repo, p.text("merge_request.iid"));
        } else {
            target = Target.byHeadSha(project(p), p.text("object_attributes.sha"));
        }
        return new ChangesetActivity(kind, List.of(target), Summaries.of(kind, p.textOrNull("user.username"), status));
    }

    private static Interpretation note(PayloadFields p) throws MalformedDelivery {
        String noteable = p.textOrNull("object_attributes.noteable_type");
        if (!"MergeRequest".equals(noteable)) {
            return new NotUsed("a comment on a " + (noteable == null ? "thing" : noteable) + ", not on a merge request: "
                    + "not used");
        }
        String action = p.textOrNull("object_attributes.action");
        String kind = action == null ? "note" : "note." + action;
        return new ChangesetActivity(kind, List.of(Target.byNumber(project(p), p.text("merge_request.iid"),
                        p.textOrNull("merge_request.state"), "opened", "locked")),
                Summaries.of(kind, p.textOrNull("user.username"), null));
    }

    /** Project renamed, moved or deleted (system hooks; group hooks for deletions). GitLab sends nothing on archiving. */
    private static Interpretation project(PayloadFields p, String event) throws MalformedDelivery {
        String name = p.textOrNull("event_name");
        String kind = name == null ? event : name;
        RepositoryChange change = switch (name == null ? "" : name) {
            case "project_rename", "project_transfer" -> RepositoryChange.renamed(
                    RepoRef.of(p.textOrNull("project_id"), p.textOrNull("old_path_with_namespace"), kind),
                    p.text("path_with_namespace"));
            case "project_destroy" -> RepositoryChange.deleted(
                    RepoRef.of(p.textOrNull("project_id"), p.textOrNull("path_with_namespace"), kind));
            default -> null;
        };
        if (change == null) {
            return new NotUsed(event + " " + kind + " changes nothing we store");
        }
        return new RepositoryActivity(kind, change, Summaries.of(kind, p.textOrNull("owner_name"), null));
    }

    private static RepoRef project(PayloadFields p) throws MalformedDelivery {
        return RepoRef.of(p.textOrNull("project.id"), p.textOrNull("project.path_with_namespace"), "payload");
    }
}
