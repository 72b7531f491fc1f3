package dev.changesetsyncer.http;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Plain-text answers: a status and one line a person can read (the hosts show it in their delivery logs). */
public final class TextAnswers {
    private TextAnswers() {}

    /** Writes the whole answer and completes {@code callback}. */
    public static void write(Response response, Callback callback, int status, String text) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        Content.Sink.write(response, true, text + "\n", callback);
    }
}
