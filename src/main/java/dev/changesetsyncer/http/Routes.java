package dev.changesetsyncer.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.server.Request;

/**
 * What the server answers, by path: each route is one line, e.g.
 * {@code routes.post("/webhooks/github", receiver).get("/metrics", metrics)}. A path is matched
 * exactly; {@link #under} serves a whole subtree (an admin section). Anything else is a 404, a
 * known path with another method a 405.
 */
public final class Routes {
    private final Map<String, Map<String, Request.Handler>> exact = new LinkedHashMap<>();
    private final Map<String, Request.Handler> subtrees = new LinkedHashMap<>();

    public Routes get(String path, Request.Handler handler) {
        return add("GET", path, handler);
    }

    public Routes post(String path, Request.Handler handler) {
        return add("POST", path, handler);
    }

    /** {@code method} requests to exactly {@code path} (no trailing slash, no query). */
    public Routes add(String method, String path, Request.Handler handler) {
        Objects.requireNonNull(handler, "handler");
        requirePath(path);
        Map<String, Request.Handler> byMethod = exact.computeIfAbsent(path, p -> new LinkedHashMap<>());
        if (byMethod.putIfAbsent(method, handler) != null) {
            throw new IllegalArgumentException("two routes for " + method + " " + path);
        }
        return this;
    }

    /** Every request whose path starts with {@code prefix} (which ends in "/"), whatever its method. */
    public Routes under(String prefix, Request.Handler handler) {
        Objects.requireNonNull(handler, "handler");
        requirePath(prefix);
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("a subtree route ends in /, got " + prefix);
        }
        if (subtrees.putIfAbsent(prefix, handler) != null) {
            throw new IllegalArgumentException("two routes for " + prefix);
        }
        return this;
    }

    Map<String, Map<String, Request.Handler>> exact() {
        return Collections.unmodifiableMap(exact);
    }

    Map<String, Request.Handler> subtrees() {
        return Collections.unmodifiableMap(subtrees);
    }

    private static void requirePath(String path) {
        if (path == null || !path.startsWith("/") || path.contains("?")) {
            throw new IllegalArgumentException("a route is a path starting with /, without a query, got " + path);
        }
    }
}
