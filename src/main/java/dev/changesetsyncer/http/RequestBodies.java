package dev.changesetsyncer.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request's whole body. Handlers run on virtual threads, so blocking here is cheap; the
 * server's limits apply: a body over the size limit, or one sent too slowly, ends the read.
 */
public final class RequestBodies {
    private RequestBodies() {}

    /** Why a body could not be read, as an HTTP status and a line for the sender. */
    public static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        Unreadable(int status, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    public static byte[] read(Request request) throws Unreadable {
        try (InputStream in = Content.Source.asInputStream(request)) {
            return in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            throw classify(e);
        }
    }

    private static Unreadable classify(Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpException http && http.getCode() == 413) {
                return new Unreadable(413, "request body too large: " + cause.getMessage(), e);
            }
            if (cause instanceof TimeoutException) {
                return new Unreadable(408, "the request body came too slowly: " + cause.getMessage(), e);
            }
        }
        return new Unreadable(400, "could not read the request body: " + e.getMessage(), e);
    }
}
