package dev.changesetsyncer.codehost.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.Tracking;
import dev.changesetsyncer.codehost.FailureKind;
import dev.changesetsyncer.codehost.RepoSnapshot;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.RepoTarget;
import dev.changesetsyncer.codehost.Token;
import dev.changesetsyncer.testing.Fixtures;
import dev.changesetsyncer.testing.TestHttp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GitHub repository syncs against a local server answering with GitHub's documented repository and
 * pull request list payloads: archived, renamed (found again by its id), deleted, 304s that cost no
 * quota, and the listing of pull requests newest first, page by page, down to the last one seen.
 */
class GitHubRepositorySyncTest {
    static final String TOKEN = "ghp_test-token-never-logged";
    static final String REPO = "/repos/octocat/Hello-World";
    static final String PULLS = REPO + "/pulls";
    static final Instant T = Instant.parse("2026-03-02T10:00:00Z");

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
    void aReadFindsTheRepositoryItsIdNameAndArchivedFlag() throws Exception {
        serveRepository(false);

        RepoSyncResult.Found found = (RepoSyncResult.Found) client.syncRepository(target(Tracking.NONE, Map.of(), null, null));

        assertThat(found.repository()).isEqualTo(new RepoSnapshot("1296269", "octocat/Hello-World", false));
        assertThat(found.listing()).as("not tracked: no listing").isNull();
        assertThat(found.changeMarkers()).containsEntry("repo", "\"repo-v1\"");
        assertThat(found.rateLimit().remaining()).isEqualTo(4999);
        github.verify(getRequestedFor(urlPathEqualTo(REPO)).withHeader("Authorization", equalTo("Bearer " + TOKEN))
                .withHeader("If-None-Match", absent()));
        assertThat(github.getAllServeEvents()).hasSize(1);
    }

    @Test
    void anArchivedRepositorySaysSo() throws Exception {
        serveRepository(true);

        RepoSyncResult.Found found = (RepoSyncResult.Found) client.syncRepository(target(Tracking.NONE, Map.of(), null, null));

        assertThat(found.repository().archived()).isTrue();
    }

    @Test
    void anUnchangedRepositoryIsAFree304() throws Exception {
        serveRepository(false);

        RepoSyncResult result = client.syncRepository(target(Tracking.NONE, Map.of("repo", "\"repo-v1\""), null, null));

        assertThat(result).isInstanceOfSatisfying(RepoSyncResult.Found.class, found -> {
            assertThat(found.repository()).as("unchanged").isNull();
            assertThat(found.freeRequests()).isEqualTo(1);
        });
        github.verify(getRequestedFor(urlPathEqualTo(REPO)).withHeader("If-None-Match", equalTo("\"repo-v1\"")));
    }

    @Test
    void aRenamedRepositoryIsFoundByItsId() throws Exception {
        github.stubFor(get(urlPathEqualTo(REPO)).willReturn(aResponse().withStatus(404)
                .withBody("{\"message\":\"Not Found\"}")));
        ObjectNode renamed = Fixtures.object("github/repos-get.json").put("full_name", "octocat/Hello-Universe")
                .put("name", "Hello-Universe");
        github.stubFor(get(urlPathEqualTo("/repositories/1296269")).willReturn(json(renamed.toString())));

        RepoSyncResult.Found found = (RepoSyncResult.Found) client.syncRepository(target(Tracking.NONE, Map.of(), null, null));

        assertThat(found.repository().name()).isEqualTo("octocat/Hello-Universe");
    }

    @Test
    void aDeletedRepositoryIsNotFound() throws Exception {
        github.stubFor(get(urlPathEqualTo(REPO)).willReturn(aResponse().withStatus(404).withBody("{\"message\":\"Not Found\"}")));
        github.stubFor(get(urlPathEqualTo("/repositories/1296269"))
                .willReturn(aResponse().withStatus(404).withBody("{\"message\":\"Not Found\"}")));

        RepoSyncResult result = client.syncRepository(target(Tracking.OPEN, Map.of(), null, null));

        assertThat(result).isInstanceOfSatisfying(RepoSyncResult.NotFound.class,
                notFound -> assertThat(notFound.message()).contains("404").contains("repository no longer exists"));
        assertThat(github.getAllServeEvents()).as("no listing of a repository that is not there").hasSize(2);
    }

