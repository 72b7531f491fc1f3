package dev.changesetsyncer.codehost;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.codehost.hosts.RealCodeHosts;
import dev.changesetsyncer.codehost.http.HostHttp;
import dev.changesetsyncer.testing.Fixtures;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import dev.changesetsyncer.testing.TestHttp;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A replica syncing a local fake GitHub and a local fake GitLab at once, with real payloads: the
 * states land in the database, an archived repository found by one sync gets its other changesets
 * re-synced (bulk requests) by the trigger, and a broken answer never overwrites what was stored.
 */
@ExtendWith(PostgresExtension.class)
class CodeHostsEndToEndTest {
    static final String SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    final TestDatabase database;
    final CatalogStore catalog;
    WireMockServer github;
    WireMockServer gitlab;
    Replica replica;

    CodeHostsEndToEndTest(TestDatabase database) {
        this.database = database;
        this.catalog = new CatalogStore(database.dsl());
    }

    @BeforeEach
    void fakeHosts() {
        database.truncateAll();
        github = new WireMockServer(options().dynamicPort());
        gitlab = new WireMockServer(options().dynamicPort());
        github.start();
        gitlab.start();
        for (int number : new int[] {1347, 1348, 1349}) {
            servePull(number, false);
        }
        github.stubFor(get(urlPathMatching("/repos/octocat/Hello-World/pulls/\\d+/reviews"))
                .willReturn(json(Fixtures.text("github/pulls-reviews-list.json"))));
        github.stubFor(get(urlPathEqualTo("/repos/octocat/Hello-World/commits/" + SHA + "/check-runs"))
                .willReturn(json(Fixtures.text("github/check-runs-for-ref.json"))));
        github.stubFor(get(urlPathEqualTo("/repos/octocat/Hello-World/commits/" + SHA + "/status"))
                .willReturn(json(Fixtures.text("github/combined-status-for-ref.json"))));
        gitlab.stubFor(get(urlPathEqualTo("/api/v4/projects/178504"))
                .willReturn(json(Fixtures.text("gitlab/project-get.go-scm.json"))));
        gitlab.stubFor(get(urlPathEqualTo("/api/v4/projects/178504/merge_requests/133"))
                .willReturn(json(Fixtures.text("gitlab/merge-request-get.json"))));
        gitlab.stubFor(get(urlPathEqualTo("/api/v4/projects/178504/merge_requests/133/approvals"))
                .willReturn(aResponse().withStatus(404).withBody("{\"message\":\"404 Not found\"}")));
    }

    @AfterEach
    void stop() {
        if (replica != null) {
            replica.stop();
        }
        github.stop();
        gitlab.stop();
    }

    @Test
    void aReplicaSyncsGitHubAndGitLabAndAnArchivedRepositoryResyncsItsOtherChangesets() {
        CodeHost gh = catalog.createCodeHost("fake-github", CodeHostKind.GITHUB, github.baseUrl(), ScheduleSettings.DEFAULTS);
        CodeHost gl = catalog.createCodeHost("fake-gitlab", CodeHostKind.GITLAB, gitlab.baseUrl(), ScheduleSettings.DEFAULTS);
        Repo helloWorld = catalog.createRepo(gh.id(), "1296269", "octocat/Hello-World");
        Repo diaspora = catalog.createRepo(gl.id(), "178504", "diaspora/diaspora");
        List<Long> pulls = catalog.createChangesets(helloWorld.id(), List.of("1347", "1348", "1349"));
        long mergeRequest = catalog.createChangesets(diaspora.id(), List.of("133")).getFirst();
        startReplica();

        await().atMost(ofSeconds(30)).until(() -> syncedCount() == 4);
        assertThat(column("state", pulls.getFirst())).isEqualTo("open");
        assertThat(column("review_state", pulls.getFirst())).isEqualTo("approved");
        assertThat(column("check_state", pulls.getFirst())).isEqualTo("passed");
        assertThat(column("title", mergeRequest)).isEqualTo("Manual job rules");
        assertThat(column("check_state", mergeRequest)).as("its head pipeline failed").isEqualTo("failed");
        assertThat(database.value(Long.class, "SELECT count(*) FROM changeset_events WHERE changeset_id = " + pulls.getFirst()))
                .as("review, check run and statuses").isGreaterThanOrEqualTo(3);

        // GitHub now says the repository is archived; someone asks for one pull request
        for (int number : new int[] {1347, 1348, 1349}) {
            servePull(number, true);
        }
        github.resetRequests();
        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'look again')".formatted(pulls.getFirst()));

