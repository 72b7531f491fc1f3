package dev.changesetsyncer.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.webhooks.Interpretation.ChangesetActivity;
import dev.changesetsyncer.webhooks.Interpretation.NotUsed;
import dev.changesetsyncer.webhooks.Interpretation.Ping;
import dev.changesetsyncer.webhooks.Interpretation.RepositoryActivity;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.eclipse.jetty.http.HttpFields;

/**
 * Bitbucket Server / Data Center: the event in {@code X-Event-Key} (and the body's
 * {@code eventKey}), the id in {@code X-Request-Id}, the body signed in {@code X-Hub-Signature}
 * (HMAC-SHA256, like GitHub's {@code X-Hub-Signature-256}).
 */
final class BitbucketServerDialect implements WebhookDialect {
    static final String EVENT = "X-Event-Key";
    static final String REQUEST_ID = "X-Request-Id";
    static final String SIGNATURE = "X-Hub-Signature";

    @Override
    public String path() {
        return Webhooks.BITBUCKET_SERVER_PATH;
    }

    @Override
    public Set<CodeHostKind> kinds() {
        return Set.of(CodeHostKind.BITBUCKET_SERVER);
    }

    @Override
    public boolean authentic(HttpFields headers, byte[] body, List<Secret> secrets) {
        return Signatures.hubSignatureMatches(headers.get(SIGNATURE), body, secrets);
    }

    @Override
    public String authenticationProblem(HttpFields headers) {
        return headers.get(SIGNATURE) == null
                ? "no " + SIGNATURE + " header: set the webhook's secret on Bitbucket"
                : SIGNATURE + " does not match the body: the webhook's secret on Bitbucket differs from ours";
    }

    @Override
    public String deliveryKey(HttpFields headers, byte[] body) throws MalformedDelivery {
        return DeliveryKeys.from(headers, body, REQUEST_ID);
    }

    @Override
    public Interpretation interpret(HttpFields headers, JsonNode payload) throws MalformedDelivery {
        String event = headers.get(EVENT);
        if (event == null || event.isBlank()) {
            event = payload.path("eventKey").asText(null);
        }
        if (event == null || event.isBlank()) {
            throw new MalformedDelivery("no " + EVENT + " header and no eventKey in the payload");
        }
        PayloadFields p = new PayloadFields(payload, event);
        if (event.equals("diagnostics:ping")) {
            return new Ping();
        }
        if (event.startsWith("pr:")) {
            // pr:deleted still says OPEN in its body: the event key is what happened
            RepoRef repo = RepoRef.of(p.textOrNull("pullRequest.toRef.repository.id"),
                    name(p, "pullRequest.toRef.repository"), event + " payload");
            // a deleted pull request is not one to import, whatever its body says
            String state = event.equals("pr:deleted") ? "DELETED" : p.textOrNull("pullRequest.state");
            return new ChangesetActivity(event, List.of(Target.byNumber(repo, p.text("pullRequest.id"), state, "OPEN")),
                    Summaries.of(event, p.textOrNull("actor.name"), p.textOrNull("pullRequest.state")));
        }
        if (event.equals("repo:modified")) {
            return repositoryModified(p, event);
        }
        return new NotUsed("Bitbucket event " + event + " is not used: subscribe to the pull request events");
    }

    /** A rename (and, from Bitbucket 8.0, the archived flag when the server reports it). */
    private static Interpretation repositoryModified(PayloadFields p, String event) throws MalformedDelivery {
        String oldName = name(p, "old");
        String newName = name(p, "new");
        RepoRef repo = RepoRef.of(p.textOrNull("new.id"), oldName, event + " payload");
        Boolean archived = p.booleanOrNull("new.archived");
        Boolean flip = archived != null && !archived.equals(p.booleanOrNull("old.archived")) ? archived : null;
        String renamedTo = newName != null && !Objects.equals(newName, oldName) ? newName : null;
        if (flip == null && renamedTo == null) {
            return new NotUsed(event + " changed nothing we store");
        }
        return new RepositoryActivity(event, new RepositoryChange(repo, flip, renamedTo, false),
                Summaries.of(event, p.textOrNull("actor.name"), null));
    }

    /** {@code PROJECT_KEY/repo-slug}, as in {@code repos.name}. */
    private static String name(PayloadFields p, String path) {
        String project = p.textOrNull(path + ".project.key");
        String slug = p.textOrNull(path + ".slug");
        return project == null || slug == null ? null : project + "/" + slug;
    }
}
