package dev.changesetsyncer.codehost.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * GET requests to code hosts, with a timeout on every call. A request that got no answer at all
 * because the connection failed is retried (a GET is safe to repeat); one that timed out is not
 * (the host may be overloaded), and HTTP answers are never retried here: the caller classifies them.
 */
public final class HostHttp {
    /**
     * @param connectTimeout how long to wait for a TCP/TLS connection
     * @param requestTimeout how long to wait for a whole response
     * @param attempts tries per request when the connection fails (1 = no retry)
     */
    public record Settings(Duration connectTimeout, Duration requestTimeout, int attempts) {
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
        }
    }

    private static final Duration FIRST_RETRY_PAUSE = Duration.ofMillis(200);
    private final Settings settings;
    private final HttpClient client;

    public HostHttp(Settings settings) {
        this.settings = settings;
        this.client = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /**
     * @param headers request headers, including Authorization; never logged or put in messages
     * @throws HostCallException when no answer came (after the retries)
     */
    public HostResponse get(URI uri, Map<String, String> headers) throws HostCallException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(settings.requestTimeout());
        headers.forEach(request::header);
        HttpRequest built = request.build();
        Duration pause = FIRST_RETRY_PAUSE;
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<byte[]> response = client.send(built, HttpResponse.BodyHandlers.ofByteArray());
                return new HostResponse("GET", uri, response.statusCode(), response.headers(), response.body());
            } catch (HttpTimeoutException e) {
                throw new HostCallException("GET " + withoutQuery(uri) + " timed out after "
                        + (e.getMessage() != null && e.getMessage().contains("connect")
                                ? settings.connectTimeout() + " connecting" : settings.requestTimeout().toMillis() + " ms"), e);
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

    /** Connection failures happened before the host processed anything: safe to try again. */
    private static boolean retryable(IOException e) {
        return e instanceof ConnectException || (e.getMessage() != null
                && (e.getMessage().contains("Connection reset") || e.getMessage().contains("EOF reached")
                        || e.getMessage().contains("closed")));
    }

    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
    }

    private static String withoutQuery(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
    }
}
