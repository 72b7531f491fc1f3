package dev.changesetsyncer.http;

import java.net.BindException;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.MinimumDataRateHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's HTTP server: Jetty's core handlers, each request on a virtual thread, routes by path
 * ({@link Routes}). Around the routes: a body size limit (413), a minimum upload rate and an idle
 * timeout (slow senders are cut off), and a graceful stop that lets requests in flight finish.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);
    /** Requests handled at once; more wait for a virtual thread (each holds little but a database call). */
    private static final int MAX_CONCURRENT_REQUESTS = 256;

    private final Server server;
    private final ServerConnector connector;
    private final String name;

    private HttpServer(Server server, ServerConnector connector, String name) {
        this.server = server;
        this.connector = connector;
        this.name = name;
    }

    /**
     * Starts listening.
     *
     * @param name names the server's threads (the worker id)
     * @throws IllegalStateException when the port cannot be bound (in use, or not allowed)
     */
    public static HttpServer start(String name, HttpSettings settings, Routes routes) {
        // Selectors and acceptors on a few platform threads; every handler on a virtual thread.
        QueuedThreadPool threads = new QueuedThreadPool(8, 2);
        threads.setName(name + "-http");
        VirtualThreadPool virtualThreads = new VirtualThreadPool(MAX_CONCURRENT_REQUESTS);
        virtualThreads.setName(name + "-http-vt");
        threads.setVirtualThreadsExecutor(virtualThreads);

        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setPort(settings.port());
        connector.setIdleTimeout(settings.idleTimeout().toMillis());
        server.addConnector(connector);

        SizeLimitHandler sizeLimit = new SizeLimitHandler(settings.maxRequestBytes(), -1);
        sizeLimit.setHandler(new MinimumDataRateHandler(new Router(routes), HttpSettings.MIN_READ_BYTES_PER_SECOND, 0));
        server.setHandler(new GracefulHandler(sizeLimit));
        ErrorHandler errors = new ErrorHandler();
        errors.setShowStacks(false);
        errors.setShowCauses(false);
        errors.setDefaultResponseMimeType("text/plain");
        server.setErrorHandler(errors);
        server.setStopTimeout(settings.stopTimeout().toMillis());
        server.setStopAtShutdown(false); // stopped with the replica, in order

        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
            throw new IllegalStateException(bindProblem(settings.port(), e), e);
        }
        HttpServer started = new HttpServer(server, connector, name);
        log.info("HTTP server of {} listening on port {}", name, started.port());
        return started;
    }

    /** The port listened on (the chosen one when the settings said 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** Stops accepting, lets requests in flight finish (up to the stop timeout), and closes. */
    @Override
    public void close() {
        stopQuietly(server);
        log.info("HTTP server of {} stopped", name);
    }

    private static String bindProblem(int port, Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof BindException) {
                return "cannot listen on port " + port + " (" + cause.getMessage() + "): choose another with "
                        + "--http-port (0 = any free port) or SYNCER_HTTP_PORT, or run without the server (--no-http)";
            }
        }
        return "the HTTP server did not start on port " + port + ": " + e;
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("the HTTP server did not stop cleanly: {}", e.toString());
        }
    }
}
