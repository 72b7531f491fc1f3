package dev.changesetsyncer.codehost.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.ChangesetState;
import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.FailureKind;
import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.SyncTarget;
import dev.changesetsyncer.codehost.TimelineEvent;
import dev.changesetsyncer.codehost.Token;
import dev.changesetsyncer.testing.Fixtures;
import dev.changesetsyncer.testing.TestHttp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The GitHub client against a local server answering with GitHub's documented example payloads. */
class GitHubClientTest {
    static final String TOKEN = "ghp_test-token-never-logged";
    static final String PULL = "/repos/octocat/Hello-World/pulls/1347";
    static final String REVIEWS = PULL + "/reviews";
    static final String SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    static final String RUNS = "/repos/octocat/Hello-World/commits/" + SHA + "/check-runs";
    static final String STATUS = "/repos/octocat/Hello-World/commits/" + SHA + "/status";
    static final long RESET = 1_900_000_000L;

    WireMockServer github;
    GitHubClient client;

    @BeforeEach
    void startFakeGitHub() {
        github = new WireMockServer(options().dynamicPort());
        github.start();
        client = new GitHubClient(github.baseUrl(), new Token(TOKEN),
                TestHttp.patient(2));
    }

    @AfterEach
    void stopIt() {
        github.stop();
    }

    @Test
    void aFirstSyncReadsThePullRequestItsReviewsAndItsChecks() throws Exception {
        serveEverything();

        SyncResult result = client.fetch(target(Map.of(), null, null, null));

        SyncResult.Fetched fetched = (SyncResult.Fetched) result;
        ChangesetSnapshot pr = fetched.snapshot();
        assertThat(pr.state()).isEqualTo(ChangesetState.OPEN);
        assertThat(pr.title()).isEqualTo("Amazing new feature");
        assertThat(pr.author()).isEqualTo("octocat");
        assertThat(pr.url()).isEqualTo("https://github.com/octocat/Hello-World/pull/1347");
        assertThat(pr.headRef()).isEqualTo("new-topic");
        assertThat(pr.baseRef()).isEqualTo("master");
        assertThat(pr.headSha()).isEqualTo(SHA);
        assertThat(pr.updatedAt()).isEqualTo(Instant.parse("2011-01-26T19:01:12Z"));
        assertThat(pr.repoArchived()).isFalse();
        assertThat(pr.reviewState()).isEqualTo(ReviewState.APPROVED);
        assertThat(pr.checkState()).as("a neutral check run and two successful statuses").isEqualTo(CheckState.PASSED);
        assertThat(fetched.changeMarkers()).containsOnlyKeys("pull", "reviews", "check_runs", "status");
        assertThat(fetched.events()).extracting(TimelineEvent::kind)
                .containsExactlyInAnyOrder("review_approved", "check_neutral", "status_success", "status_success");
        assertThat(fetched.events()).extracting(TimelineEvent::dedupeKey).doesNotHaveDuplicates();
        assertThat(fetched.rateLimit().limit()).isEqualTo(5000);
        assertThat(fetched.rateLimit().remaining()).isEqualTo(4996);
        assertThat(fetched.rateLimit().resetAt()).isEqualTo(Instant.ofEpochSecond(RESET));
        for (String path : new String[] {PULL, REVIEWS, RUNS, STATUS}) {
            github.verify(1, getRequestedFor(urlPathEqualTo(path)).withHeader("Authorization", equalTo("Bearer " + TOKEN))
                    .withHeader("If-None-Match", absent()));
        }
        assertThat(github.getAllServeEvents()).as("four calls in all").hasSize(4);
    }

