package dev.changesetsyncer.codehost.gitlab;

import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.CodeHostClient;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.RepoTarget;
import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.SyncTarget;
import dev.changesetsyncer.codehost.Token;
import dev.changesetsyncer.codehost.http.ApiScope;
import dev.changesetsyncer.codehost.http.HostCallException;
import dev.changesetsyncer.codehost.http.HostHttp;
import dev.changesetsyncer.codehost.http.HostResponse;
import dev.changesetsyncer.codehost.http.HostSession;
import dev.changesetsyncer.codehost.http.HostSession.NotModified;
import dev.changesetsyncer.codehost.http.JsonFields;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * GitLab (REST v4, gitlab.com or self-managed) merge requests. GitLab counts every request against
 * its rate limit, 304s included, so the aim is few requests: the merge request carries its head
 * pipeline (the checks), the approvals are read only when the merge request changed, and the
 * project's archived flag, which the merge request does not carry, is read at most every 10 minutes.
 *
 * <p>Besides GitLab's ETag (sent back in {@code If-None-Match}, when GitLab gave one), each changeset
 * records its own change markers beside it: a digest of the merge request fields we keep, the
 * head pipeline's id and status, and the archived flag it was last synced with. Projects:
 * {@link GitLabRepositorySync}.
 */
public final class GitLabClient implements CodeHostClient {
    static final String MERGE_REQUEST = "merge_request";
    static final String MERGE_REQUEST_DIGEST = "merge_request_digest";
    static final String HEAD_PIPELINE = "head_pipeline";
    static final String PROJECT_ARCHIVED = "project_archived";

    private final String apiBase;
    private final ApiScope scope;
    private final HostHttp http;
    private final String name;
    private final Map<String, String> headers;
    private final GitLabArchivedFlags archivedFlags;
    private final GitLabRepositorySync repositories = new GitLabRepositorySync(this::url);

    /**
     * @param baseUrl the instance, {@code https://gitlab.com} or {@code https://gitlab.example.com}
     *     (the API is under {@code /api/v4})
     */
    public GitLabClient(String baseUrl, Token token, HostHttp http) {
        this(baseUrl, token, http, System::nanoTime);
    }

    /** @param nanoClock a monotonic clock for the archived flags' age (tests move it) */
    GitLabClient(String baseUrl, Token token, HostHttp http, LongSupplier nanoClock) {
        String instance = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.apiBase = instance + "/api/v4";
        this.scope = ApiScope.of(instance).below("/api/v4");
        this.http = http;
        this.name = "GitLab (" + instance + ")";
        // Bearer works for personal, project, group and OAuth tokens alike
        this.headers = Map.of(
                "Accept", "application/json",
                "User-Agent", "changeset-syncer",
                "Authorization", "Bearer " + token.reveal());
        this.archivedFlags = new GitLabArchivedFlags(nanoClock);
    }

    @Override
    public SyncResult fetch(SyncTarget target) throws InterruptedException {
        return HostSession.run(name, scope, http, headers, session -> fetch(target, session));
    }

    @Override
    public RepoSyncResult syncRepository(RepoTarget target) throws InterruptedException {
        return HostSession.runRepository(name, scope, http, headers, NotModified.COUNTED, session -> {
            if (target.name().isBlank()) {
                throw HostSession.invalidTarget(name, "the project has neither a numeric id nor a path");
            }
            return repositories.sync(target, GitLabRepositorySync.projectId(target.externalId(), target.name()), session);
        });
    }

    private SyncResult fetch(SyncTarget target, HostSession calls) throws HostCallException, InterruptedException {
        String project = projectId(target);
        String mergeRequest = "/projects/" + project + "/merge_requests/" + iid(target);
        Map<String, String> known = target.changeMarkers();

        GitLabArchivedFlags.Flag archived = archivedFlags.get(project, target.repoArchived(),
                () -> JsonFields.of(calls.get(url("/projects/" + project), null)).bool("archived", false));
        // The flag changed since this changeset's last sync: its state must be worked out again,
        // which a 304 would not let us do.
        boolean archivedChanged = !archived.marker().equals(known.get(PROJECT_ARCHIVED));
        HostResponse answer = calls.get(url(mergeRequest), archivedChanged ? null : known.get(MERGE_REQUEST));
        if (answer.notModified()) {
            return archived.readThisSync()
                    ? new SyncResult.Fetched(archivedOnly(archived), Map.of(), List.of(), calls.rateLimit())
                    : new SyncResult.Unchanged(calls.rateLimit());
        }

        GitLabMergeRequest mr = GitLabMergeRequest.parse(answer);
        Map<String, String> changeMarkers = new LinkedHashMap<>();
        answer.header("etag").ifPresent(etag -> changeMarkers.put(MERGE_REQUEST, etag));
        changeMarkers.put(MERGE_REQUEST_DIGEST, mr.digest());
        changeMarkers.put(HEAD_PIPELINE, mr.checks().marker());
        changeMarkers.put(PROJECT_ARCHIVED, archived.marker());
        boolean mrChanged = !changeMarkers.get(MERGE_REQUEST_DIGEST).equals(known.get(MERGE_REQUEST_DIGEST));
        // a new ETag alone is worth recording: sending the old one would get the whole body every time
        boolean anythingChanged = mrChanged || archivedChanged || archived.readThisSync()
                || !changeMarkers.get(HEAD_PIPELINE).equals(known.get(HEAD_PIPELINE))
                || !Objects.equals(changeMarkers.get(MERGE_REQUEST), known.get(MERGE_REQUEST));
        if (!anythingChanged) {
            return new SyncResult.Unchanged(calls.rateLimit());
        }
        ReviewState reviews = mrChanged || target.reviewState() == null ? reviews(mergeRequest, mr, calls) : null;
        return new SyncResult.Fetched(mr.snapshot(reviews, archived), changeMarkers, mr.events(), calls.rateLimit());
    }

    /** The approvals decide; without them (GitLab Free answers 404 or 403), the reviewers do. */
    private ReviewState reviews(String mergeRequest, GitLabMergeRequest mr, HostSession calls)
            throws HostCallException, InterruptedException {
        Optional<HostResponse> approvals = calls.getUnlessUnavailable(url(mergeRequest + "/approvals"));
        return approvals.isEmpty() ? GitLabApprovals.withoutApprovals(mr.reviewersAssigned())
                : GitLabApprovals.parse(JsonFields.of(approvals.get())).state(mr.reviewersAssigned());
    }

    /** Only the project's archived flag, just read, for a merge request that did not change. */
    private static ChangesetSnapshot archivedOnly(GitLabArchivedFlags.Flag archived) {
        return new ChangesetSnapshot(null, null, null, null, null, null, null, null, null, null, archived.reported());
    }

    private URI url(String path) {
        return URI.create(apiBase + path);
    }

    /** The numeric project id when we have one, else its URL-encoded path ("group%2Fproject"). */
    private String projectId(SyncTarget target) {
        String id = target.repoExternalId();
        String path = target.repoName();
        if ((id == null || !id.matches("\\d+")) && (path == null || path.isBlank())) {
            throw HostSession.invalidTarget(name, "the project has neither a numeric id (\"" + id + "\") nor a path");
        }
        return GitLabRepositorySync.projectId(id, path);
    }

    private String iid(SyncTarget target) {
        String iid = target.externalId();
        if (iid == null || !iid.matches("\\d+")) {
            throw HostSession.invalidTarget(name, "merge request iid \"" + iid + "\" is not a number");
        }
        return iid;
    }
}
