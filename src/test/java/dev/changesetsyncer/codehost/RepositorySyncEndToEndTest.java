package dev.changesetsyncer.codehost;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.RateLimitSettings;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.catalog.Tracking;
import dev.changesetsyncer.codehost.hosts.RealCodeHosts;
import dev.changesetsyncer.codehost.http.HostHttp;
import dev.changesetsyncer.testing.Fixtures;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import dev.changesetsyncer.testing.TestHttp;
import dev.changesetsyncer.tracking.RepositoryTracker;
import dev.changesetsyncer.worker.Replica;
import dev.changesetsyncer.worker.WorkerSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A replica's repository syncs against a local fake GitHub answering with GitHub's documented payloads:
 * an archived repository is found by a repository sync and every changeset of it is requested once and
 * synced read-only, then unarchived; a rename; a 404 shown as "not visible", and back; a quiet tracked
 * repository whose two conditional requests are free 304s costs no budget; and {@code track} importing a
 * repository's open pull requests across several pages, then only the new one.
 */
@ExtendWith(PostgresExtension.class)
class RepositorySyncEndToEndTest {
    static final String REPO = "/repos/octocat/Hello-World";
    static final String PULLS = REPO + "/pulls";
    static final String SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    static final Instant T = Instant.parse("2026-03-02T10:00:00Z");
    final TestDatabase database;
    final CatalogStore catalog;
    WireMockServer github;
    Replica replica;
    CodeHost host;
    final List<StubMapping> pageStubs = new ArrayList<>();

    RepositorySyncEndToEndTest(TestDatabase database) {
        this.database = database;
        this.catalog = new CatalogStore(database.dsl());
    }

    @BeforeEach
    void aFakeGitHubWhoseRepositoriesAreReadEverySecond() {
        database.truncateAll();
        github = new WireMockServer(options().dynamicPort());
        github.start();
        github.stubFor(get(urlPathMatching(REPO + "/pulls/\\d+/reviews"))
                .willReturn(json(Fixtures.text("github/pulls-reviews-list.json"))));
        github.stubFor(get(urlPathEqualTo(REPO + "/commits/" + SHA + "/check-runs"))
                .willReturn(json(Fixtures.text("github/check-runs-for-ref.json"))));
        github.stubFor(get(urlPathEqualTo(REPO + "/commits/" + SHA + "/status"))
                .willReturn(json(Fixtures.text("github/combined-status-for-ref.json"))));
        host = catalog.createCodeHost("fake-github", CodeHostKind.GITHUB, github.baseUrl(), ScheduleSettings.DEFAULTS);
        catalog.updateRepoSyncInterval(host.id(), Duration.ofSeconds(1));
    }

    @AfterEach
    void stop() {
        if (replica != null) {
            replica.stop();
        }
        github.stop();
    }

