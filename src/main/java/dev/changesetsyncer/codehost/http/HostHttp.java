package dev.changesetsyncer.codehost.http;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * GET requests to code hosts, each with a deadline on the whole exchange — connecting, the headers
 * and the body — and a limit on the body's size, so that a host that trickles its answer or sends
 * an endless one can neither hold a sync for ever nor exhaust the replica's memory. A request that
 * got no answer at all because the connection failed is retried (a GET is safe to repeat); one that
 * timed out is not (the host may be overloaded), and HTTP answers are never retried here: the caller
 * classifies them. Redirects are not followed here ({@link HostSession} follows those inside the
 * host's API): the JDK client would resend the Authorization header wherever one points.
 *
 * <p>Inside a sync with a lease deadline ({@link SyncCaller}), no attempt starts after the deadline
 * and no answer is awaited past it: {@link LeaseDeadlinePassed} ends the sync instead.
 */
public final class HostHttp {
    /** The largest body read by default: pages of 100 reviews or check runs with long texts fit many times. */
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 16L * 1024 * 1024;

    /**
     * @param connectTimeout how long to wait for a TCP/TLS connection
     * @param requestTimeout how long the whole exchange may take, body included
     * @param attempts tries per request when the connection fails (1 = no retry)
     * @param maxResponseBytes the largest body read; a larger one fails the request
     */
    public record Settings(Duration connectTimeout, Duration requestTimeout, int attempts, long maxResponseBytes) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(5), Duration.ofSeconds(20), 3);

        public Settings {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            if (connectTimeout.isNegative() || connectTimeout.isZero() || requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive, got " + connectTimeout + " and " + requestTimeout);
            }
            if (attempts < 1 || attempts > 10) {
                throw new IllegalArgumentException("attempts must be within [1, 10], got " + attempts);
            }
            if (maxResponseBytes < 1024) {
                throw new IllegalArgumentException("maxResponseBytes must be at least 1024, got " + maxResponseBytes);
            }
        }

        public Settings(Duration connectTimeout, Duration requestTimeout, int attempts) {
            this(connectTimeout, requestTimeout, attempts, DEFAULT_MAX_RESPONSE_BYTES);
        }
    }

    private static final Duration FIRST_RETRY_PAUSE = Duration.ofMillis(200);
    private final Settings settings;
    private final HttpClient client;

    public HostHttp(Settings settings) {
        this.settings = settings;
        this.client = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * @param headers request headers, including Authorization; never logged or put in messages
     * @throws HostCallException when no whole answer came in time (after the retries), or it was too large
     */
    public HostResponse get(URI uri, Map<String, String> headers) throws HostCallException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(settings.requestTimeout());
        headers.forEach(request::header);
        HttpRequest built = request.build();
        Duration pause = FIRST_RETRY_PAUSE;
        for (int attempt = 1; ; attempt++) {
            SyncCaller.requireTimeLeft(uri);
            try {
                HttpResponse<byte[]> response = exchange(built);
                return new HostResponse("GET", uri, response.statusCode(), response.headers(), response.body());
            } catch (HttpTimeoutException | TimeoutException e) {
                throw new HostCallException("GET " + withoutQuery(uri) + " timed out after "
                        + (e.getMessage() != null && e.getMessage().contains("connect")
                                ? settings.connectTimeout() + " connecting"
                                : settings.requestTimeout().toMillis() + " ms without a whole answer"), e);
            } catch (CappedBody.TooLarge e) {
                throw new HostCallException("GET " + withoutQuery(uri) + " answered too much: " + e.getMessage(), e);
            } catch (IOException e) {
                if (attempt >= settings.attempts() || !retryable(e)) {
                    throw new HostCallException("GET " + withoutQuery(uri) + " failed after " + attempt + " attempt"
                            + (attempt == 1 ? "" : "s") + ": " + describe(e), e);
                }
                Thread.sleep(pause);
                pause = pause.multipliedBy(2);
            }
        }
    }

    /**
     * One exchange under the deadline. The client's own request timeout ends only the wait for the
     * headers; this one covers the body as well, and cancelling the exchange drops its connection.
     */
    private HttpResponse<byte[]> exchange(HttpRequest request) throws IOException, TimeoutException, InterruptedException {
        CompletableFuture<HttpResponse<byte[]>> exchange =
                client.sendAsync(request, CappedBody.handler(settings.maxResponseBytes()));
        long timesOut = System.nanoTime() + settings.requestTimeout().toNanos();
        try {
            while (true) {
                long untilTimeout = timesOut - System.nanoTime();
                long untilDeadline = SyncCaller.nanosLeft();
                if (untilDeadline <= 0) {
                    throw new LeaseDeadlinePassed("gave up waiting for GET " + withoutQuery(request.uri())
                            + ": the sync's lease deadline passed (the changeset may have been claimed again)");
                }
                try {
                    return exchange.get(Math.max(0, Math.min(untilTimeout, untilDeadline)), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    if (timesOut - System.nanoTime() <= 0) {
                        throw e;
                    } // else the deadline came first: a heartbeat may have pushed it, look again
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while ((cause instanceof IOException || cause instanceof ExecutionException)
                    && !(cause instanceof CappedBody.TooLarge) && cause.getCause() instanceof CappedBody.TooLarge) {
                cause = cause.getCause();
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(cause);
        } finally {
            exchange.cancel(true); // no-op once complete; else abandons the exchange and its connection
        }
    }

    /** Connection failures happened before the host processed anything: safe to try again. */
    private static boolean retryable(IOException e) {
        // The asynchronous exchange reports a reset as whichever of these its channel saw first.
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof ClosedChannelException
                    || cause instanceof EOFException) {
                return true;
            }
            String message = cause.getMessage();
            if (message != null && (message.contains("Connection reset") || message.contains("EOF reached")
                    || message.contains("closed"))) {
                return true;
            }
        }
        return false;
    }

    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
    }

    private static String withoutQuery(URI uri) {
        return ApiScope.describe(uri);
    }
}
