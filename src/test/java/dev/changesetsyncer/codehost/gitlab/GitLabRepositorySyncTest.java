package dev.changesetsyncer.codehost.gitlab;

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
import dev.changesetsyncer.codehost.RepoSnapshot;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.RepoTarget;
import dev.changesetsyncer.codehost.Token;
import dev.changesetsyncer.testing.Fixtures;
import dev.changesetsyncer.testing.TestHttp;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GitLab project syncs against a local server answering with GitLab's project and merge request list
 * payloads (drone/go-scm's test data): by numeric id, archived, deleted, and the merge requests listed
 * newest first with {@code updated_after}, page by page ({@code X-Next-Page}).
 */
class GitLabRepositorySyncTest {
    static final String TOKEN = "glpat-test-token-never-logged";
    static final String PROJECT = "/api/v4/projects/178504";
    static final String LIST = PROJECT + "/merge_requests";
    static final Instant T = Instant.parse("2026-03-02T10:00:00Z");

    WireMockServer gitlab;
    GitLabClient client;

    @BeforeEach
    void startFakeGitLab() {
        gitlab = new WireMockServer(options().dynamicPort());
        gitlab.start();
        client = new GitLabClient(gitlab.baseUrl(), new Token(TOKEN),
                TestHttp.patient(2));
    }

    @AfterEach
    void stopIt() {
        gitlab.stop();
    }

    @Test
    void aReadFindsTheProjectByItsIdWithItsPathAndArchivedFlag() throws Exception {
        serveProject(true);

        RepoSyncResult.Found found = (RepoSyncResult.Found) client.syncRepository(target(Tracking.NONE, null, null));

        assertThat(found.repository()).isEqualTo(new RepoSnapshot("178504", "diaspora/diaspora", true));
        assertThat(found.freeRequests()).isZero();
        gitlab.verify(getRequestedFor(urlPathEqualTo(PROJECT)).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    }

    @Test
    void aDeletedProjectIsNotFound() throws Exception {
        gitlab.stubFor(get(urlPathEqualTo(PROJECT)).willReturn(aResponse().withStatus(404)
                .withBody("{\"message\":\"404 Project Not Found\"}")));

        assertThat(client.syncRepository(target(Tracking.OPEN, null, null))).isInstanceOf(RepoSyncResult.NotFound.class);
    }

    @Test
    void aListingReadsEveryPageNewestFirstAndALaterOneOnlyWhatChangedSince() throws Exception {
        serveProject(false);
        gitlab.stubFor(get(urlPathEqualTo(LIST)).atPriority(5).withQueryParam("page", absent())
                .willReturn(json(page(9, 8)).withHeader("X-Next-Page", "2")));
        gitlab.stubFor(get(urlPathEqualTo(LIST)).atPriority(5).withQueryParam("page", equalTo("2"))
                .willReturn(json(page(7)).withHeader("X-Next-Page", "")));

        RepoSyncResult.Found first = (RepoSyncResult.Found) client.syncRepository(target(Tracking.OPEN, null, null));

        assertThat(first.listing().numbers()).containsExactly("9", "8", "7");
        assertThat(first.listing().listedUntil()).isEqualTo(T.plusSeconds(9));
        gitlab.verify(getRequestedFor(urlPathEqualTo(LIST)).withQueryParam("state", equalTo("opened"))
                .withQueryParam("order_by", equalTo("updated_at")).withQueryParam("sort", equalTo("desc"))
                .withQueryParam("updated_after", absent()));

        gitlab.resetAll();
        serveProject(false);
        gitlab.stubFor(get(urlPathEqualTo(LIST)).withQueryParam("updated_after", equalTo(T.plusSeconds(9).toString()))
                .willReturn(json(page(10, 9))));
        RepoSyncResult.Found later = (RepoSyncResult.Found) client.syncRepository(
                target(Tracking.OPEN, T.plusSeconds(9), Tracking.OPEN));

        assertThat(later.listing().numbers()).as("#9 is the last seen (updated_after includes it)").containsExactly("10");
        assertThat(later.listing().listedUntil()).isEqualTo(T.plusSeconds(10));
    }

    void serveProject(boolean archived) {
        ObjectNode project = Fixtures.object("gitlab/project-get.go-scm.json").put("archived", archived);
        gitlab.stubFor(get(urlPathEqualTo(PROJECT)).willReturn(json(project.toString())));
    }

    static String page(int... iids) {
        ArrayNode page = JsonNodeFactory.instance.arrayNode();
        for (int iid : iids) {
            ObjectNode mergeRequest = (ObjectNode) Fixtures.tree("gitlab/merge-requests-list.go-scm.json").get(0).deepCopy();
            mergeRequest.put("iid", iid).put("updated_at", T.plusSeconds(iid).toString());
            page.add(mergeRequest);
        }
        return page.toString();
    }

    static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    RepoTarget target(Tracking track, Instant listedUntil, Tracking listingState) {
        return new RepoTarget(3, 7, "gitlab-test", CodeHostKind.GITLAB, gitlab.baseUrl(), "178504", "diaspora/diaspora",
                false, false, track, Map.of(), listedUntil, listingState);
    }
}
