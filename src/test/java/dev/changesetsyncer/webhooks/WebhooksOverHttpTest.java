package dev.changesetsyncer.webhooks;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.http.HttpSettings;
import dev.changesetsyncer.service.HttpService;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.testing.Fixtures;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.PostgresServer;
import dev.changesetsyncer.testing.Replicas;
import dev.changesetsyncer.testing.TestDatabase;
import dev.changesetsyncer.worker.WorkerSettings;
import java.net.URLEncoder;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture payload of every host, signed with a test secret, sent over real HTTP to a
 * replica's server on a real Postgres (a real replica runs beside it); and every bad input, each
 * answered in order with nothing stored.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhooksOverHttpTest {
    static final String SECRET = "changeset-syncer-test-secret";
    static final String GITHUB = "github.test";
    static final String GITLAB = "gitlab.test";
    static final String BITBUCKET = "bitbucket.test";
    static final String SIMULATED = "simulated.test";
    static final String NO_SECRET = "no-secret.test";
    static final String HELLO_WORLD_ID = "186853002";
    static final String HELLO_WORLD = "Codertocat/Hello-World";

    final TestDatabase database;
    final CatalogStore catalog;
    final WireMockServer githubApi = new WireMockServer(options().dynamicPort());
    Replicas replicas;
    HttpService service;
    SignedDeliveries send;
    final Map<String, Long> hosts = new HashMap<>();

    WebhooksOverHttpTest(TestDatabase database) {
        this.database = database;
        this.catalog = new CatalogStore(database.dsl());
    }

    @BeforeAll
    void hostsAReplicaAndItsServer() {
        database.truncateAll();
        githubApi.start();
        hosts.put(GITHUB, catalog.createCodeHost(GITHUB, CodeHostKind.GITHUB, githubApi.baseUrl(), ScheduleSettings.DEFAULTS).id());
        hosts.put(GITLAB, catalog.createCodeHost(GITLAB, CodeHostKind.GITLAB, "https://gitlab.test", ScheduleSettings.DEFAULTS).id());
        hosts.put(BITBUCKET, catalog.createCodeHost(BITBUCKET, CodeHostKind.BITBUCKET_SERVER, "https://bitbucket.test",
                ScheduleSettings.DEFAULTS).id());
        hosts.put(SIMULATED, catalog.createCodeHost(SIMULATED, CodeHostKind.SIMULATED, "https://simulated.test",
                ScheduleSettings.DEFAULTS).id());
        hosts.put(NO_SECRET, catalog.createCodeHost(NO_SECRET, CodeHostKind.GITHUB, "https://no-secret.test",
                ScheduleSettings.DEFAULTS).id());
        service = HttpService.start("wh", HttpSettings.onPort(0), database.url(), WebhookSecrets.of(Map.of(
                GITHUB, SECRET, GITLAB, SECRET, BITBUCKET, SECRET, SIMULATED, SECRET)));
        send = new SignedDeliveries("http://127.0.0.1:" + service.port(), SECRET);
    }

    @AfterAll
    void stop() {
        service.close();
        githubApi.stop();
    }

    /** A replica per test, started on an empty catalogue (truncating under a running replica could deadlock). */
    @BeforeEach
    void noRepositoriesAndAReplica() {
        database.execute("TRUNCATE repos, changesets, changeset_sync_state, sync_requests, changeset_events, "
                + "webhook_deliveries CASCADE");
        replicas = new Replicas(database);
        replicas.start(WorkerSettings.defaults("webhooks-replica"), new SimulatedCodeHost(SimulationSettings.DEFAULT));
    }

    @AfterEach
    void stopTheReplica() {
        replicas.close();
    }

    /**
     * A fixture delivered to its host's endpoint.
     *
     * @param number the pull request it names (a changeset is created for it), or null
     * @param headSha the changeset's head commit (for events that name a commit)
     * @param kind the event stored, or null when nothing is (with status 200: a ping; 202: not used)
     */
    record Case(String host, String fixture, String event, String repoId, String repoName, String number, String headSha,
            int status, String kind) {
        @Override
        public String toString() {
            return fixture;
        }
    }

    static Stream<Case> everyFixture() {
        String gh = "github/webhooks/";
        String gl = "gitlab/webhooks/";
        String bb = "bitbucket-server/webhooks/";
        return Stream.of(
                pr(gh + "pull_request.opened.json", "pull_request", "pull_request.opened"),
                pr(gh + "pull_request.closed.json", "pull_request", "pull_request.closed"),
                pr(gh + "pull_request.reopened.json", "pull_request", "pull_request.reopened"),
                pr(gh + "pull_request.synchronize.json", "pull_request", "pull_request.synchronize"),
                pr(gh + "pull_request.converted_to_draft.json", "pull_request", "pull_request.converted_to_draft"),
                pr(gh + "pull_request.ready_for_review.json", "pull_request", "pull_request.ready_for_review"),
                pr(gh + "pull_request_review.submitted.json", "pull_request_review", "pull_request_review.submitted"),
                pr(gh + "pull_request_review.dismissed.json", "pull_request_review", "pull_request_review.dismissed"),
                pr(gh + "check_suite.completed.json", "check_suite", "check_suite.completed"),
                pr(gh + "check_run.completed.json", "check_run", "check_run.completed"),
                new Case(GITHUB, gh + "status.json", "status", HELLO_WORLD_ID, HELLO_WORLD, "3",
                        "6113728f27ae82c7b1a177c8d03f9e96e0adf246", 200, "status"),
                pr(gh + "from-docs/issue_comment.created.json", "issue_comment", "issue_comment.created"),
                pr(gh + "from-docs/pull_request_review_comment.created.json", "pull_request_review_comment",
                        "pull_request_review_comment.created"),
                new Case(GITHUB, gh + "from-docs/issue_comment.created.on-an-issue.json", "issue_comment", HELLO_WORLD_ID,
                        HELLO_WORLD, "1", null, 202, null),
                new Case(GITHUB, gh + "from-docs/ping.json", "ping", HELLO_WORLD_ID, HELLO_WORLD, "2", null, 200, null),
                // the simulated host imitates GitHub
                new Case(SIMULATED, gh + "pull_request.opened.json", "pull_request", HELLO_WORLD_ID, HELLO_WORLD, "2", null,
                        200, "pull_request.opened"),

                new Case(GITLAB, gl + "merge_request.open.json", "Merge Request Hook", "1", "gitlabhq/gitlab-test", "1", null,
                        200, "merge_request.open"),
                new Case(GITLAB, gl + "merge_request.merge.go-scm.json", "Merge Request Hook", "4861503",
                        "gitlab-org/hello-world", "1", null, 200, "merge_request.merge"),
                new Case(GITLAB, gl + "merge_request.close.go-scm.json", "Merge Request Hook", "4861503",
                        "gitlab-org/hello-world", "1", null, 200, "merge_request.close"),
                new Case(GITLAB, gl + "from-docs/note.merge_request.json", "Note Hook", "5", "gitlab-org/gitlab-test", "1",
                        null, 200, "note.create"),
                new Case(GITLAB, gl + "from-docs/note.commit.json", "Note Hook", "5", "gitlab-org/gitlab-test", "1", null,
                        202, null),
                new Case(GITLAB, gl + "from-docs/pipeline.merge_request.json", "Pipeline Hook", "1", "gitlab-org/gitlab-test",
                        "1", null, 200, "pipeline.success"),

                new Case(BITBUCKET, bb + "pr.opened.json", "pr:opened", "2", "AMUNIZ/test-repos", "1", null, 200, "pr:opened"),
                new Case(BITBUCKET, bb + "pr.deleted.json", "pr:deleted", "2", "AMUNIZ/test-repos", "1", null, 200, "pr:deleted"),
                new Case(BITBUCKET, bb + "pr.opened.go-scm.json", "pr:opened", "1", "PRJ/my-repo", "2", null, 200, "pr:opened"),
                new Case(BITBUCKET, bb + "pr.declined.go-scm.json", "pr:declined", "1", "PRJ/my-repo", "2", null, 200,
                        "pr:declined"),
                new Case(BITBUCKET, bb + "pr.from_ref_updated.go-scm.json", "pr:from_ref_updated", "1", "PRJ/my-repo", "2",
                        null, 200, "pr:from_ref_updated"),
                new Case(BITBUCKET, bb + "pr.merged.go-scm.json", "pr:merged", "1", "PRJ/my-repo", "3", null, 200, "pr:merged"),
                new Case(BITBUCKET, bb + "pr.merged.iso-dates.go-scm.json", "pr:merged", "1", "PRJ/my-repo", "3", null, 200,
                        "pr:merged"),
                new Case(BITBUCKET, bb + "from-docs/diagnostics.ping.json", "diagnostics:ping", "1", "PRJ/my-repo", "2", null,
                        200, null));
    }

    static Case pr(String fixture, String event, String kind) {
        return new Case(GITHUB, fixture, event, HELLO_WORLD_ID, HELLO_WORLD, "2", null, 200, kind);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyFixture")
    void everyFixtureIsAnsweredAndStoredAsItsEvent(Case c) throws Exception {
        Repo repo = catalog.createRepo(hosts.get(c.host()), c.repoId(), c.repoName());
        long changeset = quietChangeset(repo, c.number(), c.headSha());

        SignedDeliveries.Answer answer = deliver(c.host(), c.event(), "delivery-1", Fixtures.text(c.fixture()).getBytes(UTF_8));

        assertThat(answer.status()).as(answer.body()).isEqualTo(c.status());
        if (c.kind() == null) {
            assertThat(eventsOf(changeset)).isEmpty();
            assertThat(count("webhook_deliveries")).isZero();
        } else {
            assertThat(answer.body()).startsWith("stored " + c.kind());
            assertThat(eventsOf(changeset)).containsExactly(c.kind() + " webhook delivery:delivery-1");
            assertThat(count("webhook_deliveries")).isEqualTo(1);
            assertThat(database.value(Boolean.class, "SELECT latest_event_at IS NOT NULL FROM changeset_sync_state "
                    + "WHERE changeset_id = " + changeset)).isTrue();
        }
        assertThat(githubApi.getAllServeEvents()).as("the request path never calls a code host").isEmpty();
    }

    @Test
    void aRedeliveryIsAnsweredOkAndStoredOnce() throws Exception {
        long changeset = quietChangeset(helloWorld(), "2", null);
        byte[] body = Fixtures.text("github/webhooks/pull_request.synchronize.json").getBytes(UTF_8);

        SignedDeliveries.Answer first = send.github(GITHUB, "pull_request", "guid-1", body);
        SignedDeliveries.Answer again = send.github(GITHUB, "pull_request", "guid-1", body);

        assertThat(first.status()).isEqualTo(200);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo("duplicate delivery guid-1: stored before, not again");
        assertThat(eventsOf(changeset)).hasSize(1);
    }

    @Test
    void gitLabDeliveriesAreKeyedByIdempotencyKeyElseTheEventUuidElseTheirBody() throws Exception {
        Repo repo = catalog.createRepo(hosts.get(GITLAB), "4861503", "gitlab-org/hello-world");
        long changeset = quietChangeset(repo, "1", null);
        byte[] body = Fixtures.text("gitlab/webhooks/merge_request.merge.go-scm.json").getBytes(UTF_8);
        Map<String, String> noId = Map.of("X-Gitlab-Event", "Merge Request Hook", "X-Gitlab-Token", SECRET);

        send.post("/webhooks/gitlab", GITLAB, with(noId, "Idempotency-Key", "key-1", "X-Gitlab-Event-UUID", "uuid-1"), body);
        send.post("/webhooks/gitlab", GITLAB, with(noId, "Idempotency-Key", "key-1", "X-Gitlab-Event-UUID", "uuid-2"), body);
        send.post("/webhooks/gitlab", GITLAB, with(noId, "X-Gitlab-Event-UUID", "uuid-3"), body);
        send.post("/webhooks/gitlab", GITLAB, noId, body);
        SignedDeliveries.Answer sameBodyNoId = send.post("/webhooks/gitlab", GITLAB, noId, body);

        assertThat(sameBodyNoId.body()).startsWith("duplicate delivery sha256:");
        assertThat(database.dsl().fetch("SELECT delivery_key FROM webhook_deliveries ORDER BY received_at")
                .getValues(0, String.class)).hasSize(3).startsWith("key-1", "uuid-3");
        assertThat(eventsOf(changeset)).hasSize(3);
    }

    @Test
    void aCheckRunThatNamesNoPullRequestReachesItsChangesetByHeadCommit() throws Exception {
        long changeset = quietChangeset(helloWorld(), "2", "ec26c3e57ca3a959ca5aad62de7213c562f8c821");
        ObjectNode checkRun = Fixtures.object("github/webhooks/check_run.completed.json");
        ((ObjectNode) checkRun.get("check_run")).putArray("pull_requests"); // a fork's: GitHub lists none

        SignedDeliveries.Answer answer = send.github(GITHUB, "check_run", "guid-2", checkRun.toString().getBytes(UTF_8));

        assertThat(answer.body()).startsWith("stored check_run.completed for head commit "
                + "ec26c3e57ca3a959ca5aad62de7213c562f8c821 of Codertocat/Hello-World");
        assertThat(eventsOf(changeset)).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("openedInATrackedRepository")
    void aPullRequestOpenedInATrackedRepositoryIsImported(Case c) throws Exception {
        Repo repo = catalog.createRepo(hosts.get(c.host()), c.repoId(), c.repoName());
        database.execute("UPDATE repos SET track_changesets = 'open' WHERE id = " + repo.id());

        SignedDeliveries.Answer answer = deliver(c.host(), c.event(), "import-1", Fixtures.text(c.fixture()).getBytes(UTF_8));

        assertThat(answer.status()).as(answer.body()).isEqualTo(c.status());
        assertThat(database.value(Long.class, "SELECT count(*) FROM changesets WHERE repo_id = %d AND external_id = '%s'"
                .formatted(repo.id(), c.number()))).as("imported").isEqualTo(c.status() == 200 ? 1 : 0);
    }

    static Stream<Case> openedInATrackedRepository() {
        return Stream.of(
                new Case(GITHUB, "github/webhooks/pull_request.opened.json", "pull_request", HELLO_WORLD_ID, HELLO_WORLD,
                        "2", null, 200, "pull_request.opened"),
                new Case(GITHUB, "github/webhooks/pull_request.closed.json", "pull_request", HELLO_WORLD_ID, HELLO_WORLD,
                        "2", null, 202, null),
                new Case(GITLAB, "gitlab/webhooks/merge_request.open.json", "Merge Request Hook", "1", "gitlabhq/gitlab-test",
                        "1", null, 200, "merge_request.open"),
                new Case(GITLAB, "gitlab/webhooks/merge_request.close.go-scm.json", "Merge Request Hook", "4861503",
                        "gitlab-org/hello-world", "1", null, 202, null),
                new Case(BITBUCKET, "bitbucket-server/webhooks/pr.opened.json", "pr:opened", "2", "AMUNIZ/test-repos", "1",
                        null, 200, "pr:opened"),
                new Case(BITBUCKET, "bitbucket-server/webhooks/pr.deleted.json", "pr:deleted", "2", "AMUNIZ/test-repos", "1",
                        null, 202, null));
    }

    @Test
    void aRepositoryArchivedOnGitHubIsFlippedAndEveryChangesetRequestedOnceThenUnarchived() throws Exception {
        Repo repo = helloWorld();
        quietChangeset(repo, "2", null);
        quietChangeset(repo, "3", null);

        SignedDeliveries.Answer archived = send.github(GITHUB, "repository", "guid-3",
                Fixtures.text("github/webhooks/from-docs/repository.archived.json").getBytes(UTF_8));

        assertThat(archived.status()).isEqualTo(200);
        assertThat(database.value(Boolean.class, "SELECT archived FROM repos WHERE id = " + repo.id())).isTrue();
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests "
                + "WHERE reason = 'repository Codertocat/Hello-World was archived' AND priority = 0")).isEqualTo(2);

        send.github(GITHUB, "repository", "guid-4",
                Fixtures.text("github/webhooks/from-docs/repository.unarchived.json").getBytes(UTF_8));

        assertThat(database.value(Boolean.class, "SELECT archived FROM repos WHERE id = " + repo.id())).isFalse();
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests "
                + "WHERE reason = 'repository Codertocat/Hello-World was unarchived'")).isEqualTo(2);
    }

    @Test
    void aRepositoryRenamedOrTransferredOnGitHubTakesItsNewName() throws Exception {
        Repo byName = catalog.createRepo(hosts.get(GITHUB), "not-the-hosts-id", HELLO_WORLD);

        send.github(GITHUB, "repository", "guid-5",
                Fixtures.text("github/webhooks/from-docs/repository.renamed.json").getBytes(UTF_8));
        assertThat(nameOf(byName)).isEqualTo("Codertocat/Hello-Universe");

        database.execute("UPDATE repos SET name = 'Codertocat/Hello-World', external_id = '186853002' WHERE id = " + byName.id());
        send.github(GITHUB, "repository", "guid-6",
                Fixtures.text("github/webhooks/from-docs/repository.transferred.json").getBytes(UTF_8));
        assertThat(nameOf(byName)).isEqualTo("Octocoders/Hello-World");
    }

    @Test
    void aRepositoryDeletedOnGitHubMarksItsChangesetsGone() throws Exception {
        Repo repo = helloWorld();
        long changeset = quietChangeset(repo, "2", null);

        send.github(GITHUB, "repository", "guid-7", Fixtures.text("github/webhooks/from-docs/repository.deleted.json").getBytes(UTF_8));

        assertThat(database.value(Boolean.class, "SELECT deleted_at IS NOT NULL FROM repos WHERE id = " + repo.id())).isTrue();
        assertThat(database.value(Boolean.class, "SELECT gone_at IS NOT NULL FROM changeset_sync_state WHERE changeset_id = "
                + changeset)).isTrue();
    }

    @Test
    void gitLabSystemHooksRenameMoveAndDeleteProjects() throws Exception {
        Repo project = catalog.createRepo(hosts.get(GITLAB), "73", "jsmith/overscore");
        long changeset = quietChangeset(project, "1", null);
        String dir = "gitlab/webhooks/from-docs/";
        // the replica reads a new repository at once: let that first read finish before the hooks, so that
        // they meet no concurrent writer (its write-back could not undo them anyway: apply_repo_change
        // compares the name the read saw, and keeps a deletion newer than the read); the next is minutes away
        await().atMost(Duration.ofSeconds(60)).until(() -> database.value(Boolean.class,
                "SELECT last_synced_at IS NOT NULL AND claim_token IS NULL FROM repo_sync_state WHERE repo_id = " + project.id()));

        send.gitlab(GITLAB, "System Hook", "uuid-10", Fixtures.text(dir + "system.project_rename.json").getBytes(UTF_8));
        assertThat(nameOf(project)).isEqualTo("jsmith/underscore");
        send.gitlab(GITLAB, "System Hook", "uuid-11", Fixtures.text(dir + "system.project_transfer.json").getBytes(UTF_8));
        assertThat(nameOf(project)).isEqualTo("scores/underscore");
        send.gitlab(GITLAB, "System Hook", "uuid-12", Fixtures.text(dir + "system.project_destroy.json").getBytes(UTF_8));
        assertThat(database.value(Boolean.class, "SELECT gone_at IS NOT NULL FROM changeset_sync_state WHERE changeset_id = "
                + changeset)).isTrue();
    }

    @Test
    void aBitbucketRepositoryRenamedTakesItsNewName() throws Exception {
        Repo repo = catalog.createRepo(hosts.get(BITBUCKET), "84", "PROJ/repository");

        SignedDeliveries.Answer answer = send.bitbucket(BITBUCKET, "repo:modified", "request-1",
                Fixtures.text("bitbucket-server/webhooks/from-docs/repo.modified.json").getBytes(UTF_8));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(nameOf(repo)).isEqualTo("PROJ/repository2");
    }

    @Test
    void twoSecretsAreAcceptedWhileOneIsRotated() throws Exception {
        long changeset = quietChangeset(helloWorld(), "2", null);
        try (HttpService rotating = HttpService.start("rotating", HttpSettings.onPort(0), database.url(),
                WebhookSecrets.of(Map.of(GITHUB, "the-new-secret " + SECRET)))) {
            byte[] body = Fixtures.text("github/webhooks/pull_request.opened.json").getBytes(UTF_8);
            String url = "http://127.0.0.1:" + rotating.port();

            SignedDeliveries.Answer withOld = new SignedDeliveries(url, SECRET).github(GITHUB, "pull_request", "r-1", body);
            SignedDeliveries.Answer withNew = new SignedDeliveries(url, "the-new-secret").github(GITHUB, "pull_request", "r-2", body);
            SignedDeliveries.Answer withNeither = new SignedDeliveries(url, "another").github(GITHUB, "pull_request", "r-3", body);

            assertThat(List.of(withOld.status(), withNew.status(), withNeither.status())).containsExactly(200, 200, 401);
        }
        assertThat(eventsOf(changeset)).hasSize(2);
    }

    // --- bad input: each answered with its status, nothing stored ---

    @Test
    void badInputIsAnsweredInTheDocumentedOrderAndNothingIsStored() throws Exception {
        long changeset = quietChangeset(helloWorld(), "2", null);
        byte[] pull = Fixtures.text("github/webhooks/pull_request.opened.json").getBytes(UTF_8);
        Map<String, String> signedPull = Map.of("X-GitHub-Event", "pull_request", "X-GitHub-Delivery", "bad-1",
                "X-Hub-Signature-256", "sha256=" + SignedDeliveries.hmacSha256Hex(SECRET, pull));
        byte[] huge = new byte[(int) HttpSettings.DEFAULT_MAX_REQUEST_BYTES + 1];
        byte[] notJson = "{\"action\": \"opened\",".getBytes(UTF_8);
        byte[] array = "[1, 2]".getBytes(UTF_8);
        ObjectNode noNumber = Fixtures.object("github/webhooks/pull_request.opened.json");
        ((ObjectNode) noNumber.get("pull_request")).remove("number");

        // 413 first: over the limit, whatever else is wrong (an unknown host, no signature)
        assertAnswer(send.post("/webhooks/github", "nobody", Map.of(), huge), 413, "too large");
        // 404: no host named, an unknown one, or one of another kind; before any signature is looked at
        assertAnswer(send.post("/webhooks/github", null, signedPull, pull), 404, "name the code host");
        assertAnswer(send.post("/webhooks/github", "nobody", Map.of(), pull), 404, "no code host named \"nobody\"");
        assertAnswer(send.post("/webhooks/github", "evil\nline", Map.of(), pull), 404, "no code host named \"evil?line\"");
        assertAnswer(send.postRaw("/webhooks/github?code_host=%zz", pull), 404, "name the code host");
        assertAnswer(send.post("/webhooks/github", GITLAB, signedPull, pull), 404, "its webhooks go to /webhooks/gitlab");
        assertAnswer(send.post("/webhooks/gitlab", GITHUB, signedPull, pull), 404, "its webhooks go to /webhooks/github");
        // 403: no secret for the host, even for a well-signed delivery
        assertAnswer(send.post("/webhooks/github", NO_SECRET, signedPull, pull), 403, "SYNCER_WEBHOOK_SECRET_NO_SECRET_TEST");
        // 401: no signature, another secret's, a signature of another body, a bad token; before the body is parsed
        assertAnswer(send.post("/webhooks/github", GITHUB, Map.of("X-GitHub-Event", "pull_request"), notJson), 401,
                "no X-Hub-Signature-256 header");
        assertAnswer(new SignedDeliveries(baseUrl(), "wrong").github(GITHUB, "pull_request", "bad-2", pull), 401,
                "does not match");
        assertAnswer(send.post("/webhooks/github", GITHUB, signedPull, notJson), 401, "does not match");
        assertAnswer(send.post("/webhooks/github", GITHUB, with(signedPull, "X-Hub-Signature-256", "sha256=zz"), pull), 401,
                "does not match");
        assertAnswer(new SignedDeliveries(baseUrl(), "wrong").gitlab(GITLAB, "Merge Request Hook", "bad-3", pull), 401,
                "not the secret token");
        assertAnswer(send.post("/webhooks/bitbucket-server", BITBUCKET, Map.of("X-Event-Key", "pr:opened"), pull), 401,
                "no X-Hub-Signature header");
        // 400: malformed JSON, not an object, no event header, a payload without what its event carries, a form
        assertAnswer(send.github(GITHUB, "pull_request", "bad-4", notJson), 400, "malformed JSON");
        assertAnswer(send.github(GITHUB, "pull_request", "bad-5", array), 400, "not a JSON object");
        assertAnswer(send.post("/webhooks/github", GITHUB, Map.of("X-GitHub-Delivery", "bad-6",
                "X-Hub-Signature-256", "sha256=" + SignedDeliveries.hmacSha256Hex(SECRET, pull)), pull), 400,
                "no X-GitHub-Event header");
        assertAnswer(send.github(GITHUB, "pull_request", "bad-7", noNumber.toString().getBytes(UTF_8)), 400,
                "pull_request payload has no pull_request.number");
        Map<WebhookCounts.Key, Long> countedBefore = service.webhookCounts().snapshot();
        byte[] form = ("payload=" + URLEncoder.encode(new String(pull, UTF_8), UTF_8)).getBytes(UTF_8);
        assertAnswer(send.post("/webhooks/github", GITHUB, Map.of("X-GitHub-Event", "pull_request", "X-GitHub-Delivery", "bad-8",
                "X-Hub-Signature-256", "sha256=" + SignedDeliveries.hmacSha256Hex(SECRET, form),
                "Content-Type", "application/x-www-form-urlencoded"), form), 400, "set its content type to application/json");
        assertAnswer(send.github(GITHUB, "pull_request", "x".repeat(201), pull), 400, "X-GitHub-Delivery is not a delivery id");
        // 202: an event we do not use, a pull request we do not have
        assertAnswer(send.github(GITHUB, "push", "unused-1", "{\"ref\": \"refs/heads/main\"}".getBytes(UTF_8)), 202,
                "GitHub event push is not used");
        ObjectNode otherPull = Fixtures.object("github/webhooks/pull_request.opened.json");
        ((ObjectNode) otherPull.get("pull_request")).put("number", 99);
        assertAnswer(send.github(GITHUB, "pull_request", "unknown-pr", otherPull.toString().getBytes(UTF_8)), 202,
                "no changeset or repository of code host \"github.test\" for #99 of Codertocat/Hello-World");

        assertThat(eventsOf(changeset)).isEmpty();
        assertThat(count("webhook_deliveries")).isZero();
        assertThat(count("changeset_events")).isZero();
        Map<WebhookCounts.Key, Long> counted = service.webhookCounts().snapshot();
        assertThat(counted.get(new WebhookCounts.Key(GITHUB, 202)) - countedBefore.getOrDefault(new WebhookCounts.Key(GITHUB, 202), 0L))
                .as("the last four deliveries: two 400s, then two 202s").isEqualTo(2);
        assertThat(counted).containsKey(new WebhookCounts.Key(NO_SECRET, 403));
        assertThat(counted.keySet()).extracting(WebhookCounts.Key::codeHost).doesNotContain("nobody")
                .contains(WebhookCounts.UNKNOWN_HOST);
    }

    @Test
    void aDatabaseOutageIsA503AndTheDeliveryIsStoredWhenRedeliveredAfterIt() throws Exception {
        long changeset = quietChangeset(helloWorld(), "2", null);
        byte[] pull = Fixtures.text("github/webhooks/pull_request.opened.json").getBytes(UTF_8);
        try {
            admin("ALTER DATABASE " + database.name() + " ALLOW_CONNECTIONS false");
            admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database.name()
                    + "' AND application_name = 'wh-http'");

            assertAnswer(send.github(GITHUB, "pull_request", "outage-1", pull), 503, "the database is unavailable");
        } finally {
            admin("ALTER DATABASE " + database.name() + " ALLOW_CONNECTIONS true");
        }
        assertThat(eventsOf(changeset)).isEmpty();

        await().atMost(Duration.ofSeconds(30)).until(() -> send.github(GITHUB, "pull_request", "outage-1", pull).status() == 200);
        assertThat(eventsOf(changeset)).containsExactly("pull_request.opened webhook delivery:outage-1");
    }

    @Test
    void aConnectionLostInTheMiddleOfTheWriteLeavesNothingHalfWritten() throws Exception {
        long changeset = quietChangeset(helloWorld(), "2", null);
        byte[] pull = Fixtures.text("github/webhooks/pull_request.opened.json").getBytes(UTF_8);
        Instant latestBefore = database.value(Instant.class,
                "SELECT latest_event_at FROM changeset_sync_state WHERE changeset_id = " + changeset);
        // the server's session dies after the delivery id and the queue row are written, before the event is
        database.execute("""
                CREATE FUNCTION test_lose_the_connection() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$;
                CREATE TRIGGER test_lose_the_connection BEFORE INSERT ON changeset_events
                   FOR EACH ROW WHEN (NEW.source = 'webhook') EXECUTE FUNCTION test_lose_the_connection();""");
        try {
            assertAnswer(send.github(GITHUB, "pull_request", "crash-1", pull), 503, "the database is unavailable");
        } finally {
            database.execute("DROP TRIGGER test_lose_the_connection ON changeset_events; DROP FUNCTION test_lose_the_connection();");
        }
        assertThat(count("webhook_deliveries")).isZero();
        assertThat(eventsOf(changeset)).isEmpty();
        assertThat(database.value(Instant.class,
                "SELECT latest_event_at FROM changeset_sync_state WHERE changeset_id = " + changeset)).isEqualTo(latestBefore);

        await().atMost(Duration.ofSeconds(30)).until(() -> send.github(GITHUB, "pull_request", "crash-1", pull).status() == 200);
        assertThat(eventsOf(changeset)).hasSize(1);
    }

    // --- helpers ---

    SignedDeliveries.Answer deliver(String host, String event, String id, byte[] body) throws Exception {
        if (host.equals(GITLAB)) {
            return send.gitlab(host, event, id, body);
        }
        if (host.equals(BITBUCKET)) {
            return send.bitbucket(host, event, id, body);
        }
        return send.github(host, event, id, body);
    }

    Repo helloWorld() {
        return catalog.createRepo(hosts.get(GITHUB), HELLO_WORLD_ID, HELLO_WORLD);
    }

    /**
     * A changeset synced an hour ago after a day of quiet (due in hours), created in one transaction
     * so that the replica never sees it due.
     */
    long quietChangeset(Repo repo, String number, String headSha) {
        return database.dsl().transactionResult(configuration -> {
            var dsl = DSL.using(configuration);
            long id = dsl.fetchSingle("INSERT INTO changesets (repo_id, external_id, head_sha, state) VALUES (?, ?, ?, 'open') "
                    + "RETURNING id", repo.id(), number, headSha).get(0, Long.class);
            dsl.execute("""
                    UPDATE changeset_sync_state SET last_synced_at = now() - interval '1 hour',
                           last_attempt_at = now() - interval '1 hour', synced_updated_at = now() - interval '1 day'
                     WHERE changeset_id = ?""", id);
            return id;
        });
    }

    List<String> eventsOf(long changeset) {
        return database.dsl().fetch("SELECT kind || ' ' || source || ' ' || dedupe_key FROM changeset_events "
                + "WHERE changeset_id = ? ORDER BY id", changeset).getValues(0, String.class);
    }

    long count(String table) {
        return database.value(Long.class, "SELECT count(*) FROM " + table);
    }

    String nameOf(Repo repo) {
        return database.value(String.class, "SELECT name FROM repos WHERE id = " + repo.id());
    }

    String baseUrl() {
        return "http://127.0.0.1:" + service.port();
    }

    static void assertAnswer(SignedDeliveries.Answer answer, int status, String saying) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.body()).contains(saying);
    }

    static Map<String, String> with(Map<String, String> headers, String... more) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        for (int i = 0; i < more.length; i += 2) {
            all.put(more[i], more[i + 1]);
        }
        return all;
    }

    static void admin(String sql) throws Exception {
        try (Connection connection = PostgresServer.get().connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
