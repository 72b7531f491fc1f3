package dev.changesetsyncer.codehost.github;

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
import java.util.Optional;

/**
 * GitHub (REST v3, github.com or Enterprise) pull requests, spending as little quota as possible:
 * every request is conditional on the ETag of its last answer (a 304 costs no primary quota, and goes
 * back to the budget), the reviews are read only when the pull request changed, and the checks only
 * when the head commit changed or they were still running. Repositories: {@link GitHubRepositorySync}.
 */
public final class GitHubClient implements CodeHostClient {
    static final String API_VERSION = "2022-11-28";
    static final String PULL = "pull";
    static final String REVIEWS = "reviews";
    static final String CHECK_RUNS = "check_runs";
    static final String STATUS = "status";
    private static final int MAX_PAGES = 10;

    private final String apiBase;
    private final ApiScope scope;
    private final HostHttp http;
    private final String name;
    private final Map<String, String> headers;
    private final GitHubRepositorySync repositories = new GitHubRepositorySync(this::url);

    /**
     * @param apiBase {@code https://api.github.com}, or {@code https://ghe.example.com/api/v3}
     * @throws IllegalArgumentException for a base the token may not go to ({@link ApiScope#of})
     */
    public GitHubClient(String apiBase, Token token, HostHttp http) {
        this.apiBase = apiBase.endsWith("/") ? apiBase.substring(0, apiBase.length() - 1) : apiBase;
        this.scope = ApiScope.of(this.apiBase);
        this.http = http;
        this.name = "GitHub (" + this.apiBase + ")";
        this.headers = Map.of(
                "Accept", "application/vnd.github+json",
                "X-GitHub-Api-Version", API_VERSION,
                "User-Agent", "changeset-syncer",
                "Authorization", "Bearer " + token.reveal());
    }

    @Override
    public SyncResult fetch(SyncTarget target) throws InterruptedException {
        return HostSession.run(name, scope, http, headers, NotModified.FREE, session -> fetch(target, session));
    }

    @Override
    public RepoSyncResult syncRepository(RepoTarget target) throws InterruptedException {
        return HostSession.runRepository(name, scope, http, headers, NotModified.FREE,
                session -> repositories.sync(target, repoPath(target.name()), session));
    }

    private SyncResult fetch(SyncTarget target, HostSession calls) throws HostCallException, InterruptedException {
        String repo = repoPath(target.repoName());
        String number = target.externalId();
        Map<String, String> changeMarkers = new LinkedHashMap<>();
        List<TimelineEvent> events = new ArrayList<>();

        HostResponse pull = calls.get(url("/repos/" + repo + "/pulls/" + number), target.changeMarkers().get(PULL));
        boolean pullChanged = !pull.notModified();
        GitHubPullRequest pr = null;
        if (pullChanged) {
            pr = GitHubPullRequest.parse(JsonFields.of(pull));
            pull.header("etag").ifPresent(etag -> changeMarkers.put(PULL, etag));
            events.addAll(pr.stateEvents());
        }
        String headSha = pullChanged ? pr.headSha() : target.headSha();

        GitHubReviews reviews = null;
        if (pullChanged) {
            HostResponse answer = calls.get(url("/repos/" + repo + "/pulls/" + number + "/reviews?per_page=100"),
                    target.changeMarkers().get(REVIEWS));
            if (!answer.notModified()) {
                reviews = GitHubReviews.parse(allPages(answer, calls));
                answer.header("etag").ifPresent(etag -> changeMarkers.put(REVIEWS, etag));
                events.addAll(reviews.events());
            }
        }

        CheckState checks = null;
        boolean newHead = headSha != null && !headSha.equals(target.headSha());
        // NONE too: CI often reports its first check after the pull request was opened and synced; the
        // conditional requests cost no quota while nothing changes
        boolean checksUnsettled = target.checkState() == null || target.checkState() == CheckState.PENDING
                || target.checkState() == CheckState.NONE;
        if (headSha != null && (newHead || checksUnsettled)) {
            GitHubChecks found = fetchChecks(repo, headSha, newHead ? Map.of() : target.changeMarkers(), calls, changeMarkers);
            if (found != null) {
                checks = found.state();
                events.addAll(found.events());
            }
        }

        if (!pullChanged && checks == null) {
            return new SyncResult.Unchanged(calls.rateLimit());
        }
        if (!pullChanged) {
            return new SyncResult.Fetched(ChangesetSnapshot.checksOnly(checks), changeMarkers, events, calls.rateLimit());
        }
        return new SyncResult.Fetched(pr.snapshot(reviews == null
                ? GitHubReviews.carriedOver(target.reviewState(), pr.reviewersRequested())
                : reviews.state(pr.reviewersRequested()), checks), changeMarkers, events, calls.rateLimit());
    }

    /** Check runs and the combined status of a commit; null when both are unchanged (304). */
    private GitHubChecks fetchChecks(String repo, String sha, Map<String, String> knownMarkers, HostSession calls,
            Map<String, String> changeMarkers) throws HostCallException, InterruptedException {
        URI runsUrl = url("/repos/" + repo + "/commits/" + sha + "/check-runs?per_page=100");
        URI statusUrl = url("/repos/" + repo + "/commits/" + sha + "/status?per_page=100");
        HostResponse runs = calls.get(runsUrl, knownMarkers.get(CHECK_RUNS));
        HostResponse status = calls.get(statusUrl, knownMarkers.get(STATUS));
        if (runs.notModified() && status.notModified()) {
            return null;
        }
        // one changed and the other did not: we need both bodies to combine them
        if (runs.notModified()) {
            runs = calls.get(runsUrl, null);
        }
        if (status.notModified()) {
            status = calls.get(statusUrl, null);
        }
        runs.header("etag").ifPresent(etag -> changeMarkers.put(CHECK_RUNS, etag));
        status.header("etag").ifPresent(etag -> changeMarkers.put(STATUS, etag));
        return GitHubChecks.parse(JsonFields.of(runs), JsonFields.of(status));
    }

    private URI url(String path) {
        return URI.create(apiBase + path);
    }

    private String repoPath(String repoName) {
        if (!validPath(repoName)) {
            throw HostSession.invalidTarget(name, "repository name \"" + repoName + "\" is not owner/name");
        }
        return encodePath(repoName);
    }

    private static boolean validPath(String repoName) {
        String[] parts = repoName.split("/");
        return parts.length == 2 && !parts[0].isBlank() && !parts[1].isBlank();
    }

    /** {@code owner/name}, each part URL-encoded. */
    static String encodePath(String repoName) {
        String[] parts = repoName.split("/", 2);
        return URLEncoder.encode(parts[0], StandardCharsets.UTF_8) + "/" + URLEncoder.encode(parts[1], StandardCharsets.UTF_8);
    }

    /**
     * The items of a list answer and of the pages its Link header points to (at most 10 pages; a link
     * outside the host's API ends the sync, see {@link HostSession}).
     */
    private static List<JsonFields> allPages(HostResponse first, HostSession calls)
            throws HostCallException, InterruptedException {
        List<JsonFields> items = new ArrayList<>();
        HostResponse page = first;
        for (int pages = 1; ; pages++) {
            JsonFields.of(page).array("").forEach(items::add);
            Optional<URI> next = GitHubLinks.next(page);
            if (next.isEmpty() || pages >= MAX_PAGES) {
                return items;
            }
            page = calls.get(next.get(), null);
        }
    }
}
