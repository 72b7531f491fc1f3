package dev.changesetsyncer.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.http.HttpSettings;
import dev.changesetsyncer.secrets.Secrets;
import dev.changesetsyncer.service.HttpService;
import dev.changesetsyncer.testing.Catalog;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import dev.changesetsyncer.webhooks.WebhookSecrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin page over real HTTP on a real database (no replica needed): who gets in, what a POST
 * needs, and that each action is the SQL it says and lands in admin_audit.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminPagesOverHttpTest {
    static final String USER = "operator";
    static final String PASSWORD = "correct horse battery staple";
    static final String TOKEN = "admin-token-0123456789abcdef";
    static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    final TestDatabase database;
    final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    HttpService open;
    HttpService closed;
    CodeHost host;
    Repo repo;
    List<Long> changesets;

    AdminPagesOverHttpTest(TestDatabase database) {
        this.database = database;
    }

    @BeforeAll
    void start() {
        Catalog catalog = new Catalog(database);
        host = catalog.host();
        repo = catalog.repo(host);
        changesets = catalog.changesets(repo, 3);
        open = HttpService.start("admin-http", HttpSettings.onPort(0), database.url(), WebhookSecrets.of(Map.of()),
                AdminCredentials.of(TOKEN, USER, PASSWORD));
        closed = HttpService.start("admin-off", HttpSettings.onPort(0), database.url(), WebhookSecrets.of(Map.of()),
                AdminCredentials.none());
    }

    @AfterAll
    void stop() {
        open.close();
        closed.close();
    }

    @Test
    void withoutCredentialsThePageIsOffAndSaysHowToTurnItOn() throws Exception {
        for (String path : List.of("/admin", "/admin/login", "/admin/schedule")) {
            HttpResponse<String> answer = get(closed, path, null);
            assertThat(answer.statusCode()).as(path).isEqualTo(403);
            assertThat(answer.body()).contains("SYNCER_ADMIN_TOKEN", "SYNCER_ADMIN_USER", "SYNCER_ADMIN_PASSWORD");
        }
        assertThat(post(closed, "/admin/login", null, "user=a&password=b").statusCode()).isEqualTo(403);
    }

    @Test
    void theFrontPageLeadsToTheAdminPageAndALogInFirst() throws Exception {
        HttpResponse<String> root = get(open, "/", null);
        assertThat(root.statusCode()).isEqualTo(303);
        assertThat(root.headers().firstValue("location")).hasValue("/admin");
        HttpResponse<String> admin = get(open, "/admin", null);
        assertThat(admin.statusCode()).isEqualTo(303);
        assertThat(admin.headers().firstValue("location")).hasValue("/admin/login");
        assertThat(post(open, "/admin/hosts/resume", null, "host=" + host.name()).statusCode()).isEqualTo(401);
    }

    @Test
    void aWrongPasswordOrTokenIsRefusedAndTheRightOnesGiveAStrictHttpOnlyCookie() throws Exception {
        assertThat(post(open, "/admin/login", null, "user=operator&password=wrong").statusCode()).isEqualTo(401);
        assertThat(post(open, "/admin/login", null, "user=someone&password=" + enc(PASSWORD)).statusCode()).isEqualTo(401);

        HttpResponse<String> byPassword = post(open, "/admin/login", null, "user=operator&password=" + enc(PASSWORD));
        assertThat(byPassword.statusCode()).isEqualTo(303);
        assertThat(byPassword.headers().firstValue("set-cookie")).hasValueSatisfying(cookie -> assertThat(cookie)
                .startsWith("syncer_admin=").contains("HttpOnly", "SameSite=Strict", "Path=/admin"));

        String cookie = login("alice", TOKEN);
        HttpResponse<String> overview = get(open, "/admin", cookie);
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body()).contains("logged in as <strong>alice</strong>", host.name());
        assertThat(overview.headers().firstValue("content-security-policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("default-src 'none'"));
        assertThat(get(open, "/admin", cookie.replace("syncer_admin=", "syncer_admin=x")).statusCode())
                .as("a forged cookie").isEqualTo(303);
        assertThat(database.value(Long.class, "SELECT count(*) FROM admin_audit WHERE who = 'alice' AND action = 'login'"))
                .isEqualTo(1);
    }

    @Test
    void aBearerTokenOpensThePageWithoutALogIn() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri(open, "/admin/schedule")).header("Authorization", "Bearer " + TOKEN).build();
        HttpResponse<String> answer = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains(repo.name(), "why then (rule)");
        HttpRequest wrong = HttpRequest.newBuilder(uri(open, "/admin")).header("Authorization", "Bearer nope").build();
        assertThat(client.send(wrong, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(303);
    }

    @Test
    void aPostWithoutTheSessionsCsrfTokenIsRefusedAndChangesNothing() throws Exception {
        String cookie = login("mallory-victim", TOKEN);
        long changeset = changesets.get(1);
        String path = "/admin/changesets/" + changeset + "/sync";

        assertThat(post(open, path, cookie, "").statusCode()).isEqualTo(403);
        assertThat(post(open, path, cookie, "csrf=forged").statusCode()).isEqualTo(403);
        String otherSessionsToken = csrf(get(open, "/admin", login("someone-else", TOKEN)).body());
        assertThat(post(open, path, cookie, "csrf=" + otherSessionsToken).statusCode()).isEqualTo(403);
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE requested_by = 'mallory-victim'")).isZero();

        String token = csrf(get(open, "/admin", cookie).body());
        HttpResponse<String> done = post(open, path, cookie, "csrf=" + enc(token));
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE requested_by = 'mallory-victim' "
                + "AND priority = 1 AND changeset_id = " + changeset)).isEqualTo(1);
        assertThat(get(open, done.headers().firstValue("location").orElseThrow(), cookie).body())
                .contains("requested a sync of changeset " + changeset + " as mallory-victim");
    }

    @Test
    void eachActionIsItsSqlAndIsAudited() throws Exception {
        String cookie = login(USER, PASSWORD);
        String token = "csrf=" + enc(csrf(get(open, "/admin", cookie).body()));

        assertThat(post(open, "/admin/repos/" + repo.id() + "/sync", cookie, token + "&back=/admin").statusCode()).isEqualTo(303);
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE priority = 0 AND requested_by = '"
                + USER + "' AND changeset_id IN (SELECT id FROM changesets WHERE repo_id = " + repo.id() + ")")).isEqualTo(3);

        post(open, "/admin/hosts/pause", cookie, token + "&host=" + host.name() + "&duration=2h&reason=maintenance");
        assertThat(database.value(Boolean.class, "SELECT paused_until BETWEEN now() + interval '119 minutes' AND now() + "
                + "interval '121 minutes' FROM code_host_budgets WHERE code_host_id = " + host.id())).isTrue();
        post(open, "/admin/hosts/resume", cookie, token + "&host=" + host.name());
        assertThat(database.value(Boolean.class, "SELECT paused_until IS NULL FROM code_host_budgets WHERE code_host_id = "
                + host.id())).isTrue();

        post(open, "/admin/hosts/rate-limit", cookie, token + "&host=" + host.name() + "&requests_per_hour=1234");
        assertThat(database.value(Integer.class, "SELECT requests_per_hour FROM code_hosts WHERE id = " + host.id())).isEqualTo(1234);
        HttpResponse<String> refused = post(open, "/admin/hosts/rate-limit", cookie, token + "&host=" + host.name()
                + "&requests_per_hour=-5");
        assertThat(get(open, refused.headers().firstValue("location").orElseThrow(), cookie).body())
                .contains("refused: requests per hour is a whole number");
        assertThat(database.value(Integer.class, "SELECT requests_per_hour FROM code_hosts WHERE id = " + host.id())).isEqualTo(1234);

        assertThat(database.value(String.class, "SELECT string_agg(action || ': ' || details, E'\\n' ORDER BY id) FROM admin_audit "
                + "WHERE who = '" + USER + "' AND action <> 'login'")).contains(
                "sync-repository: requested bulk syncs of the 3 changesets",
                "pause: paused " + host.name() + " until",
                "resume: resumed " + host.name(),
                "rate-limit: requests per hour of " + host.name(),
                "rate-limit: refused");
        assertThat(database.value(Boolean.class, "SELECT bool_and(at <= now() AND at > now() - interval '1 minute') FROM admin_audit"))
                .as("at is the database's time").isTrue();
    }

    @Test
    void aBadFilterOrAddressIsAClearRefusal() throws Exception {
        String cookie = login(USER, PASSWORD);
        HttpResponse<String> badState = get(open, "/admin/schedule?state=exploded", cookie);
        assertThat(badState.statusCode()).isEqualTo(400);
        assertThat(badState.body()).contains("state is one of [closed, draft, merged, open, read_only], not exploded");
        assertThat(get(open, "/admin/schedule?after=yesterday", cookie).statusCode()).isEqualTo(400);
        try (var socket = new java.net.Socket("127.0.0.1", open.port())) { // a query no HTTP client would send
            socket.getOutputStream().write(("GET /admin/schedule?host=%zz HTTP/1.1\r\nHost: localhost\r\nCookie: " + cookie
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400");
        }
        assertThat(get(open, "/admin/changesets/999999", cookie).statusCode()).isEqualTo(404);
        assertThat(get(open, "/admin/nothing", cookie).statusCode()).isEqualTo(404);
    }

    @Test
    void theAdminSecretsAreRegisteredForScrubbingAndNeverShownOnAPage() throws Exception {
        assertThat(Secrets.scrub("x " + PASSWORD + " " + TOKEN)).isEqualTo("x " + Secrets.MASK + " " + Secrets.MASK);
        String cookie = login(USER, PASSWORD);
        for (String path : List.of("/admin", "/admin/schedule", "/admin/changesets/" + changesets.getFirst())) {
            assertThat(get(open, path, cookie).body()).as(path).doesNotContain(PASSWORD, TOKEN);
        }
    }

    String login(String user, String secret) throws Exception {
        HttpResponse<String> answer = post(open, "/admin/login", null, "user=" + enc(user) + "&password=" + enc(secret));
        assertThat(answer.statusCode()).as("log-in of " + user).isEqualTo(303);
        String setCookie = answer.headers().firstValue("set-cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    static String csrf(String page) {
        Matcher m = CSRF.matcher(page);
        assertThat(m.find()).as("a form with a CSRF token").isTrue();
        return m.group(1);
    }

    HttpResponse<String> get(HttpService service, String path, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(service, path));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(HttpService service, String path, String cookie, String form) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(service, path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI uri(HttpService service, String path) {
        return URI.create("http://127.0.0.1:" + service.port() + path);
    }

    static String enc(String value) {
        return FormFields.encode(value);
    }
}
