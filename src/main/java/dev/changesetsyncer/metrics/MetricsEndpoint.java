package dev.changesetsyncer.metrics;

import dev.changesetsyncer.http.TextAnswers;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /metrics}: the registry in Prometheus's text format. Open, unless a token is set
 * ({@value #TOKEN_VARIABLE}): then only {@code Authorization: Bearer <token>} is answered.
 */
public final class MetricsEndpoint implements Request.Handler {
    public static final String PATH = "/metrics";
    public static final String TOKEN_VARIABLE = "SYNCER_METRICS_TOKEN";
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String BEARER = "Bearer ";

    private final PrometheusMeterRegistry registry;
    private final Optional<byte[]> token;

    /** @param token the bearer token scrapers must present; empty: open */
    public MetricsEndpoint(PrometheusMeterRegistry registry, Optional<String> token) {
        this.registry = registry;
        this.token = token.filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (token.isPresent() && !authorized(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"metrics\"");
            TextAnswers.write(response, callback, 401,
                    "metrics need Authorization: Bearer <the token in " + TOKEN_VARIABLE + ">");
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
        Content.Sink.write(response, true, registry.scrape(), callback);
        return true;
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] presented = header.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(presented, token.orElseThrow()); // constant time
    }
}
