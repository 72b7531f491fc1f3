package dev.changesetsyncer.webhooks;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.http.RequestBodies;
import dev.changesetsyncer.http.TextAnswers;
import dev.changesetsyncer.webhooks.CodeHostDirectory.KnownHost;
import dev.changesetsyncer.webhooks.Interpretation.ChangesetActivity;
import dev.changesetsyncer.webhooks.Interpretation.NotUsed;
import dev.changesetsyncer.webhooks.Interpretation.Ping;
import dev.changesetsyncer.webhooks.Interpretation.RepositoryActivity;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One webhook endpoint ({@code POST /webhooks/<host>?code_host=NAME}). Checks, in this order, each
 * answered at once with nothing stored: body over the limit 413 (before it is read), unknown code
 * host or one of another kind 404, no secret configured 403, bad or missing signature 401,
 * malformed JSON or a payload without what its event must carry 400. Then: an event we do not use
 * 202; stored 200; a delivery stored before 200 (stored once); a changeset or repository we do not
 * have 202. A database that cannot be reached answers 503 (the delivery is not stored; the host, or
 * someone, redelivers it). The request path never calls a code host.
 */
final class WebhookReceiver implements Request.Handler {
    static final String CODE_HOST_PARAMETER = "code_host";
    private static final Logger log = LoggerFactory.getLogger(WebhookReceiver.class);
    private static final ObjectMapper json = new ObjectMapper();

    /** An answer, and the code host it counts for. */
    private record Answer(String codeHost, int status, String message) {}

    private final WebhookDialect dialect;
    private final CodeHostDirectory hosts;
    private final WebhookSecrets secrets;
    private final WebhookStore store;
    private final WebhookCounts counts;

    WebhookReceiver(WebhookDialect dialect, CodeHostDirectory hosts, WebhookSecrets secrets, WebhookStore store,
            WebhookCounts counts) {
        this.dialect = dialect;
        this.hosts = hosts;
        this.secrets = secrets;
        this.store = store;
        this.counts = counts;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Answer answer;
        try {
            answer = answer(request);
        } catch (RuntimeException e) { // a bug: say so, and keep serving
            log.error("webhook delivery to {} failed unexpectedly", dialect.path(), e);
            answer = new Answer(WebhookCounts.UNKNOWN_HOST, 500, "internal error: the delivery was not stored");
        }
        counts.record(answer.codeHost(), answer.status());
        logAnswer(answer);
        TextAnswers.write(response, callback, answer.status(), answer.message());
        return true;
    }

