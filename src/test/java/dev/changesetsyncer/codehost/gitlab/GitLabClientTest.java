package dev.changesetsyncer.codehost.gitlab;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The GitLab client against a local server answering with GitLab's documented example payloads. */
class GitLabClientTest {
    static final String TOKEN = "glpat-test-token-never-logged";
    static final String PROJECT_ID = "15513260";
    static final String PROJECT = "/api/v4/projects/" + PROJECT_ID;
    static final String MR = PROJECT + "/merge_requests/133";
    static final String APPROVALS = MR + "/approvals";
    static final String SHA = "e82eb4a098e32c796079ca3915e07487fc4db24c";
    static final long RESET = 1_609_844_400L;
    /** Generous: the tests share a busy machine, and only aSlowAnswerTimesOut should ever hit it. */

    /**
     * The "Get Configuration" example response of the merge-request-level approvals API: two
     * approvals required, one given (by root), one left. Transcribed from {@code
     * doc/api/merge_request_approvals.md} in gitlabhq/gitlabhq (commit 003efb27fc4d), GitLab
     * documentation, GitLab B.V., CC BY-SA 4.0. The fixture set has no approvals payload.
     */
    static final String APPROVALS_EXAMPLE = """
            {
              "id": 5,
              "iid": 5,
              "project_id": 1,
              "title": "Approvals API",
              "description": "Test",
              "state": "opened",
              "created_at": "2016-06-08T00:19:52.638Z",
              "updated_at": "2016-06-08T21:20:42.470Z",
              "merge_status": "cannot_be_merged",
              "approvals_required": 2,
              "approvals_left": 1,
              "approved_by": [
                {
                  "user": {
                    "name": "Administrator",
                    "username": "root",
                    "id": 1,
                    "state": "active",
                    "avatar_url": "http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=80\\u0026d=identicon",
                    "web_url": "http://localhost:3000/root"
                  }
                }
              ]
            }
            """;

    WireMockServer gitlab;
    AtomicLong nanos = new AtomicLong(1_000_000_000L);
    GitLabClient client;

    @BeforeEach
    void startFakeGitLab() {
        gitlab = new WireMockServer(options().dynamicPort());
        gitlab.start();
        client = new GitLabClient(gitlab.baseUrl(), new Token(TOKEN),
                TestHttp.patient(2), nanos::get);
    }

    @AfterEach
    void stopIt() {
        gitlab.stop();
    }

    // --- the first sync: everything, mapped ---

    @Test
    void aFirstSyncReadsTheProjectTheMergeRequestAndItsApprovals() throws Exception {
        serveEverything();

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(neverSynced());

        ChangesetSnapshot mr = fetched.snapshot();
        assertThat(mr.state()).isEqualTo(ChangesetState.OPEN);
        assertThat(mr.title()).isEqualTo("Manual job rules");
        assertThat(mr.author()).isEqualTo("marcel.amirault");
        assertThat(mr.url()).isEqualTo("https://gitlab.com/marcel.amirault/test-project/-/merge_requests/133");
        assertThat(mr.headRef()).isEqualTo("manual-job-rules");
        assertThat(mr.baseRef()).isEqualTo("main");
        assertThat(mr.headSha()).isEqualTo(SHA);
        assertThat(mr.updatedAt()).isEqualTo(Instant.parse("2022-05-14T03:38:31.354Z"));
        assertThat(mr.repoArchived()).as("read from the project").isFalse();
        assertThat(mr.reviewState()).as("one approval given, one still required").isEqualTo(ReviewState.PENDING);
        assertThat(mr.checkState()).as("head_pipeline failed").isEqualTo(CheckState.FAILED);
        assertThat(fetched.events()).singleElement().satisfies(event -> {
            assertThat(event.kind()).isEqualTo("pipeline_failed");
            assertThat(event.occurredAt()).isEqualTo(Instant.parse("2022-05-13T09:47:20.697Z"));
            assertThat(event.dedupeKey()).isEqualTo("gitlab-pipeline-538317940-failed");
            assertThat(event.payloadJson()).isEqualTo(
                    "{\"id\":538317940,\"web_url\":\"https://gitlab.com/marcel.amirault/test-project/-/pipelines/538317940\"}");
        });
        assertThat(fetched.changeMarkers()).containsEntry("merge_request", "W/\"mr-v1\"")
                .containsEntry("head_pipeline", "538317940:failed").containsEntry("project_archived", "false")
                .containsKey("merge_request_digest").hasSize(4);
        for (String path : new String[] {PROJECT, MR, APPROVALS}) {
            gitlab.verify(1, getRequestedFor(urlPathEqualTo(path)).withHeader("Authorization", equalTo("Bearer " + TOKEN))
                    .withHeader("If-None-Match", absent()));
        }
        assertThat(gitlab.getAllServeEvents()).as("three calls in all").hasSize(3);
    }