        await().atMost(ofSeconds(30)).until(() -> pulls.stream().allMatch(id -> "read_only".equals(column("state", id))));
        assertThat(database.value(Boolean.class, "SELECT archived FROM repos WHERE id = " + helloWorld.id())).isTrue();
        assertThat(database.value(Long.class, """
                SELECT count(*) FROM sync_requests
                 WHERE reason = 'repository octocat/Hello-World was archived' AND priority = 0 AND served_at IS NOT NULL"""))
                .as("the trigger asked for all three; all three were served").isEqualTo(3);
        github.verify(3, getRequestedFor(urlPathMatching("/repos/octocat/Hello-World/pulls/\\d+")));
        assertThat(column("state", mergeRequest)).as("the other host is untouched").isEqualTo("open");
    }

    @Test
    void aBrokenAnswerIsRecordedAsAFailureAndNeverOverwritesTheStoredChangeset() {
        CodeHost gl = catalog.createCodeHost("fake-gitlab", CodeHostKind.GITLAB, gitlab.baseUrl(), ScheduleSettings.DEFAULTS);
        Repo diaspora = catalog.createRepo(gl.id(), "178504", "diaspora/diaspora");
        long mergeRequest = catalog.createChangesets(diaspora.id(), List.of("133")).getFirst();
        startReplica();
        await().atMost(ofSeconds(30)).until(() -> syncedCount() == 1);

        String whole = Fixtures.text("gitlab/merge-request-get.json");
        gitlab.stubFor(get(urlPathEqualTo("/api/v4/projects/178504/merge_requests/133")).atPriority(1)
                .willReturn(json(whole.substring(0, whole.length() / 3))));
        database.execute("INSERT INTO sync_requests (changeset_id, reason) VALUES (%d, 'again')".formatted(mergeRequest));

        await().atMost(ofSeconds(30)).until(() -> database.value(Integer.class,
                "SELECT failures FROM changeset_sync_state WHERE changeset_id = " + mergeRequest) == 1);
        assertThat(database.value(String.class, "SELECT last_error FROM changeset_sync_state WHERE changeset_id = " + mergeRequest))
                .contains("GitLab (" + gitlab.baseUrl() + ")").contains("not valid JSON");
        assertThat(column("title", mergeRequest)).isEqualTo("Manual job rules");
        assertThat(column("state", mergeRequest)).isEqualTo("open");
    }

    @Test
    void aHostWithoutATokenFailsItsSyncsAsUnconfiguredAndNothingIsSentToIt() {
        CodeHost gl = catalog.createCodeHost("gitlab-without-token", CodeHostKind.GITLAB, gitlab.baseUrl(),
                ScheduleSettings.DEFAULTS);
        Repo diaspora = catalog.createRepo(gl.id(), "178504", "diaspora/diaspora");
        List<Long> mergeRequests = catalog.createChangesets(diaspora.id(), List.of("133", "134"));
        startReplica();

        await().atMost(ofSeconds(30)).until(() -> database.value(Long.class,
                "SELECT count(*) FROM changeset_sync_state WHERE failures = 1 AND claim_token IS NULL") == 2);
        for (long id : mergeRequests) {
            assertThat(database.value(String.class, "SELECT last_error FROM changeset_sync_state WHERE changeset_id = " + id))
                    .isEqualTo("unconfigured: no token for code host \"gitlab-without-token\": "
                            + "set SYNCER_TOKEN_GITLAB_WITHOUT_TOKEN or add it to the tokens file");
        }
        assertThat(gitlab.getAllServeEvents()).isEmpty();
    }

    void startReplica() {
        CodeHostCredentials tokens = CodeHostCredentials.load(
                Map.of("SYNCER_TOKEN_FAKE_GITHUB", "gh-token", "SYNCER_TOKEN_FAKE_GITLAB", "gl-token"), null);
        HostHttp http = TestHttp.patient(2);
        replica = Replica.start(WorkerSettings.defaults("e2e").withConcurrency(4).withPollInterval(Duration.ofMillis(500)),
                database.url(), RealCodeHosts.registry(tokens, http));
    }

    void servePull(int number, boolean archived) {
        ObjectNode pr = Fixtures.object("github/pulls-get.json");
        pr.put("number", number);
        ((ObjectNode) pr.path("base").path("repo")).put("archived", archived);
        github.stubFor(get(urlPathEqualTo("/repos/octocat/Hello-World/pulls/" + number))
                .willReturn(json(pr.toString()).withHeader("ETag", "\"" + number + (archived ? "-archived" : "") + "\"")));
    }

    long syncedCount() {
        return database.value(Long.class,
                "SELECT count(*) FROM changeset_sync_state WHERE last_synced_at IS NOT NULL AND claim_token IS NULL");
    }

    String column(String name, long changesetId) {
        return database.value(String.class, "SELECT " + name + "::text FROM changesets WHERE id = " + changesetId);
    }

    static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }
}