    private Answer answer(Request request) {
        byte[] body;
        try {
            body = RequestBodies.read(request);
        } catch (RequestBodies.Unreadable e) {
            return new Answer(WebhookCounts.UNKNOWN_HOST, e.status(), e.getMessage());
        }
        String name;
        try {
            name = Request.extractQueryParameters(request).getValue(CODE_HOST_PARAMETER);
        } catch (IllegalArgumentException e) { // a broken %-escape: no code host can be read from it
            name = null;
        }
        if (name == null || name.isBlank()) {
            return new Answer(WebhookCounts.UNKNOWN_HOST, 404, "name the code host: POST " + dialect.path()
                    + "?code_host=NAME, NAME as in code_hosts.name");
        }
        Optional<KnownHost> found;
        try {
            found = hosts.find(name);
        } catch (DataAccessException e) {
            return databaseDown(WebhookCounts.UNKNOWN_HOST, e);
        }
        if (found.isEmpty()) {
            return new Answer(WebhookCounts.UNKNOWN_HOST, 404, "no code host named \"" + printable(name) + "\"");
        }
        KnownHost host = found.get();
        if (!dialect.kinds().contains(host.kind())) {
            return new Answer(host.name(), 404, "code host \"" + name + "\" is of kind " + host.kind().sqlName()
                    + ": its webhooks go to " + Webhooks.pathFor(host.kind()));
        }
        Optional<List<Secret>> hostSecrets = secrets.forHost(host.name());
        if (hostSecrets.isEmpty()) {
            return new Answer(host.name(), 403, "no webhook secret is configured for code host \"" + name + "\": set "
                    + WebhookSecrets.variableFor(host.name()) + " (or add it to the webhook secrets file); until then "
                    + "its webhooks are refused");
        }
        HttpFields headers = request.getHeaders();
        if (!dialect.authentic(headers, body, hostSecrets.get())) {
            return new Answer(host.name(), 401, "not authenticated: " + dialect.authenticationProblem(headers));
        }
        JsonNode payload;
        try {
            payload = json.readTree(body);
        } catch (JacksonException e) {
            return new Answer(host.name(), 400, "malformed JSON" + contentTypeHint(headers) + ": "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            return new Answer(host.name(), 400, "malformed JSON: " + e.getMessage());
        }
        if (payload == null || !payload.isObject()) {
            return new Answer(host.name(), 400, "malformed JSON" + contentTypeHint(headers)
                    + ": the payload is not a JSON object");
        }
        try {
            String deliveryKey = dialect.deliveryKey(headers, body);
            return switch (dialect.interpret(headers, payload)) {
                case Ping ping -> new Answer(host.name(), 200, "pong: webhooks from code host \"" + name + "\" are verified");
                case NotUsed notUsed -> new Answer(host.name(), 202, "not stored: " + notUsed.reason());
                case ChangesetActivity activity -> stored(host, deliveryKey, activity.event(),
                        () -> store.record(host.id(), deliveryKey, activity), describe(activity.targets()));
                case RepositoryActivity activity -> stored(host, deliveryKey, activity.event(),
                        () -> store.record(host.id(), deliveryKey, activity), activity.change().repo().describe());
            };
        } catch (MalformedDelivery e) {
            return new Answer(host.name(), 400, "malformed delivery: " + e.getMessage());
        }
    }

    private Answer stored(KnownHost host, String deliveryKey, String event, Supplier<StoreOutcome> write,
            String about) {
        StoreOutcome outcome;
        try {
            outcome = write.get();
        } catch (DataAccessException e) {
            return databaseDown(host.name(), e);
        }
        return switch (outcome) {
            case StoreOutcome.Stored s -> new Answer(host.name(), 200, "stored " + event + " for " + about
                    + (s.wokeWorkers() ? ": due earlier now, workers woken" : ""));
            case StoreOutcome.Duplicate d -> new Answer(host.name(), 200, "duplicate delivery " + deliveryKey
                    + ": stored before, not again");
            case StoreOutcome.Unmatched u -> new Answer(host.name(), 202, "not stored: no changeset or repository of code "
                    + "host \"" + host.name() + "\" for " + about);
        };
    }

    private static Answer databaseDown(String codeHost, DataAccessException e) {
        log.warn("webhook delivery not stored, the database failed: {}", DatabaseErrors.brief(e));
        return new Answer(codeHost, 503, "the database is unavailable: the delivery was not stored; redeliver it later");
    }

    /** A name the sender chose, fit to echo and log: no control characters, not too long. */
    private static String printable(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
    }

    private static String describe(List<Target> targets) {
        return targets.stream().map(Target::describe).collect(Collectors.joining(", "));
    }

    private static String contentTypeHint(HttpFields headers) {
        String type = headers.get(HttpHeader.CONTENT_TYPE);
        return type != null && type.startsWith("application/x-www-form-urlencoded")
                ? " (the webhook sends a form: set its content type to application/json)" : "";
    }

    private void logAnswer(Answer answer) {
        if (answer.status() >= 500) {
            log.warn("{} {} from code host {}: {}", dialect.path(), answer.status(), answer.codeHost(), answer.message());
        } else if (answer.status() >= 400) {
            log.info("{} {} from code host {}: {}", dialect.path(), answer.status(), answer.codeHost(), answer.message());
        } else {
            log.debug("{} {} from code host {}: {}", dialect.path(), answer.status(), answer.codeHost(), answer.message());
        }
    }
}
