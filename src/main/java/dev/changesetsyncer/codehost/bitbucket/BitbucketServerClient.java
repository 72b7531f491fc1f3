package dev.changesetsyncer.codehost.bitbucket;

import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.CodeHostClient;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.RepoTarget;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.SyncTarget;
import dev.changesetsyncer.codehost.TimelineEvent;
import dev.changesetsyncer.codehost.Token;
import dev.changesetsyncer.codehost.http.ApiScope;
import dev.changesetsyncer.codehost.http.HostCallException;
import dev.changesetsyncer.codehost.http.HostHttp;
import dev.changesetsyncer.codehost.http.HostResponse;
import dev.changesetsyncer.codehost.http.HostSession;
import dev.changesetsyncer.codehost.http.HostSession.NotModified;
import dev.changesetsyncer.codehost.http.JsonFields;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bitbucket Server / Data Center pull requests (REST 1.0), spending as few calls as possible. The
 * pull request carries its reviewers, so one GET gives everything but the builds. Bitbucket seldom
 * answers If-None-Match with a 304, so besides sending a stored ETag we keep our own change marker
 * and call the pull request unchanged when it matches. The build status is read only when the head
 * commit changed or the builds were still running (or never read). Repositories:
 * {@link BitbucketRepositorySync}.
 */
public final class BitbucketServerClient implements CodeHostClient {
    static final String PULL_REQUEST = "pull_request";
    static final String PULL_REQUEST_VERSION = "pull_request_version";
    static final String BUILD_STATUS = "build_status";
    private static final int PAGE_SIZE = 100;
    private static final int MAX_PAGES = 10;

    private final String baseUrl;
    private final ApiScope scope;
    private final HostHttp http;
    private final String name;
    private final Map<String, String> headers;
    private final BitbucketRepositorySync repositories = new BitbucketRepositorySync(this::url);

    /**
     * @param baseUrl the instance, e.g. {@code https://bitbucket.example.com} or, with a context
     *     path, {@code https://example.com/bitbucket}
     */
    public BitbucketServerClient(String baseUrl, Token token, HostHttp http) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.scope = ApiScope.of(this.baseUrl).below("/rest"); // /rest/api/1.0 and /rest/build-status/1.0
        this.http = http;
        this.name = "Bitbucket Server (" + this.baseUrl + ")";
        this.headers = Map.of(
                "Accept", "application/json",
                "User-Agent", "changeset-syncer",
                "Authorization", "Bearer " + token.reveal());
    }

    @Override
    public SyncResult fetch(SyncTarget target) throws InterruptedException {
        return HostSession.run(name, scope, http, headers, session -> fetch(target, session));
    }

    @Override
    public RepoSyncResult syncRepository(RepoTarget target) throws InterruptedException {
        return HostSession.runRepository(name, scope, http, headers, NotModified.COUNTED,
                session -> repositories.sync(target, repositoryPath(target.name()), session));
    }

    private SyncResult fetch(SyncTarget target, HostSession calls) throws HostCallException, InterruptedException {
        Map<String, String> changeMarkers = new LinkedHashMap<>();
        HostResponse answer = calls.get(url(pullRequestPath(target)), target.changeMarkers().get(PULL_REQUEST));
        BitbucketPullRequest pr = null;
        if (!answer.notModified()) {
            pr = BitbucketPullRequest.parse(JsonFields.of(answer));
            changeMarkers.put(PULL_REQUEST_VERSION, pr.changeMarker());
            answer.header("etag").ifPresent(etag -> changeMarkers.put(PULL_REQUEST, etag));
        }
        boolean pullChanged = pr != null && !pr.changeMarker().equals(target.changeMarkers().get(PULL_REQUEST_VERSION));
        String headSha = pr != null ? pr.headSha() : target.headSha();

        BitbucketBuilds builds = null;
        boolean newHead = headSha != null && !headSha.equals(target.headSha());
        // NONE too: CI often reports its first status after the pull request was opened and synced
        boolean buildsUnsettled = target.checkState() == null || target.checkState() == CheckState.PENDING
                || target.checkState() == CheckState.NONE;
        if (headSha != null && (newHead || buildsUnsettled)) {
            builds = fetchBuilds(headSha, calls);
            changeMarkers.put(BUILD_STATUS, builds.marker());
        }
        boolean buildsChanged = builds != null && !builds.marker().equals(target.changeMarkers().get(BUILD_STATUS));

        if (!pullChanged && !buildsChanged) {
            return new SyncResult.Unchanged(calls.rateLimit());
        }
        List<TimelineEvent> events = new ArrayList<>();
        CheckState checks = builds == null ? null : builds.state();
        if (builds != null) {
            events.addAll(builds.events());
        }
        if (!pullChanged) {
            return new SyncResult.Fetched(ChangesetSnapshot.checksOnly(checks), changeMarkers, events, calls.rateLimit());
        }
        events.addAll(pr.stateEvents());
        return new SyncResult.Fetched(pr.snapshot(checks), changeMarkers, events, calls.rateLimit());
    }

    /** All build statuses of a commit (the server keeps at most the latest 100, one page at our page size). */
    private BitbucketBuilds fetchBuilds(String sha, HostSession calls) throws HostCallException, InterruptedException {
        List<JsonFields> statuses = new ArrayList<>();
        long start = 0;
        for (int pages = 1; ; pages++) {
            HostResponse answer = calls.send(url("/rest/build-status/1.0/commits/" + encode(sha) + "?start=" + start
                    + "&limit=" + PAGE_SIZE), null);
            if (answer.status() == 404) {
                // no build-status resource on this server (removed or disabled): the pull request is not gone
                return BitbucketBuilds.parse(List.of(), sha);
            }
            calls.check(answer);
            JsonFields page = JsonFields.of(answer);
            page.array("values").forEach(statuses::add);
            if (page.bool("isLastPage", true) || pages >= MAX_PAGES) {
                return BitbucketBuilds.parse(statuses, sha);
            }
            start = page.number("nextPageStart");
        }
    }

    private URI url(String pathAndQuery) {
        return URI.create(baseUrl + pathAndQuery);
    }

    private String pullRequestPath(SyncTarget target) {
        String repository = repositoryPath(target.repoName());
        if (!target.externalId().matches("\\d+")) {
            throw HostSession.invalidTarget(name, "pull request id \"" + target.externalId() + "\" is not a number");
        }
        return "/rest/api/1.0" + repository + "/pull-requests/" + target.externalId();
    }

    /** {@code /projects/{key}/repos/{slug}} of a {@code PROJECT_KEY/repo-slug} name. */
    private String repositoryPath(String repoName) {
        String[] parts = repoName.split("/");
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            throw HostSession.invalidTarget(name, "repository name \"" + repoName + "\" is not PROJECT_KEY/repo-slug");
        }
        return repositoryPath(parts[0], parts[1]);
    }

    static String repositoryPath(String projectKey, String slug) {
        return "/projects/" + encode(projectKey) + "/repos/" + encode(slug);
    }

    private static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8);
    }
}