    @Test
    void gitLabsRateLimitHeadersAreReported() throws Exception {
        serveEverything();

        SyncResult result = client.fetch(neverSynced());

        assertThat(result.rateLimit().limit()).isEqualTo(2000);
        assertThat(result.rateLimit().remaining()).as("from the last call, the approvals").isEqualTo(1997);
        assertThat(result.rateLimit().resetAt()).isEqualTo(Instant.ofEpochSecond(RESET));
    }

    // --- re-syncs: as few calls as possible ---

    @Test
    void anUnchangedMergeRequestCostsOneConditionalRequest() throws Exception {
        serveEverything();
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(neverSynced());
        gitlab.resetRequests();

        SyncResult again = client.fetch(syncedAfter(first));

        assertThat(again).isInstanceOf(SyncResult.Unchanged.class);
        assertThat(gitlab.getAllServeEvents()).as("the archived flag is fresh: only the merge request").hasSize(1);
        gitlab.verify(getRequestedFor(urlPathEqualTo(MR)).withHeader("If-None-Match", equalTo("W/\"mr-v1\"")));
        assertThat(again.rateLimit().remaining()).as("read from the 304 too").isEqualTo(1996);
    }

    @Test
    void withoutETagsAnUnchangedMergeRequestIsStillUnchangedAndSkipsTheApprovals() throws Exception {
        serveEverything();
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(json(Fixtures.text("gitlab/merge-request-get.json"))));
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(neverSynced());
        assertThat(first.changeMarkers()).doesNotContainKey("merge_request");
        gitlab.resetRequests();

        SyncResult again = client.fetch(syncedAfter(first));

