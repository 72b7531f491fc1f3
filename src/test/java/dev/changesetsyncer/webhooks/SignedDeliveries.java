package dev.changesetsyncer.webhooks;

import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sends webhook deliveries over HTTP as each host does: its headers, and the secret the way the
 * host uses it (signatures computed here, independently of the code under test).
 */
final class SignedDeliveries {
    record Answer(int status, String body) {}

    private final HttpClient client = HttpClient.newHttpClient();
    private final String baseUrl;
    private final String secret;

    SignedDeliveries(String baseUrl, String secret) {
        this.baseUrl = baseUrl;
        this.secret = secret;
    }

    Answer github(String codeHost, String event, String deliveryId, byte[] body) throws Exception {
        return post("/webhooks/github", codeHost, Map.of("X-GitHub-Event", event, "X-GitHub-Delivery", deliveryId,
                "X-Hub-Signature-256", "sha256=" + hmacSha256Hex(secret, body)), body);
    }

    Answer gitlab(String codeHost, String event, String eventUuid, byte[] body) throws Exception {
        return post("/webhooks/gitlab", codeHost, Map.of("X-Gitlab-Event", event, "X-Gitlab-Event-UUID", eventUuid,
                "X-Gitlab-Token", secret), body);
    }

    Answer bitbucket(String codeHost, String eventKey, String requestId, byte[] body) throws Exception {
        return post("/webhooks/bitbucket-server", codeHost, Map.of("X-Event-Key", eventKey, "X-Request-Id", requestId,
                "X-Hub-Signature", "sha256=" + hmacSha256Hex(secret, body)), body);
    }

    /** A POST with exactly these headers (Content-Type application/json unless given); {@code codeHost} null: no query. */
    Answer post(String path, String codeHost, Map<String, String> headers, byte[] body) throws Exception {
        String query = codeHost == null ? "" : "?code_host=" + URLEncoder.encode(codeHost, StandardCharsets.UTF_8);
        // A big body asks first (Expect: 100-continue, as curl does above 1 MB): a server that refuses it by its
        // Content-Length answers before the body is sent, so its early close cannot reset the answer away.
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path + query))
                .expectContinue(body.length > 1_000_000)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.putIfAbsent("Content-Type", "application/json");
        all.forEach(request::header);
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body().strip());
    }

    /** A POST to a path with its query byte for byte as given (a URI class would refuse a broken one). */
    Answer postRaw(String pathAndQuery, byte[] body) throws Exception {
        URI base = URI.create(baseUrl);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            String head = "POST " + pathAndQuery + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(answer.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
            return new Answer(status, answer.substring(answer.indexOf("\r\n\r\n") + 4).strip());
        }
    }

    static String hmacSha256Hex(String key, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
