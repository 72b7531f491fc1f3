package dev.changesetsyncer.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How a replica's HTTP server listens.
 *
 * @param port TCP port on every interface; 0 picks any free port ({@link HttpServer#port()} says which)
 * @param maxRequestBytes largest request body accepted; a larger one is answered 413 before it is read
 * @param idleTimeout longest silence while reading a request or writing an answer; the connection is then closed
 * @param stopTimeout on stop, how long requests in flight may take to finish
 */
public record HttpSettings(int port, long maxRequestBytes, Duration idleTimeout, Duration stopTimeout) {
    public static final int DEFAULT_PORT = 8080;
    /** Far above the events we read (GitHub's pull request events are ~30 KB), far below GitHub's 25 MB cap. */
    public static final long DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(5);
    /** Slower senders are cut off: a body trickled byte by byte must not hold a request open for hours. */
    static final long MIN_READ_BYTES_PER_SECOND = 1024;

    public HttpSettings {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("the HTTP port must be within [0, 65535] (0 = any free port), got " + port);
        }
        if (maxRequestBytes < 1024) {
            throw new IllegalArgumentException("maxRequestBytes must be at least 1024, got " + maxRequestBytes);
        }
        requirePositive("idleTimeout", idleTimeout);
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        if (stopTimeout.isNegative()) {
            throw new IllegalArgumentException("stopTimeout must not be negative, got " + stopTimeout);
        }
    }

    /** The defaults, on {@code port}. */
    public static HttpSettings onPort(int port) {
        return new HttpSettings(port, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_IDLE_TIMEOUT, DEFAULT_STOP_TIMEOUT);
    }

    public HttpSettings withPort(int value) {
        return new HttpSettings(value, maxRequestBytes, idleTimeout, stopTimeout);
    }

    public HttpSettings withMaxRequestBytes(long value) {
        return new HttpSettings(port, value, idleTimeout, stopTimeout);
    }

    public HttpSettings withIdleTimeout(Duration value) {
        return new HttpSettings(port, maxRequestBytes, value, stopTimeout);
    }

    private static void requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
