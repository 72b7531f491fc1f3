package dev.changesetsyncer.simhost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.Tracking;
import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.ChangesetState;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.RepoTarget;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.SyncTarget;
import dev.changesetsyncer.codehost.Token;
import dev.changesetsyncer.codehost.github.GitHubClient;
import dev.changesetsyncer.codehost.http.HostHttp;
import dev.changesetsyncer.codehost.http.SyncCaller;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulated host over real HTTP, read by the real GitHub client: its answers have GitHub's
 * shapes, ETags give 304s, lists paginate with Link headers, and it tells syncs apart by the claim
 * header the worker sends.
 */
class SimulatedHostTest {
    static final ObjectMapper json = new ObjectMapper();
    static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");
    final HttpClient http = HttpClient.newHttpClient();
    SimulatedHost host;
    GitHubClient client;

    @BeforeEach
    void start() throws Exception {
        // no changes over time: each test decides what it sees
        host = SimulatedHost.start(HostSettings.defaults().withPopulation(2, 25).withRates(0, 0, 0).withLatency(Duration.ZERO));
        client = new GitHubClient(host.baseUrl(), new Token(HostSettings.DEFAULT_TOKEN),
                new HostHttp(new HostHttp.Settings(Duration.ofSeconds(2), Duration.ofSeconds(10), 1)));
    }

    @AfterEach
    void stop() {
        host.close();
    }

    @Test
    void theGitHubClientReadsARepositoryListsItsPullRequestsAcrossPagesAndThenGetsTwoFree304s() throws Exception {
        try (SimulatedHost big = SimulatedHost.start(HostSettings.defaults().withPopulation(1, 230).withRates(0, 0, 0)
                .withLatency(Duration.ZERO))) {
            GitHubClient reader = new GitHubClient(big.baseUrl(), new Token(HostSettings.DEFAULT_TOKEN),
                    new HostHttp(new HostHttp.Settings(Duration.ofSeconds(2), Duration.ofSeconds(10), 1)));
            RepoTarget first = new RepoTarget(1, 1, "simulated", CodeHostKind.GITHUB, big.baseUrl(), "100000",
                    "soak-org/repo-001", false, false, Tracking.ALL, Map.of(), null, null);

            RepoSyncResult.Found found = (RepoSyncResult.Found) reader.syncRepository(first);

            assertThat(found.repository().name()).isEqualTo("soak-org/repo-001");
            assertThat(found.listing().numbers()).hasSize(230).doesNotHaveDuplicates();
            assertThat(found.listing().pages()).as("100 a page, Link rel=next").isEqualTo(3);
            RepoTarget again = new RepoTarget(1, 1, "simulated", CodeHostKind.GITHUB, big.baseUrl(), "100000",
                    "soak-org/repo-001", false, false, Tracking.ALL, found.changeMarkers(), found.listing().listedUntil(),
                    Tracking.ALL);
            RepoSyncResult.Found quiet = (RepoSyncResult.Found) reader.syncRepository(again);
            assertThat(quiet.repository()).isNull();
            assertThat(quiet.listing().numbers()).isEmpty();
            assertThat(quiet.freeRequests()).isEqualTo(2);
        }
    }

    @Test
    void theGitHubClientSyncsAPullRequestAndThenGetsA304() throws Exception {
        SyncResult first = client.fetch(target(Map.of(), null));

        assertThat(first).isInstanceOf(SyncResult.Fetched.class);
        SyncResult.Fetched fetched = (SyncResult.Fetched) first;
        assertThat(fetched.snapshot().title()).isEqualTo("Change 7 of repo-001");
        assertThat(fetched.snapshot().state()).isIn(ChangesetState.OPEN, ChangesetState.DRAFT, ChangesetState.MERGED,
                ChangesetState.CLOSED);
        assertThat(fetched.changeMarkers()).containsKeys("pull", "check_runs", "status");
        assertThat(fetched.rateLimit()).isNotNull();

        SyncResult second = client.fetch(target(fetched.changeMarkers(), fetched.snapshot().headSha(), fetched.snapshot()));

        assertThat(second).isInstanceOf(SyncResult.Unchanged.class);
        JsonNode report = report();
        assertThat(report.path("etag_hits").asLong()).as("the pull request answered 304").isPositive();
        assertThat(report.path("by_status").path("304").asLong()).isEqualTo(report.path("etag_hits").asLong());
    }

    @Test
    void requestsCarryingTheSameClaimAreOneSyncAndTheirReplicaIsNamed() throws Exception {
        try (SyncCaller.Scope ignored = SyncCaller.enter("replica-a", 555)) {
            client.fetch(target(Map.of(), null));
        }
        try (SyncCaller.Scope ignored = SyncCaller.enter("replica-b", 556)) {
            client.fetch(target(Map.of(), null));
        }

        JsonNode report = report();
        assertThat(report.path("syncs").asLong()).isEqualTo(2);
        assertThat(report.path("requests").asLong()).as("pull, reviews, check runs, status each time").isEqualTo(8);
        assertThat(report.path("replicas").path("replica-a").path("syncs").asLong()).isEqualTo(1);
        assertThat(report.path("overlaps").asLong()).isZero();
    }

