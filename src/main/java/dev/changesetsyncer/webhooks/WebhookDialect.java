package dev.changesetsyncer.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.changesetsyncer.catalog.CodeHostKind;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.http.HttpFields;

/** One host's webhook format: who sends it, how deliveries are authenticated, named and read. */
sealed interface WebhookDialect permits GitHubDialect, GitLabDialect, BitbucketServerDialect {
    /** The route, e.g. {@code /webhooks/github}. */
    String path();

    /** The code host kinds whose webhooks come in this format. */
    Set<CodeHostKind> kinds();

    /** True when the delivery carries proof of one of the secrets (a signature of the body, or the token). */
    boolean authentic(HttpFields headers, byte[] body, List<Secret> secrets);

    /** What to tell a sender whose delivery was not authentic (no secret in it, of course). */
    String authenticationProblem(HttpFields headers);

    /** The delivery's id, for deduplication. */
    String deliveryKey(HttpFields headers, byte[] body) throws MalformedDelivery;

    /** What the (authentic, well-formed JSON) delivery means. */
    Interpretation interpret(HttpFields headers, JsonNode payload) throws MalformedDelivery;
}
