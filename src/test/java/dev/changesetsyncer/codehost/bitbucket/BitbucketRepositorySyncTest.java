package dev.changesetsyncer.codehost.bitbucket;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
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
 * Bitbucket Server repository syncs against a local server answering with Bitbucket's repository and
 * pull request page payloads: the repository (archived from 8.0, absent before), deleted, and the pull
 * requests listed newest first, page by page ({@code nextPageStart}), down to the last one seen.
 */
class BitbucketRepositorySyncTest {
    static final String TOKEN = "BBDC-test-token-never-logged";
    static final String REPO = "/rest/api/1.0/projects/AMUNIZ/repos/test-repos";
    static final String LIST = REPO + "/pull-requests";
    static final Instant T = Instant.parse("2026-03-02T10:00:00Z");

    WireMockServer bitbucket;
    BitbucketServerClient client;

    @BeforeEach
    void startFakeBitbucket() {
        bitbucket = new WireMockServer(options().dynamicPort());
        bitbucket.start();
        client = new BitbucketServerClient(bitbucket.baseUrl(), new Token(TOKEN),
                TestHttp.patient(2));
    }

    @AfterEach
    void stopIt() {
        bitbucket.stop();
    }

    @Test
    void aReadFindsTheRepositoryAnOlderServerNeverArchived() throws Exception {
        bitbucket.stubFor(get(urlPathEqualTo(REPO)).willReturn(json(Fixtures.text("bitbucket-server/repository-get.json"))));

        RepoSyncResult.Found found = (RepoSyncResult.Found) client.syncRepository(target(Tracking.NONE, null, null));

        assertThat(found.repository()).isEqualTo(new RepoSnapshot("1", "AMUNIZ/test-repos", false));
        bitbucket.verify(getRequestedFor(urlPathEqualTo(REPO)).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    }

    @Test
    void anArchivedRepositoryOnBitbucket8SaysSo() throws Exception {
        ObjectNode archived = Fixtures.object("bitbucket-server/repository-get.json").put("archived", true);
        bitbucket.stubFor(get(urlPathEqualTo(REPO)).willReturn(json(archived.toString())));

        RepoSyncResult.Found found = (RepoSyncResult.Found) client.syncRepository(target(Tracking.NONE, null, null));

        assertThat(found.repository().archived()).isTrue();
    }

    @Test
    void aDeletedRepositoryIsNotFound() throws Exception {
        bitbucket.stubFor(get(urlPathEqualTo(REPO)).willReturn(aResponse().withStatus(404).withBody("{\"errors\":[]}")));

        assertThat(client.syncRepository(target(Tracking.NONE, null, null))).isInstanceOf(RepoSyncResult.NotFound.class);
    }

    @Test
    void aListingReadsThePagesNewestFirstDownToTheLastSeen() throws Exception {
        bitbucket.stubFor(get(urlPathEqualTo(REPO)).willReturn(json(Fixtures.text("bitbucket-server/repository-get.json"))));
        bitbucket.stubFor(get(urlPathEqualTo(LIST)).withQueryParam("start", equalTo("0"))
                .willReturn(json(page(false, 2, 9, 8))));
        bitbucket.stubFor(get(urlPathEqualTo(LIST)).withQueryParam("start", equalTo("2"))
                .willReturn(json(page(true, 0, 7, 6))));

        RepoSyncResult.Found first = (RepoSyncResult.Found) client.syncRepository(target(Tracking.ALL, null, null));
        RepoSyncResult.Found later = (RepoSyncResult.Found) client.syncRepository(
                target(Tracking.ALL, T.plusSeconds(8), Tracking.ALL));

        assertThat(first.listing().numbers()).containsExactly("9", "8", "7", "6");
        assertThat(first.listing().listedUntil()).isEqualTo(T.plusSeconds(9));
        assertThat(later.listing().numbers()).containsExactly("9");
        assertThat(later.listing().pages()).isEqualTo(1);
        bitbucket.verify(getRequestedFor(urlPathEqualTo(LIST)).withQueryParam("state", equalTo("ALL"))
                .withQueryParam("order", equalTo("NEWEST")).withQueryParam("limit", equalTo("100")));
    }

    /** A page of the documented list, one pull request per id, each updated {@code id} seconds after T (epoch millis). */
    static String page(boolean last, int nextPageStart, int... ids) {
        ObjectNode page = Fixtures.object("bitbucket-server/pull-requests-list.go-scm.json");
        ObjectNode item = (ObjectNode) page.get("values").get(0);
        ArrayNode values = page.putArray("values");
        for (int id : ids) {
            values.add(item.deepCopy().put("id", id).put("updatedDate", T.plusSeconds(id).toEpochMilli()));
        }
        page.put("isLastPage", last).put("size", ids.length);
        if (!last) {
            page.put("nextPageStart", nextPageStart);
        }
        return page.toString();
    }

    static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json;charset=UTF-8").withBody(body);
    }

    RepoTarget target(Tracking track, Instant listedUntil, Tracking listingState) {
        return new RepoTarget(3, 9, "bitbucket_server-test", CodeHostKind.BITBUCKET_SERVER, bitbucket.baseUrl(), "1",
                "AMUNIZ/test-repos", false, false, track, Map.of(), listedUntil, listingState);
    }
}