    @Test
    void anArchivingFoundByARepositorySyncRequestsEveryChangesetOnceThenARenameAndA404AndBack() {
        Repo repo = catalog.createRepo(host.id(), "1296269", "octocat/Hello-World");
        List<Long> pulls = quietChangesets(repo, 1347, 1348, 1349);
        serveRepository("octocat/Hello-World", false);
        servePulls(false);
        startReplica();
        await().atMost(ofSeconds(30)).until(() -> visibility(repo).equals("visible"));

        serveRepository("octocat/Hello-World", true);
        servePulls(true);

        await().atMost(ofSeconds(30)).until(() -> pulls.stream().allMatch(id -> "read_only".equals(state(id))));
        assertThat(database.value(Long.class, """
                SELECT count(*) FROM sync_requests
                 WHERE reason = 'repository octocat/Hello-World was archived' AND priority = 0 AND served_at IS NOT NULL"""))
                .as("one bulk request per changeset, each served").isEqualTo(3);
        assertThat(database.value(Long.class, "SELECT count(DISTINCT changeset_id) FROM sync_requests")).isEqualTo(3);

        serveRepository("octocat/Hello-World", false);
        servePulls(false);
        await().atMost(ofSeconds(30)).until(() -> pulls.stream().allMatch(id -> "open".equals(state(id))));
        assertThat(database.value(Long.class,
                "SELECT count(*) FROM sync_requests WHERE reason = 'repository octocat/Hello-World was unarchived'"))
                .isEqualTo(3);

        serveRepository("octocat/Hello-Universe", false);
        await().atMost(ofSeconds(30)).until(() -> "octocat/Hello-Universe".equals(name(repo)));
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests")).as("a rename requests nothing")
                .isEqualTo(6);
        assertThat(database.value(Long.class, "SELECT count(*) FROM changesets WHERE repo_id = " + repo.id())).isEqualTo(3);

        for (String path : List.of("/repos/octocat/Hello-Universe", "/repositories/1296269")) {
            github.stubFor(get(urlPathEqualTo(path)).atPriority(1)
                    .willReturn(aResponse().withStatus(404).withBody("{\"message\":\"Not Found\"}")));
        }
        await().atMost(ofSeconds(30)).until(() -> visibility(repo).startsWith("not visible: "));
        assertThat(database.value(Boolean.class, "SELECT deleted_at IS NULL FROM repos WHERE id = " + repo.id()))
                .as("a 404 alone deletes nothing").isTrue();

        github.resetMappings();
        serveRepository("octocat/Hello-Universe", false);
        await().atMost(ofSeconds(30)).until(() -> visibility(repo).equals("visible"));
    }

    @Test
    void aQuietTrackedRepositoryCostsTwoFree304sAndNoBudget() {
        catalog.updateRateLimits(host.id(), new RateLimitSettings(1, 10, 1, null)); // 10 tokens, nearly no refill
        Repo repo = catalog.createRepo(host.id(), "1296269", "octocat/Hello-World");
        database.execute("UPDATE repos SET track_changesets = 'open' WHERE id = " + repo.id());
        github.stubFor(get(urlPathEqualTo(REPO)).atPriority(5)
                .willReturn(json(Fixtures.text("github/repos-get.json")).withHeader("ETag", "\"repo-v1\"")));
        github.stubFor(get(urlPathEqualTo(REPO)).atPriority(1).withHeader("If-None-Match", equalTo("\"repo-v1\""))
                .willReturn(aResponse().withStatus(304)));
        github.stubFor(get(urlPathEqualTo(PULLS)).atPriority(5).willReturn(json("[]").withHeader("ETag", "\"pulls-v1\"")));
        github.stubFor(get(urlPathEqualTo(PULLS)).atPriority(1).withHeader("If-None-Match", equalTo("\"pulls-v1\""))
                .willReturn(aResponse().withStatus(304)));
        startReplica();

        await().atMost(ofSeconds(30)).until(() -> github.findAll(getRequestedFor(urlPathEqualTo(PULLS))
                .withHeader("If-None-Match", equalTo("\"pulls-v1\""))).size() >= 3);
        await().atMost(ofSeconds(30)).until(() -> database.value(Double.class, """
                SELECT coalesce((SELECT budget_left FROM code_host_sync_summary
                                  WHERE code_host_id = %d
                                    AND NOT EXISTS (SELECT 1 FROM repo_sync_state WHERE claim_token IS NOT NULL)), -1)"""
                .formatted(host.id())) >= 7.99);

        assertThat(database.value(Double.class, "SELECT budget_left FROM code_host_sync_summary WHERE code_host_id = "
                + host.id())).as("the first read's two paid requests only").isBetween(7.99, 8.1);
        assertThat(github.findAll(getRequestedFor(urlPathEqualTo(REPO)).withHeader("If-None-Match", absent())))
                .as("the repository was read in full once").hasSize(1);
    }

