package dev.changesetsyncer.codehost.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** A code host's answer to one GET. */
public record HostResponse(String method, URI uri, int status, HttpHeaders headers, byte[] body) {
    private static final ObjectMapper json = new ObjectMapper();

    public Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    public boolean notModified() {
        return status == 304;
    }

    /** The body as JSON. @throws UnreadableResponseException for an empty, truncated or non-JSON body */
    public JsonNode json() {
        if (body.length == 0) {
            throw new UnreadableResponseException(describe() + " answered " + status + " with an empty body");
        }
        try {
            JsonNode node = json.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new UnreadableResponseException(describe() + " answered " + status + " without a JSON document");
            }
            return node;
        } catch (IOException e) {
            throw new UnreadableResponseException(describe() + " answered " + status + " with a body that is not valid JSON ("
                    + firstLine(e.getMessage()) + "); it began: " + preview(), e);
        }
    }

    /** "GET https://host/path" without the query string (which may carry nothing secret, but stays short). */
    public String describe() {
        return method + " " + ApiScope.describe(uri);
    }

    public String preview() {
        String text = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        return "\"" + text + (body.length > 120 ? "..." : "") + "\"";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