    @Test
    void anUnauthorisedTokenIsAFailureNeverNotFound() throws Exception {
        github.stubFor(get(urlPathEqualTo(REPO)).willReturn(aResponse().withStatus(401)
                .withBody("{\"message\":\"Bad credentials\"}")));

        RepoSyncResult result = client.syncRepository(target(Tracking.NONE, Map.of(), null, null));

        assertThat(result).isInstanceOfSatisfying(RepoSyncResult.Failed.class, failed -> {
            assertThat(failed.kind()).isEqualTo(FailureKind.UNAUTHORIZED);
            assertThat(failed.message()).doesNotContain(TOKEN);
        });
    }

    @Test
    void aFirstListingReadsEveryPageNewestFirst() throws Exception {
        serveRepository(false);
        servePulls(List.of(pages(10, 9, 8), pages(7, 6, 5), pages(4)), "\"pulls-v1\"");

        RepoSyncResult.Found found = (RepoSyncResult.Found) client.syncRepository(target(Tracking.OPEN, Map.of(), null, null));

        assertThat(found.listing().numbers()).containsExactly("10", "9", "8", "7", "6", "5", "4");
        assertThat(found.listing().listedUntil()).isEqualTo(T.plusSeconds(10));
        assertThat(found.listing().pages()).isEqualTo(3);
        assertThat(found.listing().state()).isEqualTo(Tracking.OPEN);
        assertThat(found.changeMarkers()).containsEntry("pulls", "\"pulls-v1\"");
        github.verify(getRequestedFor(urlPathEqualTo(PULLS)).withQueryParam("state", equalTo("open"))
                .withQueryParam("sort", equalTo("updated")).withQueryParam("direction", equalTo("desc"))
                .withQueryParam("per_page", equalTo("100")));
    }

    @Test
    void aLaterListingStopsAtTheLastPullRequestSeen() throws Exception {
        serveRepository(false);
        servePulls(List.of(pages(11, 10, 9), pages(8, 7, 6)), "\"pulls-v2\"");

        RepoSyncResult.Found found = (RepoSyncResult.Found) client.syncRepository(
                target(Tracking.OPEN, Map.of("pulls", "\"pulls-v1\""), T.plusSeconds(10), Tracking.OPEN));

        assertThat(found.listing().numbers()).as("only #11 is newer than the last seen").containsExactly("11");
        assertThat(found.listing().listedUntil()).isEqualTo(T.plusSeconds(11));
        assertThat(found.listing().pages()).as("stopped on the first page").isEqualTo(1);
    }

    @Test
    void aQuietTrackedRepositoryCostsTwoFree304s() throws Exception {
        serveRepository(false);
        servePulls(List.of(pages(10)), "\"pulls-v1\"");

        RepoSyncResult.Found found = (RepoSyncResult.Found) client.syncRepository(target(Tracking.OPEN,
                Map.of("repo", "\"repo-v1\"", "pulls", "\"pulls-v1\""), T.plusSeconds(10), Tracking.OPEN));

        assertThat(found.repository()).isNull();
        assertThat(found.listing().numbers()).isEmpty();
        assertThat(found.listing().listedUntil()).isEqualTo(T.plusSeconds(10));
        assertThat(found.freeRequests()).isEqualTo(2);
        assertThat(github.getAllServeEvents()).hasSize(2);
    }