        assertThat(again).as("our own change marker says so").isInstanceOf(SyncResult.Unchanged.class);
        assertThat(gitlab.getAllServeEvents()).hasSize(1);
        gitlab.verify(getRequestedFor(urlPathEqualTo(MR)).withHeader("If-None-Match", absent()));
    }

    @Test
    void aChangedMergeRequestIsReadWholeWithItsApprovals() throws Exception {
        serveEverything();
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(neverSynced());
        gitlab.resetRequests();
        ObjectNode retitled = mergeRequest().put("title", "Manual job rules, take two")
                .put("updated_at", "2022-05-15T08:00:00.000Z");
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1)
                .willReturn(json(retitled.toString()).withHeader("ETag", "W/\"mr-v2\"")));

        SyncResult.Fetched changed = (SyncResult.Fetched) client.fetch(syncedAfter(first));

        assertThat(changed.snapshot().title()).isEqualTo("Manual job rules, take two");
        assertThat(changed.snapshot().updatedAt()).isEqualTo(Instant.parse("2022-05-15T08:00:00Z"));
        assertThat(changed.snapshot().reviewState()).isEqualTo(ReviewState.PENDING);
        assertThat(changed.snapshot().repoArchived()).as("remembered, not read: not reported").isNull();
        assertThat(changed.changeMarkers()).containsEntry("merge_request", "W/\"mr-v2\"")
                .doesNotContainEntry("merge_request_digest", first.changeMarkers().get("merge_request_digest"));
        assertThat(changed.events()).extracting(TimelineEvent::dedupeKey)
                .as("the same pipeline event, deduplicated by the database").containsExactly("gitlab-pipeline-538317940-failed");
        assertThat(gitlab.getAllServeEvents()).hasSize(2);
        gitlab.verify(1, getRequestedFor(urlPathEqualTo(MR)).withHeader("If-None-Match", equalTo("W/\"mr-v1\"")));
        gitlab.verify(1, getRequestedFor(urlPathEqualTo(APPROVALS)));
    }

    @Test
    void aPipelineThatMovesOnIsReadWithoutAnApprovalsCall() throws Exception {
        serveEverything();
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(neverSynced());
        gitlab.resetRequests();
        ObjectNode retried = mergeRequest();
        ((ObjectNode) retried.path("head_pipeline")).put("id", 538317999).put("status", "success")
                .put("finished_at", "2022-05-14T10:00:00.000Z");
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1)
                .willReturn(json(retried.toString()).withHeader("ETag", "W/\"mr-v2\"")));

        SyncResult.Fetched changed = (SyncResult.Fetched) client.fetch(syncedAfter(first));

        assertThat(changed.snapshot().checkState()).isEqualTo(CheckState.PASSED);
        assertThat(changed.snapshot().reviewState()).as("the merge request itself did not change: kept").isNull();
        assertThat(changed.events()).extracting(TimelineEvent::kind, TimelineEvent::dedupeKey, TimelineEvent::occurredAt)
                .containsExactly(tuple("pipeline_success", "gitlab-pipeline-538317999-success",
                        Instant.parse("2022-05-14T10:00:00Z")));
        assertThat(changed.changeMarkers()).containsEntry("head_pipeline", "538317999:success");
        assertThat(gitlab.getAllServeEvents()).as("the merge request only").hasSize(1);
    }

    // --- states ---

    @ParameterizedTest(name = "state={0} draft={1} work_in_progress={2} archived={3} -> {4}")
    @CsvSource({
        "opened, false,  false, false, OPEN",
        "opened, true,   false, false, DRAFT",
        "opened, absent, true,  false, DRAFT", // an older payload: work_in_progress only
        "opened, absent, false, false, OPEN",
        "closed, false,  false, false, CLOSED",
        "merged, false,  false, false, MERGED",
        "locked, false,  false, false, OPEN", // merging right now: still open until it lands
        "locked, true,   false, false, DRAFT",
        "opened, false,  false, true,  READ_ONLY",
        "opened, true,   false, true,  READ_ONLY",
        "merged, false,  false, true,  READ_ONLY"})
    void everyDocumentedStateMaps(String state, String draft, boolean workInProgress, boolean archived,
            ChangesetState expected) throws Exception {
        serveEverything();
        ObjectNode mr = mergeRequest().put("state", state).put("work_in_progress", workInProgress);
        if (draft.equals("absent")) {
            mr.remove("draft");
        } else {
            mr.put("draft", Boolean.parseBoolean(draft));
        }
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(json(mr.toString())));
        gitlab.stubFor(get(urlPathEqualTo(PROJECT)).atPriority(1)
                .willReturn(json(project().put("archived", archived).toString())));

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(neverSynced());

        assertThat(fetched.snapshot().state()).isEqualTo(expected);
        assertThat(fetched.snapshot().repoArchived()).isEqualTo(archived);
    }

    @Test
    void aMergedMergeRequestRecordsWhenItWasMergedUnderAStableKey() throws Exception {
        serveEverything();
        ObjectNode merged = mergeRequest().put("state", "merged").put("merged_at", "2022-05-16T12:00:00.000Z");
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(json(merged.toString())));

        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(neverSynced());
        SyncResult.Fetched again = (SyncResult.Fetched) client.fetch(neverSynced());

        assertThat(first.events()).filteredOn(e -> e.kind().equals("merged")).singleElement()
                .satisfies(e -> assertThat(e.occurredAt()).isEqualTo(Instant.parse("2022-05-16T12:00:00Z")));
        assertThat(again.events()).extracting(TimelineEvent::dedupeKey)
                .as("a re-sync finds the same keys").containsExactlyElementsOf(first.events().stream()
                        .map(TimelineEvent::dedupeKey).toList());
    }

    @Test
    void aClosedMergeRequestRecordsWhenItWasClosed() throws Exception {
        serveEverything();
        ObjectNode closed = mergeRequest().put("state", "closed").put("closed_at", "2022-05-16T12:00:00.000Z");
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(json(closed.toString())));

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(neverSynced());

        assertThat(fetched.events()).extracting(TimelineEvent::kind).containsExactlyInAnyOrder("closed", "pipeline_failed");
        assertThat(fetched.events()).filteredOn(e -> e.kind().equals("closed")).singleElement()
                .satisfies(e -> assertThat(e.occurredAt()).isEqualTo(Instant.parse("2022-05-16T12:00:00Z")));
    }

    @Test
    void anUnknownStateIsUnreadableNotGuessed() throws Exception {
        serveEverything();
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1)
                .willReturn(json(mergeRequest().put("state", "all").toString())));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(neverSynced());

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("field state is \"all\"");
    }

    // --- checks, from the head pipeline ---

    @ParameterizedTest(name = "head_pipeline {0} -> {1}")
    @CsvSource({
        "success, PASSED",
        "failed, FAILED",
        "canceled, FAILED",
        "running, PENDING",
        "pending, PENDING",
        "created, PENDING",
        "waiting_for_resource, PENDING",
        "preparing, PENDING",
        "scheduled, PENDING",
        "manual, PENDING",
        "skipped, NONE"})
    void theHeadPipelineDecidesTheChecks(String status, CheckState expected) throws Exception {
        serveEverything();
        ObjectNode mr = mergeRequest();
        ((ObjectNode) mr.path("head_pipeline")).put("status", status);
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(json(mr.toString())));

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(neverSynced());

        assertThat(fetched.snapshot().checkState()).isEqualTo(expected);
        boolean finished = expected != CheckState.PENDING;
        assertThat(fetched.events()).extracting(TimelineEvent::kind)
                .isEqualTo(finished ? List.of("pipeline_" + status) : List.of());
    }

    @Test
    void aMergeRequestWithoutAPipelineHasNoChecks() throws Exception {
        serveEverything();
        ObjectNode mr = mergeRequest().putNull("head_pipeline");
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(json(mr.toString())));

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(neverSynced());

        assertThat(fetched.snapshot().checkState()).isEqualTo(CheckState.NONE);
        assertThat(fetched.events()).isEmpty();
        assertThat(fetched.changeMarkers()).containsEntry("head_pipeline", "none");
    }

    // --- reviews, from the approvals ---

    @ParameterizedTest(name = "approvals_left={0}, approved_by {1}, reviewers {2} -> {3}")
    @CsvSource({
        "1, 1, 0, PENDING",
        "0, 1, 0, APPROVED",
        "0, 0, 1, PENDING", // nothing required, nobody approved yet, but a reviewer is on it
        "0, 0, 0, NONE",
        "2, 0, 0, PENDING"})
    void theApprovalsDecideTheReviewState(int left, int approvers, int reviewers, ReviewState expected) throws Exception {
        serveEverything();
        ObjectNode approvals = approvalsExample().put("approvals_left", left);
        if (approvers == 0) {
            approvals.putArray("approved_by");
        }
        gitlab.stubFor(get(urlPathEqualTo(APPROVALS)).atPriority(1).willReturn(json(approvals.toString())));
        serveMergeRequestWithReviewers(reviewers);

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(neverSynced());

        assertThat(fetched.snapshot().reviewState()).isEqualTo(expected);
    }

    @Test
    void gitLabsOwnApprovedVerdictIsHonoured() throws Exception {
        serveEverything();
        ObjectNode approvals = approvalsExample().put("approvals_left", 0).put("approved", false);
        gitlab.stubFor(get(urlPathEqualTo(APPROVALS)).atPriority(1).willReturn(json(approvals.toString())));

        SyncResult.Fetched fetched = (SyncResult.Fetched) client.fetch(neverSynced());

        assertThat(fetched.snapshot().reviewState()).as("GitLab says not approved, no reviewers").isEqualTo(ReviewState.NONE);
    }

    @ParameterizedTest(name = "approvals answer {0}")
    @ValueSource(ints = {404, 403})
    void gitLabFreeWithoutTheApprovalsEndpointStillSyncs(int status) throws Exception {
        serveEverything();
        gitlab.stubFor(get(urlPathEqualTo(APPROVALS)).atPriority(1)
                .willReturn(aResponse().withStatus(status)
                        .withBody(status == 404 ? "{\"message\":\"404 Not found\"}" : "{\"message\":\"403 Forbidden\"}")));

        SyncResult.Fetched alone = (SyncResult.Fetched) client.fetch(neverSynced());
        serveMergeRequestWithReviewers(1);
        SyncResult.Fetched reviewed = (SyncResult.Fetched) client.fetch(neverSynced());

        assertThat(alone.snapshot().reviewState()).isEqualTo(ReviewState.NONE);
        assertThat(alone.snapshot().title()).isEqualTo("Manual job rules");
        assertThat(reviewed.snapshot().reviewState()).as("a reviewer is assigned").isEqualTo(ReviewState.PENDING);
    }

    @Test
    void anApprovalsServerErrorFailsTheSync() throws Exception {
        serveEverything();
        gitlab.stubFor(get(urlPathEqualTo(APPROVALS)).atPriority(1).willReturn(aResponse().withStatus(500)));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(neverSynced());

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("server error 500").contains("/approvals");
    }

    // --- the project's archived flag ---

    @Test
    void theArchivedFlagIsReadAgainAfterTenMinutes() throws Exception {
        serveEverything();
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(neverSynced());
        gitlab.resetRequests();

        nanos.addAndGet(Duration.ofMinutes(9).toNanos());
        assertThat(client.fetch(syncedAfter(first))).isInstanceOf(SyncResult.Unchanged.class);
        gitlab.verify(0, getRequestedFor(urlPathEqualTo(PROJECT)));

        gitlab.stubFor(get(urlPathEqualTo(PROJECT)).atPriority(1)
                .willReturn(json(project().put("archived", true).toString())));
        nanos.addAndGet(Duration.ofMinutes(1).toNanos());
        SyncResult result = client.fetch(syncedAfter(first));
        assertThat(result).isInstanceOf(SyncResult.Fetched.class);
        SyncResult.Fetched archived = (SyncResult.Fetched) result;

        gitlab.verify(1, getRequestedFor(urlPathEqualTo(PROJECT)));
        gitlab.verify(1, getRequestedFor(urlPathEqualTo(MR)).withHeader("If-None-Match", absent()));
        assertThat(archived.snapshot().state()).isEqualTo(ChangesetState.READ_ONLY);
        assertThat(archived.snapshot().repoArchived()).isTrue();
        assertThat(archived.snapshot().reviewState()).as("the merge request did not change").isNull();
        assertThat(archived.changeMarkers()).containsEntry("project_archived", "true");
        gitlab.verify(0, getRequestedFor(urlPathEqualTo(APPROVALS)));
    }

    @Test
    void aRefreshThatFindsTheFlagUnchangedReportsItWithoutReadingTheMergeRequestAgain() throws Exception {
        serveEverything();
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(neverSynced());
        gitlab.resetRequests();
        nanos.addAndGet(Duration.ofMinutes(10).toNanos());

        SyncResult.Fetched refreshed = (SyncResult.Fetched) client.fetch(syncedAfter(first));

        assertThat(refreshed.snapshot()).as("only the flag, just read")
                .isEqualTo(new ChangesetSnapshot(null, null, null, null, null, null, null, null, null, null, false));
        assertThat(refreshed.changeMarkers()).isEmpty();
        assertThat(refreshed.events()).isEmpty();
        gitlab.verify(1, getRequestedFor(urlPathEqualTo(PROJECT)));
        gitlab.verify(1, getRequestedFor(urlPathEqualTo(MR)).withHeader("If-None-Match", equalTo("W/\"mr-v1\"")));
        assertThat(gitlab.getAllServeEvents()).hasSize(2);
    }

    @Test
    void otherMergeRequestsOfAnArchivedProjectBecomeReadOnlyFromMemory() throws Exception {
        serveEverything();
        SyncResult.Fetched first = (SyncResult.Fetched) client.fetch(neverSynced());
        gitlab.stubFor(get(urlPathEqualTo(PROJECT)).atPriority(1)
                .willReturn(json(project().put("archived", true).toString())));
        nanos.addAndGet(Duration.ofMinutes(10).toNanos());
        SyncResult.Fetched archivedHere = (SyncResult.Fetched) client.fetch(syncedAfter(first));
        gitlab.resetRequests();

        // the database's trigger asks for a sync of every merge request of the project; this one
        // was last synced before the project was archived
        SyncResult.Fetched other = (SyncResult.Fetched) client.fetch(syncedAfter(first));
        SyncResult settled = client.fetch(target(merged(first.changeMarkers(), archivedHere.changeMarkers()), SHA,
                ReviewState.PENDING, CheckState.FAILED));

        assertThat(other.snapshot().state()).isEqualTo(ChangesetState.READ_ONLY);
        assertThat(other.snapshot().repoArchived()).as("remembered, not read: the first sync reported it").isNull();
        assertThat(settled).as("and once it knows, it is unchanged again").isInstanceOf(SyncResult.Unchanged.class);
        gitlab.verify(0, getRequestedFor(urlPathEqualTo(PROJECT)));
        gitlab.verify(1, getRequestedFor(urlPathEqualTo(MR)).withHeader("If-None-Match", absent()));
        gitlab.verify(1, getRequestedFor(urlPathEqualTo(MR)).withHeader("If-None-Match", equalTo("W/\"mr-v1\"")));
    }

    @Test
    void aProjectThatIsGoneMakesItsMergeRequestGone() throws Exception {
        serveEverything();
        gitlab.stubFor(get(urlPathEqualTo(PROJECT)).atPriority(1).willReturn(aResponse().withStatus(404)
                .withBody("{\"message\":\"404 Project Not Found\"}")));

        assertThat(client.fetch(neverSynced())).isInstanceOf(SyncResult.Gone.class);
        gitlab.verify(0, getRequestedFor(urlPathEqualTo(MR)));
    }

    // --- which project ---

    @Test
    void withoutANumericIdTheProjectIsAddressedByItsEncodedPath() throws Exception {
        String byPath = "/api/v4/projects/marcel.amirault%2Ftest-project";
        gitlab.stubFor(get(urlPathEqualTo(byPath)).willReturn(json(Fixtures.text("gitlab/project-get.go-scm.json"))));
        gitlab.stubFor(get(urlPathEqualTo(byPath + "/merge_requests/133"))
                .willReturn(json(Fixtures.text("gitlab/merge-request-get.json"))));
        gitlab.stubFor(get(urlPathEqualTo(byPath + "/merge_requests/133/approvals")).willReturn(json(APPROVALS_EXAMPLE)));

        SyncResult result = client.fetch(new SyncTarget(42, 7, "gitlab-test", CodeHostKind.GITLAB, gitlab.baseUrl(), "",
                "marcel.amirault/test-project", "133", Map.of(), null, null, null, null));

        assertThat(result).isInstanceOf(SyncResult.Fetched.class);
        assertThat(gitlab.getAllServeEvents()).hasSize(3);
    }

    @Test
    void anIidThatIsNotANumberFailsWithoutACall() throws Exception {
        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(new SyncTarget(42, 7, "gitlab-test", CodeHostKind.GITLAB,
                gitlab.baseUrl(), PROJECT_ID, "marcel.amirault/test-project", "../../users", Map.of(), null, null, null, null));

        assertThat(failed.message()).contains("is not a number");
        assertThat(gitlab.getAllServeEvents()).isEmpty();
    }

    // --- what GitLab may answer instead ---

    @Test
    void aWrongTokenIsUnauthorisedAndTheMessageNamesTheHostButNotTheToken() throws Exception {
        gitlab.stubFor(get(urlPathEqualTo(PROJECT)).willReturn(aResponse().withStatus(401)
                .withBody("{\"message\":\"401 Unauthorized\"}")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(neverSynced());

        assertThat(failed.kind()).isEqualTo(FailureKind.UNAUTHORIZED);
        assertThat(failed.message()).contains("GitLab (" + gitlab.baseUrl() + ")").contains("401").doesNotContain(TOKEN);
    }

    @Test
    void aForbiddenMergeRequestIsUnauthorised() throws Exception {
        serveEverything();
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(aResponse().withStatus(403)
                .withBody("{\"message\":\"403 Forbidden\"}")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(neverSynced());

        assertThat(failed.kind()).isEqualTo(FailureKind.UNAUTHORIZED);
        assertThat(failed.message()).contains("403").doesNotContain(TOKEN);
    }

    @Test
    void a404MeansGone() throws Exception {
        serveEverything();
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(aResponse().withStatus(404)
                .withBody("{\"message\":\"404 Not found\"}")));

        assertThat(client.fetch(neverSynced())).isInstanceOfSatisfying(SyncResult.Gone.class,
                gone -> assertThat(gone.message()).contains("404").contains(MR));
    }

    @Test
    void a429WithRetryAfterAndAPlainTextBodyIsRateLimited() throws Exception {
        serveEverything();
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(aResponse().withStatus(429)
                .withHeader("Content-Type", "text/plain").withHeader("Retry-After", "30")
                .withHeader("RateLimit-Limit", "60").withHeader("RateLimit-Name", "throttle_authenticated_api")
                .withHeader("RateLimit-Observed", "67").withHeader("RateLimit-Remaining", "0")
                .withHeader("RateLimit-Reset", String.valueOf(RESET))
                .withHeader("RateLimit-ResetTime", "Tue, 05 Jan 2021 11:00:00 GMT")
                .withBody("Retry later\n")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(neverSynced());

        assertThat(failed.kind()).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(failed.retryAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(failed.rateLimit().limit()).isEqualTo(60);
        assertThat(failed.rateLimit().remaining()).isZero();
        assertThat(failed.message()).contains("429").doesNotContain("JSON");
    }

    @Test
    void aServerErrorIsTransient() throws Exception {
        serveEverything();
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1)
                .willReturn(aResponse().withStatus(500).withBody("{\"message\":\"500 Internal Server Error\"}")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(neverSynced());

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("server error 500");
    }

    @Test
    void aSlowAnswerTimesOut() throws Exception {
        serveEverything();
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(json(Fixtures.text("gitlab/merge-request-get.json"))
                .withFixedDelay(TestHttp.slowAnswerMillis())));
        GitLabClient impatient = new GitLabClient(gitlab.baseUrl(), new Token(TOKEN), TestHttp.impatient(2), nanos::get);

        SyncResult.Failed failed = (SyncResult.Failed) impatient.fetch(neverSynced());

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("timed out").startsWith("GitLab (");
    }

    @Test
    void aDroppedConnectionIsRetriedThenReportedAsTransient() throws Exception {
        serveEverything();
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(neverSynced());

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("after 2 attempts");
        gitlab.verify(2, getRequestedFor(urlPathEqualTo(MR)));
    }

    @Test
    void aTruncatedBodyIsUnreadableNotAMergeRequest() throws Exception {
        serveEverything();
        String whole = Fixtures.text("gitlab/merge-request-get.json");
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(json(whole.substring(0, whole.length() / 2))));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(neverSynced());

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("unreadable answer").contains("not valid JSON").contains(MR);
    }

    @Test
    void anHtmlPageInsteadOfJsonIsUnreadable() throws Exception {
        serveEverything();
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<!DOCTYPE html><html><body>Sign in</body></html>")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(neverSynced());

        assertThat(failed.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed.message()).contains("not valid JSON").contains("<!DOCTYPE html>");
    }

    @Test
    void aMergeRequestWithoutItsRequiredFieldsIsUnreadable() throws Exception {
        serveEverything();
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(json("{\"state\":\"opened\",\"iid\":133}")));

        SyncResult.Failed failed = (SyncResult.Failed) client.fetch(neverSynced());

        assertThat(failed.message()).contains("field title is missing");
    }

    // --- the fake GitLab ---

    void serveEverything() {
        gitlab.stubFor(get(urlPathEqualTo(PROJECT)).atPriority(5)
                .willReturn(json(Fixtures.text("gitlab/project-get.go-scm.json")).withHeader("RateLimit-Remaining", "1999")));
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(5)
                .willReturn(json(Fixtures.text("gitlab/merge-request-get.json")).withHeader("ETag", "W/\"mr-v1\"")
                        .withHeader("RateLimit-Remaining", "1998")));
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(2).withHeader("If-None-Match", equalTo("W/\"mr-v1\""))
                .willReturn(aResponse().withStatus(304).withHeader("ETag", "W/\"mr-v1\"")
                        .withHeader("RateLimit-Limit", "2000").withHeader("RateLimit-Remaining", "1996")
                        .withHeader("RateLimit-Reset", String.valueOf(RESET))));
        gitlab.stubFor(get(urlPathEqualTo(APPROVALS)).atPriority(5)
                .willReturn(json(APPROVALS_EXAMPLE).withHeader("RateLimit-Remaining", "1997")));
    }

    void serveMergeRequestWithReviewers(int reviewers) {
        ObjectNode mr = mergeRequest();
        for (int i = 0; i < reviewers; i++) {
            mr.withArray("reviewers").add(mr.path("author").deepCopy());
        }
        gitlab.stubFor(get(urlPathEqualTo(MR)).atPriority(1).willReturn(json(mr.toString())));
    }

    static ObjectNode mergeRequest() {
        return Fixtures.object("gitlab/merge-request-get.json");
    }

    static ObjectNode approvalsExample() throws JsonProcessingException {
        return (ObjectNode) new ObjectMapper().readTree(APPROVALS_EXAMPLE);
    }

    static ObjectNode project() {
        return Fixtures.object("gitlab/project-get.go-scm.json");
    }

    static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withHeader("RateLimit-Limit", "2000").withHeader("RateLimit-Reset", String.valueOf(RESET))
                .withBody(body);
    }

    static Map<String, String> merged(Map<String, String> stored, Map<String, String> fetched) {
        Map<String, String> changeMarkers = new HashMap<>(stored);
        changeMarkers.putAll(fetched);
        return changeMarkers;
    }

    SyncTarget neverSynced() {
        return target(Map.of(), null, null, null);
    }

    /** The changeset as the database holds it after {@code sync}. */
    SyncTarget syncedAfter(SyncResult.Fetched sync) {
        return target(sync.changeMarkers(), sync.snapshot().headSha(), sync.snapshot().reviewState(), sync.snapshot().checkState());
    }

    SyncTarget target(Map<String, String> changeMarkers, String headSha, ReviewState reviews, CheckState checks) {
        return new SyncTarget(42, 7, "gitlab-test", CodeHostKind.GITLAB, gitlab.baseUrl(), PROJECT_ID, "marcel.amirault/test-project",
                "133", changeMarkers, headSha, reviews, checks, null);
    }
}
