package dev.changesetsyncer.http;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Dispatches a request to its route by path and method (see {@link Routes}). */
final class Router extends Handler.Abstract {
    private final Map<String, Map<String, Request.Handler>> exact;
    /** Longest prefix first. */
    private final List<Map.Entry<String, Request.Handler>> subtrees;

    Router(Routes routes) {
        this.exact = Map.copyOf(routes.exact());
        this.subtrees = routes.subtrees().entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<String, Request.Handler> e) -> e.getKey().length()).reversed())
                .map(e -> Map.entry(e.getKey(), e.getValue()))
                .toList();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        Map<String, Request.Handler> byMethod = exact.get(path);
        if (byMethod != null) {
            Request.Handler handler = byMethod.get(request.getMethod());
            if (handler == null) {
                response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", byMethod.keySet()));
                TextAnswers.write(response, callback, 405, request.getMethod() + " is not allowed on " + path
                        + "; use " + String.join(" or ", byMethod.keySet()));
                return true;
            }
            return handled(handler, request, response, callback, path);
        }
        for (Map.Entry<String, Request.Handler> subtree : subtrees) {
            if (path.startsWith(subtree.getKey())) {
                return handled(subtree.getValue(), request, response, callback, path);
            }
        }
        TextAnswers.write(response, callback, 404, "nothing at " + path);
        return true;
    }

    private static boolean handled(Request.Handler handler, Request request, Response response, Callback callback,
            String path) throws Exception {
        if (!handler.handle(request, response, callback)) {
            TextAnswers.write(response, callback, 404, "nothing at " + path);
        }
        return true;
    }
}