    @Test
    void trackImportsTheOpenPullRequestsOfEveryPageAndALaterListingOnlyTheNewOne() throws Exception {
        serveRepository("octocat/Hello-World", false);
        servePullsEverywhere();
        servePages("\"list-v1\"", List.of(new int[] {10, 9, 8}, new int[] {7, 6, 5}, new int[] {4}));
        CodeHostClients clients = RealCodeHosts.registry(tokens(), http());

        RepositoryTracker.Tracked tracked = new RepositoryTracker(catalog, clients)
                .track("fake-github", "octocat/Hello-World", Tracking.OPEN);
        assertThat(tracked.inserted()).isTrue();
        assertThat(tracked.repository().externalId()).isEqualTo("1296269");
        startReplica();

        await().atMost(ofSeconds(30)).until(() -> numbers(tracked.repoId()).size() == 7);
        assertThat(numbers(tracked.repoId())).containsExactly("10", "4", "5", "6", "7", "8", "9");
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE priority = 0 AND reason = "
                + "'imported from repository octocat/Hello-World'")).as("each with a bulk request").isEqualTo(7);
        await().atMost(ofSeconds(30)).until(() -> database.value(Long.class,
                "SELECT count(*) FROM changeset_sync_state WHERE last_synced_at IS NOT NULL") == 7);

        servePages("\"list-v2\"", List.of(new int[] {11, 10, 9}, new int[] {8, 7, 6}, new int[] {5, 4}));
        github.resetRequests();

        await().atMost(ofSeconds(30)).until(() -> numbers(tracked.repoId()).size() == 8);
        assertThat(numbers(tracked.repoId())).contains("11");
        await().atMost(ofSeconds(30)).until(() -> github.findAll(getRequestedFor(urlPathEqualTo(PULLS))).size() >= 2);
        assertThat(github.findAll(getRequestedFor(urlPathEqualTo(PULLS)).withQueryParam("page", equalTo("2"))))
                .as("the listing stopped on its first page, at the last pull request seen").isEmpty();
        assertThat(database.value(Long.class, "SELECT imported FROM repo_sync_state WHERE repo_id = " + tracked.repoId()))
                .isEqualTo(8);
    }

    @Test
    void trackRefusesWhatItCannotTrackAndStoresNothing() {
        github.stubFor(get(urlPathEqualTo("/repos/octocat/nowhere")).willReturn(aResponse().withStatus(404).withBody("{}")));
        RepositoryTracker tracker = new RepositoryTracker(catalog, RealCodeHosts.registry(tokens(), http()));
        RepositoryTracker withoutToken = new RepositoryTracker(catalog,
                RealCodeHosts.registry(CodeHostCredentials.load(Map.of(), null), http()));

        assertThatRefused(() -> tracker.track("no-such-host", "octocat/Hello-World", Tracking.OPEN),
                "no code host named no-such-host");
        assertThatRefused(() -> tracker.track("fake-github", "octocat/nowhere", Tracking.OPEN),
                "repository octocat/nowhere not found on code host fake-github (or its token cannot see it)");
        assertThatRefused(() -> withoutToken.track("fake-github", "octocat/Hello-World", Tracking.OPEN),
                "no token for code host \"fake-github\": set SYNCER_TOKEN_FAKE_GITHUB or add it to the tokens file");
        assertThat(database.value(Long.class, "SELECT count(*) FROM repos")).isZero();
    }

    static void assertThatRefused(ThrowingRunnable call, String message) {
        try {
            call.run();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith(message);
            return;
        } catch (Exception e) {
            throw new AssertionError("expected a refusal, got " + e, e);
        }
        throw new AssertionError("expected a refusal: " + message);
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    // --- the fake GitHub ---

    void serveRepository(String fullName, boolean archived) {
        ObjectNode repo = Fixtures.object("github/repos-get.json").put("archived", archived).put("full_name", fullName);
        github.stubFor(get(urlPathEqualTo("/repos/" + fullName)).atPriority(5).willReturn(json(repo.toString())));
        // the old name too, as GitHub redirects it (the newest stub of a priority wins)
        github.stubFor(get(urlPathEqualTo(REPO)).atPriority(5).willReturn(json(repo.toString())));
    }

    void servePulls(boolean archived) {
        ObjectNode pr = Fixtures.object("github/pulls-get.json");
        ((ObjectNode) pr.path("base").path("repo")).put("archived", archived);
        github.stubFor(get(urlPathMatching(REPO + "/pulls/\\d+")).atPriority(5)
                .willReturn(json(pr.toString()).withHeader("ETag", "\"pull" + (archived ? "-archived" : "") + "\"")));
    }

    void servePullsEverywhere() {
        servePulls(false);
    }

    /** The pull request list, newest first, in pages linked as GitHub links them; the first one conditional. */
    void servePages(String etag, List<int[]> pages) {
        pageStubs.forEach(github::removeStub);
        pageStubs.clear();
        for (int i = 0; i < pages.size(); i++) {
            int page = i + 1;
            ResponseDefinitionBuilder answer = json(page(pages.get(i)));
            if (page < pages.size()) {
                answer = answer.withHeader("Link", "<" + github.baseUrl() + PULLS + "?state=open&sort=updated"
                        + "&direction=desc&per_page=100&page=" + (page + 1) + ">; rel=\"next\"");
            }
            if (page == 1) {
                pageStubs.add(github.stubFor(get(urlPathEqualTo(PULLS)).atPriority(3).withQueryParam("page", absent())
                        .willReturn(answer.withHeader("ETag", etag))));
                pageStubs.add(github.stubFor(get(urlPathEqualTo(PULLS)).atPriority(2).withQueryParam("page", absent())
                        .withHeader("If-None-Match", equalTo(etag)).willReturn(aResponse().withStatus(304))));
            } else {
                pageStubs.add(github.stubFor(get(urlPathEqualTo(PULLS)).atPriority(3)
                        .withQueryParam("page", equalTo(String.valueOf(page))).willReturn(answer)));
            }
        }
    }

    static String page(int[] numbers) {
        ArrayNode page = JsonNodeFactory.instance.arrayNode();
        for (int number : numbers) {
            ObjectNode pull = (ObjectNode) Fixtures.tree("github/pulls-list.json").get(0).deepCopy();
            pull.put("number", number).put("updated_at", T.plusSeconds(number).toString());
            page.add(pull);
        }
        return page.toString();
    }

    static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    // --- the database ---

    /** Synced a minute ago after a day of quiet: not due for hours. */
    List<Long> quietChangesets(Repo repo, Integer... numbers) {
        return database.dsl().transactionResult(configuration -> {
            List<Long> ids = new CatalogStore(DSL.using(configuration))
                    .createChangesets(repo.id(), Arrays.stream(numbers).map(String::valueOf).toList());
            DSL.using(configuration).execute("""
                    UPDATE changeset_sync_state SET last_synced_at = now() - interval '1 minute',
                           last_attempt_at = now() - interval '1 minute', synced_updated_at = now() - interval '1 day'
                     WHERE changeset_id = ANY (?)""", (Object) ids.toArray(Long[]::new));
            return ids;
        });
    }

    void startReplica() {
        replica = Replica.start(WorkerSettings.defaults("repos-e2e").withConcurrency(8).withPollInterval(Duration.ofMillis(500)),
                database.url(), RealCodeHosts.registry(tokens(), http()));
    }

    static CodeHostCredentials tokens() {
        return CodeHostCredentials.load(Map.of("SYNCER_TOKEN_FAKE_GITHUB", "gh-token"), null);
    }

    static HostHttp http() {
        return TestHttp.patient(2);
    }

    String visibility(Repo repo) {
        return database.value(String.class, "SELECT visibility FROM repo_sync_schedule WHERE repo_id = " + repo.id());
    }

    String name(Repo repo) {
        return database.value(String.class, "SELECT name FROM repos WHERE id = " + repo.id());
    }

    String state(long changesetId) {
        return database.value(String.class, "SELECT state::text FROM changesets WHERE id = " + changesetId);
    }

    List<String> numbers(long repoId) {
        return database.dsl().fetch("SELECT external_id FROM changesets WHERE repo_id = ? ORDER BY external_id", repoId)
                .getValues(0, String.class);
    }
}