    @Test
    void anUnchangedPullRequestWithSettledChecksCostsOneConditionalRequest() throws Exception {
        serveEverything();
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));
        github.resetRequests();

        SyncResult again = client.fetch(target(first.changeMarkers(), SHA, ReviewState.APPROVED, CheckState.PASSED));

        assertThat(again).isInstanceOf(SyncResult.Unchanged.class);
        assertThat(github.getAllServeEvents()).hasSize(1);
        github.verify(getRequestedFor(urlPathEqualTo(PULL)).withHeader("If-None-Match", equalTo("\"pull-v1\"")));
        assertThat(again.rateLimit().remaining()).as("read from the 304 too").isEqualTo(4996);
    }

    @Test
    void runningChecksArePolledEvenWhenThePullRequestIsUnchanged() throws Exception {
        serveEverything();
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));
        github.resetRequests();

        SyncResult stillRunning = client.fetch(target(first.changeMarkers(), SHA, ReviewState.APPROVED, CheckState.PENDING));
        assertThat(stillRunning).as("checks unchanged too").isInstanceOf(SyncResult.Unchanged.class);
        assertThat(github.getAllServeEvents()).hasSize(3);

        ObjectNode running = Fixtures.object("github/check-runs-for-ref.json");
        ((ObjectNode) running.withArray("check_runs").get(0)).put("status", "in_progress").putNull("conclusion");
        github.stubFor(get(urlPathEqualTo(RUNS)).atPriority(1)
                .willReturn(json(running.toString()).withHeader("ETag", "\"runs-v2\"")));
        SyncResult changed = client.fetch(target(first.changeMarkers(), SHA, ReviewState.APPROVED, CheckState.PASSED));

        assertThat(changed).as("settled checks are not polled").isInstanceOf(SyncResult.Unchanged.class);
        SyncResult.Fetched checks = (SyncResult.Fetched) client.fetch(
                target(first.changeMarkers(), SHA, ReviewState.APPROVED, CheckState.PENDING));
        assertThat(checks.snapshot().checkState()).isEqualTo(CheckState.PENDING);
        assertThat(checks.snapshot().title()).as("the pull request was not fetched: kept").isNull();
        assertThat(checks.changeMarkers()).containsEntry("check_runs", "\"runs-v2\"");
    }

    @ParameterizedTest(name = "state={0} draft={1} merged={2} archived={3} -> {4}")
    @CsvSource({
        "open,   false, false, false, OPEN",
        "open,   true,  false, false, DRAFT",
        "closed, false, false, false, CLOSED",
        "closed, false, true,  false, MERGED",
        "open,   false, false, true,  READ_ONLY",
        "closed, false, true,  true,  READ_ONLY"})
    void everyDocumentedStateMaps(String state, boolean draft, boolean merged, boolean archived, ChangesetState expected)
            throws Exception {
        serveEverything();
        ObjectNode pr = Fixtures.object("github/pulls-get.json");
        pr.put("state", state).put("draft", draft).put("merged", merged);
        ((ObjectNode) pr.path("base").path("repo")).put("archived", archived);
        github.stubFor(get(urlPathEqualTo(PULL)).atPriority(1).willReturn(json(pr.toString())));

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));

        assertThat(fetched.snapshot().state()).isEqualTo(expected);
        assertThat(fetched.snapshot().repoArchived()).isEqualTo(archived);
        assertThat(fetched.events().stream().anyMatch(e -> e.kind().equals("merged"))).isEqualTo(merged);
    }

    @Test
    void aWrongTokenIsUnauthorisedAndTheMessageNamesTheHostButNotTheToken() throws Exception {
        github.stubFor(get(urlPathEqualTo(PULL)).willReturn(aResponse().withStatus(401)
                .withBody("{\"message\":\"Bad credentials\"}")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.UNAUTHORIZED);
        assertThat(failed.message()).contains("GitHub (" + github.baseUrl() + ")").contains("401")
                .doesNotContain(TOKEN);
    }

    @Test
    void aSpentPrimaryQuotaIsRateLimitedUntilTheReset() throws Exception {
        github.stubFor(get(urlPathEqualTo(PULL)).willReturn(aResponse().withStatus(403)
                .withHeader("x-ratelimit-limit", "5000").withHeader("x-ratelimit-remaining", "0")
                .withHeader("x-ratelimit-reset", String.valueOf(RESET))
                .withBody("{\"message\":\"API rate limit exceeded for user ID 1.\"}")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(failed.retryAfter()).as("wait for the reset instead").isNull();
        assertThat(failed.rateLimit().remaining()).isZero();
        assertThat(failed.rateLimit().resetAt()).isEqualTo(Instant.ofEpochSecond(RESET));
        assertThat(failed.message()).contains("until the quota resets");
    }

    @Test
    void aSecondaryRateLimitWaitsAsLongAsRetryAfterSays() throws Exception {
        github.stubFor(get(urlPathEqualTo(PULL)).willReturn(aResponse().withStatus(403).withHeader("retry-after", "30")
                .withHeader("x-ratelimit-remaining", "4000")
                .withBody("{\"message\":\"You have exceeded a secondary rate limit.\"}")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(failed.retryAfter()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aSecondaryRateLimitWithoutRetryAfterWaitsAMinute() throws Exception {
        github.stubFor(get(urlPathEqualTo(PULL)).willReturn(aResponse().withStatus(403)
                .withBody("{\"message\":\"You have exceeded a secondary rate limit.\"}")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(failed.retryAfter()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aPlain403IsAPermissionProblem() throws Exception {
        github.stubFor(get(urlPathEqualTo(PULL)).willReturn(aResponse().withStatus(403)
                .withBody("{\"message\":\"Resource not accessible by integration\"}")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.UNAUTHORIZED);
        assertThat(failed.message()).contains("403");
    }

    @Test
    void a429WithRetryAfterIsRateLimited() throws Exception {
        github.stubFor(get(urlPathEqualTo(PULL)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(failed.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void a404MeansGone() throws Exception {
        github.stubFor(get(urlPathEqualTo(PULL)).willReturn(aResponse().withStatus(404)
                .withBody("{\"message\":\"Not Found\"}")));

        assertThat(client.fetch(target(Map.of(), null, null, null))).isInstanceOfSatisfying(SyncResult.Gone.class,
                gone -> assertThat(gone.message()).contains("404").contains(PULL));
    }

    @Test
    void aServerErrorIsTransient() throws Exception {
        github.stubFor(get(urlPathEqualTo(PULL)).willReturn(aResponse().withStatus(502).withBody("<html>Bad gateway</html>")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("server error 502");
    }

    @Test
    void aSlowAnswerTimesOut() throws Exception {
        github.stubFor(get(urlPathEqualTo(PULL)).willReturn(json(Fixtures.text("github/pulls-get.json"))
                .withFixedDelay(TestHttp.slowAnswerMillis())));
        GitHubClient impatient = new GitHubClient(github.baseUrl(), new Token(TOKEN), TestHttp.impatient(2));

        SyncResult.Failed failed = (SyncResult.Failed) impatient.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("timed out");
    }

    @Test
    void aDroppedConnectionIsRetriedThenReportedAsTransient() throws Exception {
        github.stubFor(get(urlPathEqualTo(PULL)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("after 2 attempts");
        github.verify(2, getRequestedFor(urlPathEqualTo(PULL)));
    }

    @Test
    void aTruncatedBodyIsUnreadableNotAPullRequest() throws Exception {
        String whole = Fixtures.text("github/pulls-get.json");
        github.stubFor(get(urlPathEqualTo(PULL)).willReturn(json(whole.substring(0, whole.length() / 2))));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("not valid JSON");
    }

    @Test
    void anHtmlPageInsteadOfJsonIsUnreadable() throws Exception {
        github.stubFor(get(urlPathEqualTo(PULL)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<!DOCTYPE html><html><body>Sign in</body></html>")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.message()).contains("not valid JSON").contains("<!DOCTYPE html>");
    }

    @Test
    void aPullRequestWithoutItsRequiredFieldsIsUnreadable() throws Exception {
        github.stubFor(get(urlPathEqualTo(PULL)).willReturn(json("{\"state\":\"open\",\"number\":1347}")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.message()).contains("field title is missing");
    }

    @Test
    void aRepositoryNameThatIsNotOwnerSlashNameFailsClearly() throws Exception {
        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(new SyncTarget(1, 1, "github-test", CodeHostKind.GITHUB,
                github.baseUrl(), "1", "not-a-full-name", "1347", Map.of(), null, null, null, null));

        assertThat(failed.message()).contains("not owner/name");
        assertThat(github.getAllServeEvents()).isEmpty();
    }

    // --- the fake GitHub ---

    void serveEverything() {
        github.stubFor(get(urlPathEqualTo(PULL)).atPriority(5)
                .willReturn(json(Fixtures.text("github/pulls-get.json")).withHeader("ETag", "\"pull-v1\"")
                        .withHeader("x-ratelimit-remaining", "4999")));
        github.stubFor(get(urlPathEqualTo(PULL)).atPriority(2).withHeader("If-None-Match", equalTo("\"pull-v1\""))
                .willReturn(notModified()));
        github.stubFor(get(urlPathEqualTo(REVIEWS)).atPriority(5)
                .willReturn(json(Fixtures.text("github/pulls-reviews-list.json")).withHeader("ETag", "\"reviews-v1\"")
                        .withHeader("x-ratelimit-remaining", "4998")));
        github.stubFor(get(urlPathEqualTo(RUNS)).atPriority(5)
                .willReturn(json(Fixtures.text("github/check-runs-for-ref.json")).withHeader("ETag", "\"runs-v1\"")
                        .withHeader("x-ratelimit-remaining", "4997")));
        github.stubFor(get(urlPathEqualTo(RUNS)).atPriority(2).withHeader("If-None-Match", equalTo("\"runs-v1\""))
                .willReturn(notModified()));
        github.stubFor(get(urlPathEqualTo(STATUS)).atPriority(5)
                .willReturn(json(Fixtures.text("github/combined-status-for-ref.json")).withHeader("ETag", "\"status-v1\"")
                        .withHeader("x-ratelimit-remaining", "4996")));
        github.stubFor(get(urlPathEqualTo(STATUS)).atPriority(2).withHeader("If-None-Match", equalTo("\"status-v1\""))
                .willReturn(notModified()));
    }

    static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8")
                .withHeader("x-ratelimit-limit", "5000").withHeader("x-ratelimit-reset", String.valueOf(RESET))
                .withHeader("x-ratelimit-resource", "core").withBody(body);
    }

    static ResponseDefinitionBuilder notModified() {
        return aResponse().withStatus(304).withHeader("x-ratelimit-limit", "5000")
                .withHeader("x-ratelimit-remaining", "4996").withHeader("x-ratelimit-reset", String.valueOf(RESET));
    }

    SyncTarget target(Map<String, String> changeMarkers, String headSha, ReviewState reviews, CheckState checks) {
        return new SyncTarget(42, 7, "github-test", CodeHostKind.GITHUB, github.baseUrl(), "1296269", "octocat/Hello-World", "1347",
                changeMarkers, headSha, reviews, checks, null);
    }
}