    @Test
    void theListOfPullRequestsPaginatesWithLinkHeadersNewestUpdateFirst() throws Exception {
        List<JsonNode> items = new ArrayList<>();
        String url = host.baseUrl() + "/repos/soak-org/repo-002/pulls?state=all&sort=updated&direction=desc&per_page=10";
        int pages = 0;
        while (url != null) {
            HttpResponse<String> page = get(url, null);
            assertThat(page.statusCode()).isEqualTo(200);
            json.readTree(page.body()).forEach(items::add);
            pages++;
            url = page.headers().firstValue("link").map(NEXT::matcher).filter(Matcher::find).map(m -> m.group(1)).orElse(null);
        }

        assertThat(pages).isEqualTo(3);
        assertThat(items).hasSize(25);
        Set<Integer> numbers = new HashSet<>();
        items.forEach(item -> numbers.add(item.path("number").asInt()));
        assertThat(numbers).hasSize(25);
        List<String> updated = items.stream().map(item -> item.path("updated_at").asText()).toList();
        assertThat(updated).isSortedAccordingTo((a, b) -> b.compareTo(a));
        assertThat(items.getFirst().has("merged")).as("the list has GitHub's simple shape").isFalse();
        assertThat(items.getFirst().has("merged_at")).isTrue();
    }

    @Test
    void openAndClosedListsSplitThePullRequests() throws Exception {
        int open = json.readTree(get(host.baseUrl() + "/repos/soak-org/repo-001/pulls?per_page=100", null).body()).size();
        int closed = json.readTree(get(host.baseUrl() + "/repos/soak-org/repo-001/pulls?state=closed&per_page=100", null)
                .body()).size();

        assertThat(open + closed).isEqualTo(25);
        assertThat(open).isPositive();
    }

    @Test
    void theRepositoryUnknownPathsAndBadTokensAnswerLikeGitHub() throws Exception {
        HttpResponse<String> repo = get(host.baseUrl() + "/repos/soak-org/repo-001", null);
        HttpResponse<String> again = get(host.baseUrl() + "/repos/soak-org/repo-001", repo.headers().firstValue("etag").orElseThrow());
        HttpResponse<String> missing = get(host.baseUrl() + "/repos/soak-org/repo-001/pulls/26", null);
        HttpResponse<String> unauthorised = http.send(HttpRequest.newBuilder(URI.create(host.baseUrl() + "/repos/soak-org/repo-001"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(json.readTree(repo.body()).path("full_name").asText()).isEqualTo("soak-org/repo-001");
        assertThat(json.readTree(repo.body()).path("archived").asBoolean()).isFalse();
        assertThat(repo.headers().firstValue("x-ratelimit-remaining")).isPresent();
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.headers().firstValue("x-ratelimit-remaining")).as("a 304 costs no quota")
                .isEqualTo(repo.headers().firstValue("x-ratelimit-remaining"));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json.readTree(missing.body()).path("message").asText()).isEqualTo("Not Found");
        assertThat(unauthorised.statusCode()).isEqualTo(401);
    }

    @Test
    void aDeletedPullRequestIsGone() throws Exception {
        HostSettings settings = HostSettings.defaults().withPopulation(1, 5).withRates(0, 1, 0);
        Population population = new Population(settings, Instant.now());
        for (int n = 1; n <= 2000; n++) {
            population.tick(n, Instant.now());
        }
        Repository repo = population.repos().getFirst();

        assertThat(population.pullsOf(repo)).allMatch(PullRequest::deleted);
        GitHubApi api = new GitHubApi(settings, population, new GitHubPayloads("http://localhost", settings.checksTake()),
                new HostLimits(settings, System.nanoTime(), Instant.now()), "http://localhost");
        GitHubApi.Answer answer = api.answer(new Route.Pull("soak-org", "repo-001", 1),
                new GitHubApi.ApiRequest("/repos/soak-org/repo-001/pulls/1", Map.of(), "Bearer " + HostSettings.DEFAULT_TOKEN,
                        null), System.nanoTime(), Instant.now());
        assertThat(answer.status()).isEqualTo(404);
    }

    @Test
    void insideARateLimitWindowEveryRequestGets429WithRetryAfter() {
        HostSettings settings = HostSettings.defaults().withRateLimitWindows(Duration.ofSeconds(60), Duration.ofSeconds(5));
        long start = 0;
        HostLimits limits = new HostLimits(settings, start, Instant.now());

        assertThat(limits.refusedFor(start + Duration.ofSeconds(30).toNanos())).isEmpty();
        assertThat(limits.refusedFor(start + Duration.ofSeconds(62).toNanos())).contains(Duration.ofSeconds(3));
        assertThat(limits.refusedFor(start + Duration.ofSeconds(66).toNanos())).isEmpty();
        assertThat(limits.windowsOpened(start + Duration.ofSeconds(130).toNanos())).isEqualTo(2);
    }

    private SyncTarget target(Map<String, String> etags, String headSha) {
        return new SyncTarget(1, 1, "simulated", CodeHostKind.GITHUB, host.baseUrl(), "100000", "soak-org/repo-001", "7",
                etags, headSha, null, null, null);
    }

    private SyncTarget target(Map<String, String> etags, String headSha, ChangesetSnapshot known) {
        return new SyncTarget(1, 1, "simulated", CodeHostKind.GITHUB, host.baseUrl(), "100000", "soak-org/repo-001", "7",
                etags, headSha, known.reviewState(), known.checkState(), null);
    }

    private HttpResponse<String> get(String url, String etag) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + HostSettings.DEFAULT_TOKEN);
        Optional.ofNullable(etag).ifPresent(value -> request.header("If-None-Match", value));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode report() throws Exception {
        return json.readTree(http.send(HttpRequest.newBuilder(URI.create(host.baseUrl() + "/_sim/report")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }
}