    @Test
    void aListingOfAnotherStateStartsAfresh() throws Exception {
        serveRepository(false);
        servePulls(List.of(pages(10, 9)), "\"pulls-v1\"");

        RepoSyncResult.Found found = (RepoSyncResult.Found) client.syncRepository(
                target(Tracking.ALL, Map.of("pulls", "\"pulls-v1\""), T.plusSeconds(10), Tracking.OPEN));

        assertThat(found.listing().numbers()).containsExactly("10", "9");
        github.verify(getRequestedFor(urlPathEqualTo(PULLS)).withQueryParam("state", equalTo("all"))
                .withHeader("If-None-Match", absent()));
    }

    @Test
    void aListingThatAnswers404IsAFailureNotADeletedRepository() throws Exception {
        serveRepository(false);
        github.stubFor(get(urlPathEqualTo(PULLS)).willReturn(aResponse().withStatus(404).withBody("{}")));

        RepoSyncResult result = client.syncRepository(target(Tracking.OPEN, Map.of(), null, null));

        assertThat(result).isInstanceOfSatisfying(RepoSyncResult.Failed.class,
                failed -> assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT));
    }

    // --- the fake GitHub ---

    void serveRepository(boolean archived) {
        ObjectNode repo = Fixtures.object("github/repos-get.json").put("archived", archived);
        github.stubFor(get(urlPathEqualTo(REPO)).atPriority(5)
                .willReturn(json(repo.toString()).withHeader("ETag", "\"repo-v1\"").withHeader("x-ratelimit-remaining", "4999")));
        github.stubFor(get(urlPathEqualTo(REPO)).atPriority(2).withHeader("If-None-Match", equalTo("\"repo-v1\""))
                .willReturn(notModified()));
    }

    /** Pages of the pull request list, linked as GitHub links them; the first one has an ETag. */
    void servePulls(List<String> pages, String etag) {
        for (int i = 0; i < pages.size(); i++) {
            int page = i + 1;
            ResponseDefinitionBuilder answer = json(pages.get(i));
            if (page < pages.size()) {
                answer = answer.withHeader("Link", "<" + github.baseUrl() + PULLS + "?state=open&sort=updated&direction=desc"
                        + "&per_page=100&page=" + (page + 1) + ">; rel=\"next\", <" + github.baseUrl() + PULLS
                        + "?page=" + pages.size() + ">; rel=\"last\"");
            }
            if (page == 1) {
                github.stubFor(get(urlPathEqualTo(PULLS)).atPriority(5).withQueryParam("page", absent())
                        .willReturn(answer.withHeader("ETag", etag)));
                github.stubFor(get(urlPathEqualTo(PULLS)).atPriority(2).withQueryParam("page", absent())
                        .withHeader("If-None-Match", equalTo(etag)).willReturn(notModified()));
            } else {
                github.stubFor(get(urlPathEqualTo(PULLS)).atPriority(5).withQueryParam("page", equalTo(String.valueOf(page)))
                        .willReturn(answer));
            }
        }
    }

    /** A page of the documented list item, once per number, each updated {@code number} seconds after T. */
    static String pages(int... numbers) {
        ArrayNode page = JsonNodeFactory.instance.arrayNode();
        for (int number : numbers) {
            ObjectNode pull = (ObjectNode) Fixtures.tree("github/pulls-list.json").get(0).deepCopy();
            pull.put("number", number).put("updated_at", T.plusSeconds(number).toString());
            page.add(pull);
        }
        return page.toString();
    }

    static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8")
                .withHeader("x-ratelimit-limit", "5000").withHeader("x-ratelimit-reset", "1900000000").withBody(body);
    }

    static ResponseDefinitionBuilder notModified() {
        return aResponse().withStatus(304).withHeader("x-ratelimit-limit", "5000")
                .withHeader("x-ratelimit-remaining", "4998").withHeader("x-ratelimit-reset", "1900000000");
    }

    RepoTarget target(Tracking track, Map<String, String> markers, Instant listedUntil, Tracking listingState) {
        return new RepoTarget(3, 7, "github-test", CodeHostKind.GITHUB, github.baseUrl(), "1296269", "octocat/Hello-World",
                false, false, track, new HashMap<>(markers), listedUntil, listingState);
    }
}
