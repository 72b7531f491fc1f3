package dev.changesetsyncer.codehost.github;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.codehost.FailureKind;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.SyncTarget;
import dev.changesetsyncer.codehost.Token;
import dev.changesetsyncer.testing.Fixtures;
import dev.changesetsyncer.testing.HostileServer;
import dev.changesetsyncer.testing.TestHttp;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The GitHub client against a host that misbehaves on purpose: links and redirects that would take
 * the token elsewhere, a body that trickles, bodies far too large. Each would have held a sync for
 * ever, exhausted the replica's memory or sent the token to another server.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES) // before the deadline on bodies, the trickle test hung for ever
class HostileGitHubTest {
    static final String TOKEN = "ghp_hostile-test-token";
    static final String PULL = "/repos/octocat/Hello-World/pulls/1347";
    static final String REVIEWS = PULL + "/reviews";
    static final long LIMIT = 1024 * 1024;

    final HostileServer github = new HostileServer();
    final HostileServer elsewhere = new HostileServer();

    @AfterEach
    void stop() {
        github.close();
        elsewhere.close();
    }

    @Test
    void aNextPageOnAnotherServerIsNotFollowedAndNeverGetsTheToken() throws Exception {
        servePull();
        github.on(REVIEWS, exchange -> {
            exchange.getResponseHeaders().set("Link", "<" + elsewhere.baseUrl() + REVIEWS + "?page=2>; rel=\"next\"");
            HostileServer.send(exchange, 200, "application/json", "[]");
        });
        elsewhere.on(REVIEWS, exchange -> HostileServer.send(exchange, 200, "application/json", "[]"));

        SyncResult.Failed failed = (SyncResult.Failed) client(github.baseUrl()).fetch(target());

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("refused a request to " + elsewhere.baseUrl() + REVIEWS)
                .contains("outside the host's API (" + github.baseUrl() + ")").doesNotContain("page=2");
        assertThat(elsewhere.requests()).isEmpty();
    }

    @Test
    void aNextPageOutsideTheApiPathIsNotFollowed() throws Exception {
        String api = github.baseUrl() + "/api/v3";
        servePull("/api/v3");
        github.on("/api/v3" + REVIEWS, exchange -> {
            exchange.getResponseHeaders().set("Link", "</api/v3/../../collect" + REVIEWS + "?page=2>; rel=\"next\"");
            HostileServer.send(exchange, 200, "application/json", "[]");
        });

        SyncResult.Failed failed = (SyncResult.Failed) client(api).fetch(target());

        assertThat(failed.message()).contains("outside the host's API (" + api + ")");
        assertThat(github.requests()).extracting(HostileServer.Request::path).noneMatch(p -> p.contains("collect"));
    }

    @Test
    void aRedirectToAnotherServerIsNotFollowedAndNeverGetsTheToken() throws Exception {
        github.on(PULL, exchange -> {
            exchange.getResponseHeaders().set("Location", elsewhere.baseUrl() + PULL);
            HostileServer.send(exchange, 302, "text/plain", "");
        });
        elsewhere.on(PULL, exchange -> HostileServer.send(exchange, 200, "application/json",
                Fixtures.text("github/pulls-get.json")));

        SyncResult.Failed failed = (SyncResult.Failed) client(github.baseUrl()).fetch(target());

        assertThat(failed.message()).contains("refused a redirect to " + elsewhere.baseUrl() + PULL);
        assertThat(elsewhere.requests()).isEmpty();
    }

    @Test
    void aRedirectInsideTheApiIsFollowedWithTheToken() throws Exception {
        String moved = "/repositories/1296269/pulls/1347";
        github.on(PULL, exchange -> {
            exchange.getResponseHeaders().set("Location", moved); // GitHub's answer for a renamed repository
            HostileServer.send(exchange, 301, "application/json", "{\"message\":\"Moved Permanently\"}");
        });
        github.on(moved, exchange -> HostileServer.send(exchange, 200, "application/json",
                Fixtures.text("github/pulls-get.json")));
        github.on(REVIEWS, exchange -> HostileServer.send(exchange, 200, "application/json", "[]"));
        String commit = "/repos/octocat/Hello-World/commits/6dcb09b5b57875f334f61aebed695e2e4193db5e";
        github.on(commit + "/check-runs", exchange -> HostileServer.send(exchange, 200, "application/json",
                Fixtures.text("github/check-runs-for-ref.json")));
        github.on(commit + "/status", exchange -> HostileServer.send(exchange, 200, "application/json",
                Fixtures.text("github/combined-status-for-ref.json")));

        SyncResult result = client(github.baseUrl()).fetch(target());

        assertThat(result).isInstanceOf(SyncResult.Fetched.class);
        assertThat(github.requests()).filteredOn(r -> r.path().equals(moved))
                .singleElement().extracting(HostileServer.Request::authorization).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void aBodyThatTricklesFailsAtTheDeadlineInsteadOfHoldingTheSyncForEver() throws Exception {
        github.on(PULL, github.trickle(50));

        GitHubClient impatient = new GitHubClient(github.baseUrl(), new Token(TOKEN), TestHttp.impatient(1, LIMIT));
        SyncResult.Failed failed = (SyncResult.Failed) impatient.fetch(target());

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message())
                .contains("timed out after " + TestHttp.IMPATIENT.toMillis() + " ms without a whole answer");
    }

    @Test
    void aBodyDeclaredLargerThanTheLimitIsRefusedUnread() throws Exception {
        github.on(PULL, github.stream(300_000_000L, 32L * 1024 * 1024, (byte) ' '));

        SyncResult.Failed failed = (SyncResult.Failed) client(github.baseUrl()).fetch(target());

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("answered too much: its Content-Length of 300000000 bytes is over the limit "
                + "of 1048576 bytes; not read");
    }

    @Test
    void aBodyWithoutALengthIsCutOffAtTheLimit() throws Exception {
        github.on(PULL, github.stream(0, 32L * 1024 * 1024, (byte) ' '));

        SyncResult.Failed failed = (SyncResult.Failed) client(github.baseUrl()).fetch(target());

        assertThat(failed.message()).contains("answered too much: its body went on past the limit of 1048576 bytes");
    }

    GitHubClient client(String apiBase) {
        return new GitHubClient(apiBase, new Token(TOKEN),
                TestHttp.patient(1, LIMIT));
    }

    void servePull() {
        servePull("");
    }

    void servePull(String prefix) {
        github.on(prefix + PULL, exchange -> HostileServer.send(exchange, 200, "application/json",
                Fixtures.text("github/pulls-get.json")));
    }

    SyncTarget target() {
        return new SyncTarget(42, 7, "github-test", CodeHostKind.GITHUB, github.baseUrl(), "1296269", "octocat/Hello-World",
                "1347", Map.of(), null, null, null, null);
    }
}
