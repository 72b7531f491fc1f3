package dev.changesetsyncer.codehost.bitbucket;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
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

/**
 * The Bitbucket Server client against a local server answering with pull requests captured from
 * real Bitbucket Server / Data Center instances (see fixtures/README.md, section 4).
 */
class BitbucketServerClientTest {
    static final String TOKEN = "BBDC-test-token-never-logged";
    static final String PULL = "/rest/api/1.0/projects/AMUNIZ/repos/test-repos/pull-requests/1";
    static final String SHA = "bf0e8b7962c024026ad01ae09d3a11732e26c0d4";
    static final String BUILDS = "/rest/build-status/1.0/commits/" + SHA;
    static final long BUILT_AT = 1_537_886_000_000L;

    WireMockServer bitbucket;
    BitbucketServerClient client;

    @BeforeEach
    void startFakeBitbucket() {
        bitbucket = new WireMockServer(options().dynamicPort());
        bitbucket.start();
        client = clientAt(bitbucket.baseUrl());
    }

    @AfterEach
    void stopIt() {
        bitbucket.stop();
    }

    // --- mapping ---

    @Test
    void aFirstSyncReadsThePullRequestWithItsReviewersAndTheBuildsOfItsHeadCommit() throws Exception {
        servePullRequest(withReviewers(Fixtures.object("bitbucket-server/pull-request-get.json"), "UNAPPROVED", "APPROVED"));
        serveBuilds(BUILDS, buildStatusPage("SUCCESSFUL", "INPROGRESS"));

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));

        ChangesetSnapshot pr = fetched.snapshot();
        assertThat(pr.state()).isEqualTo(ChangesetState.OPEN);
        assertThat(pr.title()).isEqualTo("Release/release 1");
        assertThat(pr.author()).isEqualTo("amuniz");
        assertThat(pr.url()).isEqualTo("http://localhost:7990/projects/AMUNIZ/repos/test-repos/pull-requests/1");
        assertThat(pr.headRef()).isEqualTo("release/release-1");
        assertThat(pr.baseRef()).isEqualTo("main");
        assertThat(pr.headSha()).isEqualTo(SHA);
        assertThat(pr.updatedAt()).as("epoch millis").isEqualTo(Instant.ofEpochMilli(1_537_885_911_512L));
        assertThat(pr.repoArchived()).as("no archived field before Bitbucket 8.0").isFalse();
        assertThat(pr.reviewState()).isEqualTo(ReviewState.APPROVED);
        assertThat(pr.checkState()).as("one build still running").isEqualTo(CheckState.PENDING);
        assertThat(fetched.changeMarkers()).as("Bitbucket sent no ETag").containsOnlyKeys("pull_request_version", "build_status");
        assertThat(fetched.changeMarkers().get("pull_request_version")).startsWith("0@1537885911512#");
        assertThat(fetched.events()).singleElement().satisfies(event -> {
            assertThat(event.kind()).isEqualTo("build_successful");
            assertThat(event.occurredAt()).isEqualTo(Instant.ofEpochMilli(BUILT_AT));
            assertThat(event.dedupeKey()).isEqualTo("bitbucket-build-TEST-REP0-SUCCESSFUL-" + SHA);
            assertThat(event.payloadJson()).contains("\"url\":\"https://ci.example.com/browse/TEST-REP0-1\"");
        });
        assertThat(fetched.rateLimit()).as("the fake sent no rate-limit headers").isNull();
        for (String path : new String[] {PULL, BUILDS}) {
            bitbucket.verify(1, getRequestedFor(urlPathEqualTo(path))
                    .withHeader("Authorization", equalTo("Bearer " + TOKEN)).withHeader("If-None-Match", absent()));
        }
        assertThat(bitbucket.getAllServeEvents()).as("two calls in all").hasSize(2);
    }

    @ParameterizedTest(name = "state={0} draft={1} archived={2} -> {3}")
    @CsvSource(nullValues = "absent", value = {
        "OPEN,     absent, absent, OPEN",
        "OPEN,     false,  false,  OPEN",
        "OPEN,     true,   false,  DRAFT",
        "DECLINED, absent, absent, CLOSED",
        "MERGED,   absent, absent, MERGED",
        "OPEN,     absent, true,   READ_ONLY",
        "MERGED,   false,  true,   READ_ONLY"})
    void everyDocumentedStateMaps(String state, Boolean draft, Boolean archived, ChangesetState expected) throws Exception {
        ObjectNode pr = Fixtures.object("bitbucket-server/pull-request-get.json");
        pr.put("state", state);
        if (draft != null) {
            pr.put("draft", draft);
        }
        if (archived != null) {
            ((ObjectNode) pr.path("toRef").path("repository")).put("archived", archived);
        }
        servePullRequest(pr);
        serveBuilds(BUILDS, buildStatusPage());

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));

        assertThat(fetched.snapshot().state()).isEqualTo(expected);
        assertThat(fetched.snapshot().repoArchived()).as("absent means false").isEqualTo(Boolean.TRUE.equals(archived));
    }

    @Test
    void aDeclinedPullRequestIsClosedWithAnEventAtItsClosedDate() throws Exception {
        ObjectNode pr = Fixtures.object("bitbucket-server/pull-request-get.json");
        pr.put("state", "DECLINED").put("closed", true).put("open", false).put("closedDate", 1_537_890_000_000L);
        servePullRequest(pr);
        serveBuilds(BUILDS, buildStatusPage());

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));

        assertThat(fetched.snapshot().state()).isEqualTo(ChangesetState.CLOSED);
        assertThat(fetched.events()).extracting(TimelineEvent::kind, TimelineEvent::occurredAt, TimelineEvent::dedupeKey)
                .containsExactly(tuple("declined", Instant.ofEpochMilli(1_537_890_000_000L),
                        "bitbucket-declined-1537890000000"));
    }

    @Test
    void isoDatesOfARecentDataCenterAreRead() throws Exception {
        // the pull request of a Data Center 2026 webhook: draft, archived and ISO-8601 dates
        JsonNode pr = Fixtures.tree("bitbucket-server/webhooks/pr.opened.json").path("pullRequest");
        servePullRequest(pr);
        serveBuilds("/rest/build-status/1.0/commits/251fce291f086cdde68ae2a896148abb5b58033e", buildStatusPage());

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));

        ChangesetSnapshot snapshot = fetched.snapshot();
        assertThat(snapshot.updatedAt()).isEqualTo(Instant.parse("2026-08-19T17:27:55.266Z"));
        assertThat(snapshot.state()).isEqualTo(ChangesetState.OPEN);
        assertThat(snapshot.repoArchived()).isFalse();
        assertThat(snapshot.author()).isEqualTo("admin");
        assertThat(snapshot.headRef()).isEqualTo("feature/diffstat");
        assertThat(snapshot.url()).isEqualTo("http://localhost:7990/bitbucket/projects/AMUNIZ/repos/test-repos/pull-requests/1");
        assertThat(fetched.changeMarkers().get("pull_request_version")).startsWith("0@1787160475266#");
    }

    @Test
    void isoDatesWithACompactOffsetAreRead() throws Exception {
        // go-scm's capture of a merged Data Center pull request with dates like 2018-07-05T19:33:20+0000
        JsonNode pr = Fixtures.tree("bitbucket-server/webhooks/pr.merged.iso-dates.go-scm.json").path("pullRequest");
        servePullRequest(pr);
        serveBuilds("/rest/build-status/1.0/commits/" + pr.path("fromRef").path("latestCommit").asText(),
                buildStatusPage());

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));

        assertThat(fetched.snapshot().state()).isEqualTo(ChangesetState.MERGED);
        assertThat(fetched.snapshot().updatedAt()).isEqualTo(Instant.parse("2018-07-05T19:33:20Z"));
        assertThat(fetched.events()).singleElement().satisfies(merged -> {
            assertThat(merged.kind()).isEqualTo("merged");
            assertThat(merged.occurredAt()).isEqualTo(Instant.parse("2018-07-05T19:33:20Z"));
            assertThat(merged.dedupeKey()).isEqualTo("bitbucket-merged");
        });
    }

    @ParameterizedTest(name = "reviewers {0} -> {1}")
    @CsvSource({
        "'',                                   NONE",
        "UNAPPROVED,                           PENDING",
        "UNAPPROVED APPROVED,                  APPROVED",
        "APPROVED NEEDS_WORK,                  CHANGES_REQUESTED",
        "NEEDS_WORK UNAPPROVED APPROVED,       CHANGES_REQUESTED"})
    void reviewersDecideTheReviewState(String statuses, ReviewState expected) throws Exception {
        servePullRequest(withReviewers(Fixtures.object("bitbucket-server/pull-request-get.json"),
                statuses.isBlank() ? new String[0] : statuses.split(" ")));
        serveBuilds(BUILDS, buildStatusPage());

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));

        assertThat(fetched.snapshot().reviewState()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "builds {0} -> {1}")
    @CsvSource({
        "'',                           NONE",
        "SUCCESSFUL,                   PASSED",
        "SUCCESSFUL SUCCESSFUL,        PASSED",
        "SUCCESSFUL INPROGRESS,        PENDING",
        "INPROGRESS FAILED,            FAILED",
        "SUCCESSFUL CANCELLED,         FAILED",
        "UNKNOWN,                      NONE"})
    void buildsDecideTheCheckState(String states, CheckState expected) throws Exception {
        servePullRequest(Fixtures.object("bitbucket-server/pull-request-get.json"));
        serveBuilds(BUILDS, buildStatusPage(states.isBlank() ? new String[0] : states.split(" ")));

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));

        assertThat(fetched.snapshot().checkState()).isEqualTo(expected);
        assertThat(fetched.events()).as("one event per finished build")
                .allSatisfy(event -> assertThat(event.kind()).isIn("build_successful", "build_failed", "build_cancelled"))
                .extracting(TimelineEvent::dedupeKey).doesNotHaveDuplicates();
    }

    @Test
    void aBuildDatedTheDataCenter8WayHasItsEventAtUpdatedDate() throws Exception {
        // Data Center 8's documentation of the same resource shows createdDate/updatedDate, no dateAdded
        servePullRequest(Fixtures.object("bitbucket-server/pull-request-get.json"));
        ObjectNode page = buildStatusPage("CANCELLED");
        ObjectNode build = (ObjectNode) page.path("values").get(0);
        build.remove("dateAdded");
        build.put("createdDate", 1_587_533_099_278L).put("updatedDate", 1_587_533_699_278L);
        serveBuilds(BUILDS, page);

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));

        assertThat(fetched.snapshot().checkState()).isEqualTo(CheckState.FAILED);
        assertThat(fetched.events()).extracting(TimelineEvent::kind, TimelineEvent::occurredAt)
                .containsExactly(tuple("build_cancelled", Instant.ofEpochMilli(1_587_533_699_278L)));
    }

    @Test
    void buildStatusesOnSeveralPagesAreAllRead() throws Exception {
        servePullRequest(Fixtures.object("bitbucket-server/pull-request-get.json"));
        ObjectNode first = buildStatusPage("SUCCESSFUL");
        first.put("isLastPage", false).put("nextPageStart", 1);
        ObjectNode second = buildStatusPage("SUCCESSFUL", "FAILED");
        ((ArrayNode) second.path("values")).remove(0);
        second.put("start", 1);
        bitbucket.stubFor(get(urlPathEqualTo(BUILDS)).withQueryParam("start", equalTo("0")).willReturn(json(first)));
        bitbucket.stubFor(get(urlPathEqualTo(BUILDS)).withQueryParam("start", equalTo("1")).willReturn(json(second)));

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));

        assertThat(fetched.snapshot().checkState()).as("the failure is on page two").isEqualTo(CheckState.FAILED);
        assertThat(fetched.events()).hasSize(2);
    }

    // --- re-syncs ---

    @Test
    void anUnchangedPullRequestWithSettledBuildsCostsOneRequest() throws Exception {
        servePullRequest(Fixtures.object("bitbucket-server/pull-request-get.json"));
        serveBuilds(BUILDS, buildStatusPage("SUCCESSFUL"));
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));
        bitbucket.resetRequests();

        SyncResult again = client.fetch(target(first.changeMarkers(), SHA, ReviewState.NONE, CheckState.PASSED));

        assertThat(again).as("same version, same updatedDate, same everything").isInstanceOf(SyncResult.Unchanged.class);
        assertThat(bitbucket.getAllServeEvents()).hasSize(1);
        bitbucket.verify(getRequestedFor(urlPathEqualTo(PULL)).withHeader("If-None-Match", absent()));
    }

    @Test
    void anETagIsSentBackAndA304IsUnchanged() throws Exception {
        bitbucket.stubFor(get(urlPathEqualTo(PULL)).atPriority(5)
                .willReturn(json(Fixtures.text("bitbucket-server/pull-request-get.json")).withHeader("ETag", "\"pr-v0\"")));
        bitbucket.stubFor(get(urlPathEqualTo(PULL)).atPriority(1).withHeader("If-None-Match", equalTo("\"pr-v0\""))
                .willReturn(aResponse().withStatus(304)));
        serveBuilds(BUILDS, buildStatusPage("SUCCESSFUL"));
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));
        assertThat(first.changeMarkers()).containsEntry("pull_request", "\"pr-v0\"");
        bitbucket.resetRequests();

        SyncResult again = client.fetch(target(first.changeMarkers(), SHA, ReviewState.NONE, CheckState.PASSED));

        assertThat(again).isInstanceOf(SyncResult.Unchanged.class);
        assertThat(bitbucket.getAllServeEvents()).hasSize(1);
        bitbucket.verify(getRequestedFor(urlPathEqualTo(PULL)).withHeader("If-None-Match", equalTo("\"pr-v0\"")));
    }

    @Test
    void runningBuildsArePolledEvenWhenThePullRequestIsUnchanged() throws Exception {
        servePullRequest(Fixtures.object("bitbucket-server/pull-request-get.json"));
        serveBuilds(BUILDS, buildStatusPage("INPROGRESS"));
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));
        bitbucket.resetRequests();

        SyncResult stillRunning = client.fetch(target(first.changeMarkers(), SHA, ReviewState.NONE, CheckState.PENDING));
        assertThat(stillRunning).as("the same build, still running").isInstanceOf(SyncResult.Unchanged.class);
        assertThat(bitbucket.getAllServeEvents()).hasSize(2);

        serveBuilds(BUILDS, buildStatusPage("SUCCESSFUL"));
        SyncResult.Fetched finished = (SyncResult.Fetched) client.fetch(
                target(first.changeMarkers(), SHA, ReviewState.NONE, CheckState.PENDING));

        assertThat(finished.snapshot().checkState()).isEqualTo(CheckState.PASSED);
        assertThat(finished.snapshot().title()).as("the pull request did not change: kept").isNull();
        assertThat(finished.changeMarkers().get("build_status")).isNotEqualTo(first.changeMarkers().get("build_status"));
        assertThat(finished.events()).extracting(TimelineEvent::kind).containsExactly("build_successful");
    }

    @Test
    void aChangedPullRequestWithSettledBuildsCostsOneRequest() throws Exception {
        servePullRequest(Fixtures.object("bitbucket-server/pull-request-get.json"));
        serveBuilds(BUILDS, buildStatusPage("SUCCESSFUL"));
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));
        ObjectNode retitled = Fixtures.object("bitbucket-server/pull-request-get.json");
        retitled.put("title", "Release 1.0.0").put("version", 1).put("updatedDate", 1_537_886_500_000L);
        servePullRequest(retitled);
        bitbucket.resetRequests();

        SyncResult.Fetched changed = (SyncResult.Fetched) client.fetch(
                target(first.changeMarkers(), SHA, ReviewState.NONE, CheckState.PASSED));

        assertThat(changed.snapshot().title()).isEqualTo("Release 1.0.0");
        assertThat(changed.snapshot().checkState()).as("same head, settled builds: not read, kept").isNull();
        assertThat(changed.changeMarkers()).containsOnlyKeys("pull_request_version");
        assertThat(changed.changeMarkers().get("pull_request_version")).startsWith("1@1537886500000#");
        assertThat(bitbucket.getAllServeEvents()).hasSize(1);
    }

    @Test
    void anApprovalIsSeenEvenThoughItBumpsNeitherVersionNorUpdatedDate() throws Exception {
        servePullRequest(withReviewers(Fixtures.object("bitbucket-server/pull-request-get.json"), "UNAPPROVED"));
        serveBuilds(BUILDS, buildStatusPage("SUCCESSFUL"));
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));
        servePullRequest(withReviewers(Fixtures.object("bitbucket-server/pull-request-get.json"), "APPROVED"));

        SyncResult again = client.fetch(target(first.changeMarkers(), SHA, ReviewState.PENDING, CheckState.PASSED));

        assertThat(again).isInstanceOfSatisfying(SyncResult.Fetched.class,
                fetched -> assertThat(fetched.snapshot().reviewState()).isEqualTo(ReviewState.APPROVED));
    }

    @Test
    void aNewHeadCommitHasItsBuildsRead() throws Exception {
        servePullRequest(Fixtures.object("bitbucket-server/pull-request-get.json"));
        serveBuilds(BUILDS, buildStatusPage("SUCCESSFUL"));
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));
        String pushed = "046d9a3c1532acf4cf08fe93235c00e4d673c1d2";
        ObjectNode rescoped = Fixtures.object("bitbucket-server/pull-request-get.json");
        ((ObjectNode) rescoped.path("fromRef")).put("latestCommit", pushed);
        rescoped.put("version", 1).put("updatedDate", 1_537_887_000_000L);
        servePullRequest(rescoped);
        serveBuilds("/rest/build-status/1.0/commits/" + pushed, buildStatusPage("SUCCESSFUL"));
        bitbucket.resetRequests();

        SyncResult.Fetched changed = (SyncResult.Fetched) client.fetch(
                target(first.changeMarkers(), SHA, ReviewState.NONE, CheckState.PASSED));

        assertThat(changed.snapshot().headSha()).isEqualTo(pushed);
        assertThat(changed.snapshot().checkState()).isEqualTo(CheckState.PASSED);
        assertThat(changed.events()).extracting(TimelineEvent::dedupeKey)
                .as("the same build key on another commit is another event")
                .containsExactly("bitbucket-build-TEST-REP0-SUCCESSFUL-" + pushed);
        assertThat(bitbucket.getAllServeEvents()).hasSize(2);
    }

    // --- where the server is ---

    @Test
    void aBaseUrlWithAContextPathKeepsIt() throws Exception {
        client = clientAt(bitbucket.baseUrl() + "/bitbucket/");
        bitbucket.stubFor(get(urlPathEqualTo("/bitbucket" + PULL))
                .willReturn(json(Fixtures.text("bitbucket-server/pull-request-get.json"))));
        serveBuilds("/bitbucket" + BUILDS, buildStatusPage("SUCCESSFUL"));

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));

        assertThat(fetched.snapshot().checkState()).isEqualTo(CheckState.PASSED);
        assertThat(bitbucket.getAllServeEvents()).hasSize(2)
                .allSatisfy(served -> assertThat(served.getRequest().getUrl()).startsWith("/bitbucket/rest/"));
    }

    // --- what goes wrong ---

    @Test
    void aWrongTokenIsUnauthorisedAndTheMessageNamesTheHostButNotTheToken() throws Exception {
        bitbucket.stubFor(get(urlPathEqualTo(PULL)).willReturn(errors(401,
                "Authentication failed. Please check your credentials and try again.",
                "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.UNAUTHORIZED);
        assertThat(failed.message()).contains("Bitbucket Server (" + bitbucket.baseUrl() + ")").contains("401")
                .doesNotContain(TOKEN);
    }

    @Test
    void aTokenWithoutAccessToTheRepositoryIsUnauthorised() throws Exception {
        bitbucket.stubFor(get(urlPathEqualTo(PULL)).willReturn(errors(403,
                "You are not permitted to access this resource", "com.atlassian.bitbucket.AuthorisationException")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.UNAUTHORIZED);
        assertThat(failed.message()).contains("403").doesNotContain(TOKEN);
    }

    @Test
    void aMissingPullRequestIsGone() throws Exception {
        bitbucket.stubFor(get(urlPathEqualTo(PULL)).willReturn(errors(404,
                "Pull request 1 does not exist in AMUNIZ/test-repos.", "com.atlassian.bitbucket.pull.NoSuchPullRequestException")));

        assertThat(client.fetch(target(Map.of(), null, null, null))).isInstanceOfSatisfying(SyncResult.Gone.class,
                gone -> assertThat(gone.message()).contains("404").contains(PULL));
    }

    @Test
    void a429WithRetryAfterIsRateLimitedForThatLong() throws Exception {
        bitbucket.stubFor(get(urlPathEqualTo(PULL)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(failed.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void aRateLimitOnTheBuildStatusEndsTheSyncToo() throws Exception {
        servePullRequest(Fixtures.object("bitbucket-server/pull-request-get.json"));
        bitbucket.stubFor(get(urlPathEqualTo(BUILDS)).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(failed.retryAfter()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aServerWithoutTheBuildStatusResourceStillSyncsThePullRequest() throws Exception {
        servePullRequest(Fixtures.object("bitbucket-server/pull-request-get.json"));
        bitbucket.stubFor(get(urlPathEqualTo(BUILDS)).willReturn(aResponse().withStatus(404)));

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(target(Map.of(), null, null, null));

        assertThat(fetched.snapshot().state()).as("not gone: only the builds are").isEqualTo(ChangesetState.OPEN);
        assertThat(fetched.snapshot().checkState()).isEqualTo(CheckState.NONE);
    }

    @Test
    void aServerErrorIsTransient() throws Exception {
        bitbucket.stubFor(get(urlPathEqualTo(PULL)).willReturn(aResponse().withStatus(500)
                .withBody("<html><body>Internal Server Error</body></html>")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("server error 500");
    }

    @Test
    void aSlowAnswerTimesOut() throws Exception {
        bitbucket.stubFor(get(urlPathEqualTo(PULL)).willReturn(json(Fixtures.text("bitbucket-server/pull-request-get.json"))
                .withFixedDelay(TestHttp.slowAnswerMillis())));
        BitbucketServerClient impatient = new BitbucketServerClient(bitbucket.baseUrl(), new Token(TOKEN),
                TestHttp.impatient(2));

        SyncResult.Failed failed = (SyncResult.Failed) impatient.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("timed out").contains("Bitbucket Server (");
    }

    @Test
    void aTruncatedBodyIsUnreadableNotAPullRequest() throws Exception {
        String whole = Fixtures.text("bitbucket-server/pull-request-get.json");
        bitbucket.stubFor(get(urlPathEqualTo(PULL)).willReturn(json(whole.substring(0, whole.length() / 2))));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("unreadable answer").contains("not valid JSON");
    }

    @Test
    void anHtmlPageInsteadOfJsonIsUnreadable() throws Exception {
        bitbucket.stubFor(get(urlPathEqualTo(PULL)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html;charset=UTF-8")
                .withBody("<!DOCTYPE html><html><head><title>Log in - Bitbucket</title></head><body></body></html>")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("not valid JSON").contains("<!DOCTYPE html>");
    }

    @Test
    void aPullRequestWithoutItsRequiredFieldsIsUnreadable() throws Exception {
        ObjectNode pr = Fixtures.object("bitbucket-server/pull-request-get.json");
        ((ObjectNode) pr.path("fromRef")).remove("latestCommit");
        servePullRequest(pr);

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(target(Map.of(), null, null, null));

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("field fromRef.latestCommit is missing").contains(PULL);
    }

    @Test
    void aRepositoryNameThatIsNotProjectSlashRepoFailsClearly() throws Exception {
        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(new SyncTarget(1, 1, "bitbucket_server-test", CodeHostKind.BITBUCKET_SERVER,
                bitbucket.baseUrl(), "1", "test-repos", "1", Map.of(), null, null, null, null));

        assertThat(failed.message()).contains("not PROJECT_KEY/repo-slug");
        assertThat(bitbucket.getAllServeEvents()).isEmpty();
    }

    // --- the fake Bitbucket ---

    BitbucketServerClient clientAt(String baseUrl) {
        return new BitbucketServerClient(baseUrl, new Token(TOKEN),
                TestHttp.patient(2));
    }

    void servePullRequest(JsonNode pr) {
        bitbucket.stubFor(get(urlPathEqualTo(PULL)).willReturn(json(pr)));
    }

    void serveBuilds(String path, JsonNode page) {
        bitbucket.stubFor(get(urlPathEqualTo(path)).willReturn(json(page)));
    }

    /** The fixture with reviewers in each status, shaped like its author (a participant) with role REVIEWER. */
    static ObjectNode withReviewers(ObjectNode pr, String... statuses) {
        ArrayNode reviewers = pr.putArray("reviewers");
        for (String status : statuses) {
            ObjectNode reviewer = pr.path("author").deepCopy();
            reviewer.put("role", "REVIEWER").put("approved", status.equals("APPROVED")).put("status", status);
            reviewers.add(reviewer);
        }
        return pr;
    }

    /**
     * There is no fixture for the build-status resource: this is a minimal page in the shape Atlassian
     * documents for {@code GET /rest/build-status/1.0/commits/{commitId}} ("Updating build status for
     * commits"): {@code values[]} of state, key, name, url, description and dateAdded (epoch millis),
     * paged with size, limit, start and isLastPage.
     */
    static ObjectNode buildStatusPage(String... states) {
        ObjectNode page = JsonNodeFactory.instance.objectNode();
        page.put("size", states.length).put("limit", 100).put("isLastPage", true).put("start", 0);
        ArrayNode values = page.putArray("values");
        for (int i = 0; i < states.length; i++) {
            String key = "TEST-REP" + i;
            values.addObject().put("state", states[i]).put("key", key).put("name", key + "-1")
                    .put("url", "https://ci.example.com/browse/" + key + "-1").put("description", "Changes by amuniz")
                    .put("dateAdded", BUILT_AT + i);
        }
        return page;
    }

    static ResponseDefinitionBuilder json(JsonNode body) {
        return json(body.toString());
    }

    static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json;charset=UTF-8").withBody(body);
    }

    /** Bitbucket's error body: {@code {"errors":[{"context":null,"message":...,"exceptionName":...}]}}. */
    static ResponseDefinitionBuilder errors(int status, String message, String exceptionName) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putArray("errors").addObject().putNull("context").put("message", message).put("exceptionName", exceptionName);
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json;charset=UTF-8")
                .withBody(body.toString());
    }

    SyncTarget target(Map<String, String> changeMarkers, String headSha, ReviewState reviews, CheckState checks) {
        return new SyncTarget(42, 9, "bitbucket_server-test", CodeHostKind.BITBUCKET_SERVER, bitbucket.baseUrl(), "1", "AMUNIZ/test-repos", "1",
                changeMarkers, headSha, reviews, checks, null);
    }
}
