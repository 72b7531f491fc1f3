package dev.changesetsyncer.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP server on loopback that answers as a broken or hostile code host would: whatever
 * each path's handler writes, including bodies that trickle or never end. It records every request
 * (path and Authorization header) and how many body bytes it managed to send.
 */
public final class HostileServer implements AutoCloseable {
    /** How one path is answered. */
    @FunctionalInterface
    public interface Answer {
        void answer(HttpExchange exchange) throws IOException, InterruptedException;
    }

    /** A request as received. */
    public record Request(String path, String authorization) {}

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicLong bytesSent = new AtomicLong();

    public HostileServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@code http://127.0.0.1:<port>} */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers requests for exactly {@code path} (the query ignored). */
    public HostileServer on(String path, Answer answer) {
        answers.put(path, answer);
        return this;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Body bytes written to clients so far, over all answers. */
    public long bytesSent() {
        return bytesSent.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.add(new Request(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Authorization")));
        Answer answer = answers.get(exchange.getRequestURI().getPath());
        try (exchange) {
            if (answer == null) {
                send(exchange, 404, "application/json", "{\"message\":\"Not Found\"}");
            } else {
                answer.answer(exchange);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client went away: what hostile answers end with
        }
    }

    /** A whole answer with a known length. */
    public static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    /**
     * Headers, then {@code total} bytes of {@code fill} in 64 KiB writes (never more in memory), with
     * the declared length {@code declared} (0: chunked, no length).
     */
    public Answer stream(long declared, long total, byte fill) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, declared);
            byte[] block = new byte[64 * 1024];
            Arrays.fill(block, fill);
            OutputStream body = exchange.getResponseBody();
            for (long sent = 0; sent < total; sent += block.length) {
                int size = (int) Math.min(block.length, total - sent);
                body.write(block, 0, size);
                bytesSent.addAndGet(size);
            }
        };
    }

    /** Headers at once, then the body one byte every {@code millis}, without end (until the client leaves). */
    public Answer trickle(long millis) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            body.write('[');
            body.flush();
            while (true) {
                Thread.sleep(millis);
                body.write(' ');
                body.flush();
                bytesSent.incrementAndGet();
            }
        };
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
