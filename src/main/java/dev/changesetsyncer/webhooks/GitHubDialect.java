package dev.changesetsyncer.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.webhooks.Interpretation.ChangesetActivity;
import dev.changesetsyncer.webhooks.Interpretation.NotUsed;
import dev.changesetsyncer.webhooks.Interpretation.Ping;
import dev.changesetsyncer.webhooks.Interpretation.RepositoryActivity;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.http.HttpFields;

/**
 * GitHub's webhooks (and the simulated host's, which imitates GitHub): the event in
 * {@code X-GitHub-Event}, the id in {@code X-GitHub-Delivery}, the body signed in
 * {@code X-Hub-Signature-256}.
 */
final class GitHubDialect implements WebhookDialect {
    static final String EVENT = "X-GitHub-Event";
    static final String DELIVERY = "X-GitHub-Delivery";
    static final String SIGNATURE = "X-Hub-Signature-256";

    @Override
    public String path() {
        return Webhooks.GITHUB_PATH;
    }

    @Override
    public Set<CodeHostKind> kinds() {
        return Set.of(CodeHostKind.GITHUB, CodeHostKind.SIMULATED);
    }

    @Override
    public boolean authentic(HttpFields headers, byte[] body, List<Secret> secrets) {
        return Signatures.hubSignatureMatches(headers.get(SIGNATURE), body, secrets);
    }

    @Override
    public String authenticationProblem(HttpFields headers) {
        return headers.get(SIGNATURE) == null
                ? "no " + SIGNATURE + " header: set the webhook's secret on GitHub"
                : SIGNATURE + " does not match the body: the webhook's secret on GitHub differs from ours";
    }

    @Override
    public String deliveryKey(HttpFields headers, byte[] body) throws MalformedDelivery {
        return DeliveryKeys.from(headers, body, DELIVERY);
    }

    @Override
    public Interpretation interpret(HttpFields headers, JsonNode payload) throws MalformedDelivery {
        String event = headers.get(EVENT);
        if (event == null || event.isBlank()) {
            throw new MalformedDelivery("no " + EVENT + " header");
        }
        PayloadFields p = new PayloadFields(payload, event);
        String action = p.textOrNull("action");
        String kind = action == null ? event : event + "." + action;
        String sender = p.textOrNull("sender.login");
        return switch (event) {
            case "ping" -> new Ping();
            case "pull_request" -> changesets(kind, pull(p, "pull_request"), sender, p.textOrNull("pull_request.state"));
            case "pull_request_review" -> changesets(kind, pull(p, "pull_request"), sender, p.textOrNull("review.state"));
            case "pull_request_review_comment" -> changesets(kind, pull(p, "pull_request"), sender, null);
            case "issue_comment" -> p.has("issue.pull_request")
                    ? changesets(kind, pull(p, "issue"), sender, null)
                    : new NotUsed("issue_comment on an issue, not on a pull request: not used");
            case "check_suite", "check_run" -> checks(p, event, kind, sender);
            case "status" -> changesets(kind, Target.byHeadSha(repository(p), p.text("sha")), sender, p.textOrNull("state"));
            case "repository" -> repository(p, action, kind, sender);
            default -> new NotUsed("GitHub event " + event + " is not used: subscribe to pull requests, pull request "
                    + "reviews and review comments, issue comments, check suites, check runs, statuses and repositories");
        };
    }

    /** Checks name their pull requests when GitHub knows them (not for forks); else their head commit. */
    private static Interpretation checks(PayloadFields p, String event, String kind, String sender) throws MalformedDelivery {
        String detail = p.textOrNull(event + ".conclusion") != null ? p.textOrNull(event + ".conclusion")
                : p.textOrNull(event + ".status");
        List<Target> targets = new ArrayList<>();
        for (JsonNode pull : p.node(event + ".pull_requests")) {
            PayloadFields pr = new PayloadFields(pull, event + ".pull_requests[]");
            RepoRef base = RepoRef.of(pr.textOrNull("base.repo.id"), nameFromApiUrl(pr.textOrNull("base.repo.url")),
                    event + " pull request");
            targets.add(Target.byNumber(base, pr.text("number")));
        }
        if (targets.isEmpty()) {
            targets.add(Target.byHeadSha(repository(p), p.text(event + ".head_sha")));
        }
        return new ChangesetActivity(kind, targets, Summaries.of(kind, sender, detail));
    }

    private static Interpretation repository(PayloadFields p, String action, String kind, String sender)
            throws MalformedDelivery {
        RepoRef repo = repository(p);
        RepositoryChange change = switch (action == null ? "" : action) {
            case "archived" -> RepositoryChange.archived(repo, true);
            case "unarchived" -> RepositoryChange.archived(repo, false);
            case "deleted" -> RepositoryChange.deleted(repo);
            case "renamed" -> RepositoryChange.renamed(
                    new RepoRef(repo.externalId(), p.text("repository.owner.login") + "/" + p.text("changes.repository.name.from")),
                    p.text("repository.full_name"));
            case "transferred" -> RepositoryChange.renamed(
                    new RepoRef(repo.externalId(), previousOwner(p) + "/" + p.text("repository.name")),
                    p.text("repository.full_name"));
            default -> null;
        };
        if (change == null) {
            return new NotUsed("repository." + action + " changes nothing we store");
        }
        return new RepositoryActivity(kind, change, Summaries.of(kind, sender, null));
    }

    private static String previousOwner(PayloadFields p) throws MalformedDelivery {
        String organization = p.textOrNull("changes.owner.from.organization.login");
        return organization != null ? organization : p.text("changes.owner.from.user.login");
    }

    /** The pull request of a pull request (or issue) event, with whether it is open ({@code state} open or closed). */
    private static Target pull(PayloadFields p, String object) throws MalformedDelivery {
        return Target.byNumber(repository(p), p.text(object + ".number"), p.textOrNull(object + ".state"), "open");
    }

    private static ChangesetActivity changesets(String kind, Target target, String sender, String detail) {
        return new ChangesetActivity(kind, List.of(target), Summaries.of(kind, sender, detail));
    }

    private static RepoRef repository(PayloadFields p) throws MalformedDelivery {
        String id = p.textOrNull("repository.id");
        String name = p.textOrNull("repository.full_name");
        if (id == null && name == null) {
            throw new MalformedDelivery(p.node("repository").isMissingNode()
                    ? "payload has no repository" : "payload has no repository.id or repository.full_name");
        }
        return new RepoRef(id, name);
    }

    /** {@code owner/name} from an API URL such as {@code https://api.github.com/repos/owner/name}. */
    static String nameFromApiUrl(String url) {
        if (url == null) {
            return null;
        }
        int at = url.lastIndexOf("/repos/");
        return at < 0 ? null : url.substring(at + "/repos/".length());
    }
}
