package dev.changesetsyncer.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.http.HttpServer;
import dev.changesetsyncer.http.HttpSettings;
import dev.changesetsyncer.http.Routes;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.SettableClock;
import dev.changesetsyncer.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Guessing the admin secrets over real HTTP: ten failures shut the address out for the window's rest. */
@ExtendWith(PostgresExtension.class)
class AdminLogInThrottleOverHttpTest {
    static final String USER = "operator";
    static final String PASSWORD = "correct horse battery staple";
    static final String TOKEN = "admin-token-0123456789abcdef";

    final TestDatabase database;
    final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    final SettableClock clock = new SettableClock(Instant.parse("2026-12-07T10:00:00Z"));
    HttpServer server;

    AdminLogInThrottleOverHttpTest(TestDatabase database) {
        this.database = database;
    }

    @BeforeEach
    void start() {
        AdminPages pages = new AdminPages(AdminCredentials.of(TOKEN, USER, PASSWORD), database.dsl(), clock);
        server = HttpServer.start("throttle", HttpSettings.onPort(0),
                new Routes().add("GET", AdminPages.ROOT, pages).under(AdminPages.ROOT + "/", pages));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void tenWrongGuessesShutTheAddressOutEvenWithTheRightSecretUntilTheWindowEnds() throws Exception {
        String earlier = logIn(PASSWORD).headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        for (int i = 1; i <= LoginThrottle.FAILURES_ALLOWED; i++) {
            assertThat(logIn(i % 2 == 0 ? "wrong password " + i : null).statusCode()).as("guess " + i).isEqualTo(401);
        }

        HttpResponse<String> refused = logIn(PASSWORD);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).hasValue(String.valueOf(LoginThrottle.WINDOW.toSeconds()));
        assertThat(refused.body()).contains("Too many failed log-ins from your address: try again in 300 s.");
        assertThat(bearer(TOKEN).statusCode()).as("the token is a log-in too").isEqualTo(429);
        assertThat(get("/admin", earlier).statusCode()).as("a session opened before goes on").isEqualTo(200);

        clock.advance(LoginThrottle.WINDOW.minusSeconds(1));
        HttpResponse<String> almost = logIn(PASSWORD);
        assertThat(almost.statusCode()).isEqualTo(429);
        assertThat(almost.headers().firstValue("retry-after")).hasValue("1");
        clock.advance(Duration.ofSeconds(1));
        assertThat(logIn(PASSWORD).statusCode()).isEqualTo(303);
        assertThat(bearer(TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void theOperatorWhoKnowsTheSecretStartsAfresh() throws Exception {
        for (int i = 1; i < LoginThrottle.FAILURES_ALLOWED; i++) {
            assertThat(logIn("typo " + i).statusCode()).isEqualTo(401);
        }
        assertThat(logIn(PASSWORD).statusCode()).isEqualTo(303);
        for (int i = 1; i < LoginThrottle.FAILURES_ALLOWED; i++) {
            assertThat(bearer("not the token " + i).statusCode()).as("a wrong token sends to the log-in").isEqualTo(303);
        }
        assertThat(logIn(PASSWORD).statusCode()).isEqualTo(303);
    }

    /** Tokens are also accepted by the form (with any user name). {@code null}: no password at all. */
    HttpResponse<String> logIn(String secret) throws Exception {
        String form = "user=" + USER + (secret == null ? "" : "&password=" + FormFields.encode(secret));
        return client.send(HttpRequest.newBuilder(uri("/admin/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> bearer(String token) throws Exception {
        return client.send(HttpRequest.newBuilder(uri("/admin")).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String cookie) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
