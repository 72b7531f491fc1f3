package dev.changesetsyncer.webhooks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * Sends webhook deliveries the way GitHub does (its headers, its HMAC-SHA256 signature of the
 * body), for the demo and the benchmark, which imitate GitHub with the simulated code host.
 */
public final class GitHubWebhookSender {
    /** The answer to one delivery. */
    public record Answer(int status, String body) {}

    /** An event and its body, signed once, to deliver many times under different delivery ids. */
    public record Signed(String event, byte[] body, String signature) {}

    private final HttpClient client;
    private final URI endpoint;
    private final byte[] secret;

    /**
     * @param baseUrl the server, e.g. {@code http://127.0.0.1:8080}
     * @param codeHost the code host's name, as in {@code code_hosts.name}
     * @param secret the webhook secret configured for it
     */
    public GitHubWebhookSender(String baseUrl, String codeHost, String secret) {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        this.endpoint = URI.create(baseUrl + Webhooks.GITHUB_PATH + "?" + WebhookReceiver.CODE_HOST_PARAMETER + "="
                + URLEncoder.encode(codeHost, StandardCharsets.UTF_8));
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A {@code pull_request} event with the fields GitHub's carry that we read, for pull request
     * {@code number} of repository {@code fullName}; {@code padding} characters of description make
     * it as large as GitHub's (~25 KB with 24,000).
     */
    public static byte[] pullRequestEvent(String action, long repositoryId, String fullName, String number,
            String headSha, int padding) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        ObjectNode payload = json.objectNode().put("action", action).put("number", Long.parseLong(number));
        ObjectNode pull = payload.putObject("pull_request").put("number", Long.parseLong(number)).put("state", "open")
                .put("title", "Change " + number).put("body", "x".repeat(padding));
        pull.putObject("head").put("sha", headSha).put("ref", "feature/" + number);
        pull.putObject("base").put("ref", "main");
        ObjectNode repository = payload.putObject("repository").put("id", repositoryId).put("full_name", fullName)
                .put("name", fullName.substring(fullName.indexOf('/') + 1)).put("archived", false);
        repository.putObject("owner").put("login", fullName.substring(0, Math.max(0, fullName.indexOf('/'))));
        payload.putObject("sender").put("login", "changeset-syncer");
        return payload.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Delivers {@code body} as event {@code event} under a fresh delivery id. */
    public Answer send(String event, byte[] body) throws IOException, InterruptedException {
        return send(event, UUID.randomUUID().toString(), body);
    }

    /** Delivers {@code body} as event {@code event} under {@code deliveryId} (the same id again is a redelivery). */
    public Answer send(String event, String deliveryId, byte[] body) throws IOException, InterruptedException {
        return send(sign(event, body), deliveryId);
    }

    public Signed sign(String event, byte[] body) {
        return new Signed(event, body.clone(), Signatures.hubSignature(secret, body));
    }

    /** Delivers a signed event under {@code deliveryId}. */
    public Answer send(Signed signed, String deliveryId) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(10)) // GitHub's own
                .header("Content-Type", "application/json")
                .header("User-Agent", "GitHub-Hookshot/changeset-syncer")
                .header(GitHubDialect.EVENT, signed.event())
                .header(GitHubDialect.DELIVERY, deliveryId)
                .header(GitHubDialect.SIGNATURE, signed.signature())
                .POST(HttpRequest.BodyPublishers.ofByteArray(signed.body()))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body().strip());
    }
}
