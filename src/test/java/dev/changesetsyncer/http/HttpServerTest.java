package dev.changesetsyncer.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.eclipse.jetty.server.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server on a real port: routing, virtual threads, size and time limits, graceful stop. */
class HttpServerTest {
    final HttpClient client = HttpClient.newHttpClient();
    HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Answers with the body's length and whether it ran on a virtual thread. */
    static final Request.Handler ECHO = (request, response, callback) -> {
        try {
            byte[] body = RequestBodies.read(request);
            TextAnswers.write(response, callback, 200,
                    "read " + body.length + " bytes on a " + (Thread.currentThread().isVirtual() ? "virtual" : "platform")
                            + " thread");
        } catch (RequestBodies.Unreadable e) {
            TextAnswers.write(response, callback, e.status(), e.getMessage());
        }
        return true;
    };

    HttpServer start(Routes routes) {
        return start(routes, HttpSettings.DEFAULT_IDLE_TIMEOUT);
    }

    HttpServer start(Routes routes, Duration idleTimeout) {
        server = HttpServer.start("test", HttpSettings.onPort(0).withMaxRequestBytes(4096).withIdleTimeout(idleTimeout),
                routes);
        return server;
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRouteIsServedOnAVirtualThreadAndAnythingElseIsA404OrA405() throws Exception {
        start(new Routes().post("/echo", ECHO));

        HttpResponse<String> echoed = send("POST", "/echo", "hello");
        HttpResponse<String> unknown = send("POST", "/nothing", "hello");
        HttpResponse<String> wrongMethod = send("GET", "/echo", "");

        assertThat(server.port()).isPositive();
        assertThat(echoed.statusCode()).isEqualTo(200);
        assertThat(echoed.body()).isEqualTo("read 5 bytes on a virtual thread\n");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void aSubtreeRouteServesEveryPathBelowIt() throws Exception {
        start(new Routes().under("/admin/", (request, response, callback) -> {
            TextAnswers.write(response, callback, 200, "admin " + Request.getPathInContext(request));
            return true;
        }).get("/admin/exact", (request, response, callback) -> {
            TextAnswers.write(response, callback, 200, "exact");
            return true;
        }));

        assertThat(send("GET", "/admin/changesets/42", "").body()).isEqualTo("admin /admin/changesets/42\n");
        assertThat(send("GET", "/admin/exact", "").body()).isEqualTo("exact\n");
        assertThat(send("GET", "/administrator", "").statusCode()).isEqualTo(404);
    }

    @Test
    void twoRoutesForOnePathAndMethodAreRefused() {
        Routes routes = new Routes().post("/a", ECHO);

        Assertions.assertThatThrownBy(() -> routes.post("/a", ECHO)).hasMessageContaining("two routes for POST /a");
        Assertions.assertThatThrownBy(() -> routes.post("a", ECHO)).hasMessageContaining("starting with /");
    }

    @Test
    void aBodyOverTheLimitIsA413WhetherItsLengthIsDeclaredOrNot() throws Exception {
        start(new Routes().post("/echo", ECHO));

        HttpResponse<String> declared = send("POST", "/echo", "x".repeat(4097));
        String chunked = rawExchange("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "1000\r\n" + "x".repeat(4096) + "\r\n" + "10\r\n" + "y".repeat(16) + "\r\n0\r\n\r\n");
        HttpResponse<String> atTheLimit = send("POST", "/echo", "x".repeat(4096));

        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(chunked).startsWith("HTTP/1.1 413");
        assertThat(atTheLimit.statusCode()).isEqualTo(200);
    }

    @Test
    void aClientThatStopsSendingIsDisconnectedAfterTheIdleTimeout() throws Exception {
        start(new Routes().post("/echo", ECHO), Duration.ofMillis(500));

        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten b".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // the rest never comes: the server gives up (idle timeout 500 ms) and closes the connection
            byte[] answer = socket.getInputStream().readAllBytes();
            assertThat(new String(answer, StandardCharsets.US_ASCII)).doesNotStartWith("HTTP/1.1 200");
        }
    }

    @Test
    void stoppingLetsARequestInFlightFinishAndThenRefusesConnections() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        start(new Routes().post("/slow", (request, response, callback) -> {
            entered.countDown();
            release.await(30, TimeUnit.SECONDS);
            TextAnswers.write(response, callback, 200, "finished");
            return true;
        }));
        int port = server.port();
        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow"))
                        .POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> !accepts(port));
        release.countDown();

        assertThat(inFlight.get(30, TimeUnit.SECONDS).body()).isEqualTo("finished\n");
        stopped.get(30, TimeUnit.SECONDS);
        server = null;
    }

    @Test
    void aPortInUseIsAClearError() {
        start(new Routes());

        Assertions.assertThatThrownBy(() -> HttpServer.start("second", HttpSettings.onPort(server.port()), new Routes()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot listen on port " + server.port())
                .hasMessageContaining("--http-port");
    }

    private String rawExchange(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (java.net.SocketException e) {
            return "connection reset: " + e.getMessage();
        }
    }

    private static boolean accepts(int port) {
        try {
            new Socket("127.0.0.1", port).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
