package dev.changesetsyncer.codehost.github;

import dev.changesetsyncer.catalog.Tracking;
import dev.changesetsyncer.codehost.PullListing;
import dev.changesetsyncer.codehost.RepoSnapshot;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.RepoTarget;
import dev.changesetsyncer.codehost.http.HostCallException;
import dev.changesetsyncer.codehost.http.HostResponse;
import dev.changesetsyncer.codehost.http.HostSession;
import dev.changesetsyncer.codehost.http.JsonFields;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A GitHub repository sync: {@code GET /repos/{owner}/{repo}} (conditional: a 304 is free), falling
 * back to {@code GET /repositories/{id}} when the name answers 404 or a redirect (renamed or
 * transferred); and, when the repository is tracked, {@code GET /repos/{owner}/{repo}/pulls} sorted by
 * {@code updated} newest first (the first page conditional: a quiet repository costs two free 304s),
 * read page by page until the last pull request seen.
 */
final class GitHubRepositorySync {
    static final String REPO = "repo";
    static final String PULLS = "pulls";
    /** 100 pages of 100: a first listing imports at most the 10,000 most recently updated pull requests. */
    static final int MAX_LISTING_PAGES = 100;

    private final Function<String, URI> url;

    /** @param url the API URL of a path */
    GitHubRepositorySync(Function<String, URI> url) {
        this.url = url;
    }

    RepoSyncResult sync(RepoTarget target, String repoPath, HostSession calls)
            throws HostCallException, InterruptedException {
        Map<String, String> markers = new LinkedHashMap<>();
        HostResponse answer = calls.send(url.apply("/repos/" + repoPath), target.changeMarkers().get(REPO));
        if (movedOrMissing(answer) && target.externalId() != null && target.externalId().matches("\\d+")) {
            // GitHub finds a repository by its id whatever it is called now
            HostResponse byId = calls.send(url.apply("/repositories/" + target.externalId()), null);
            if (!movedOrMissing(byId)) {
                answer = byId;
            }
        }
        calls.check(answer);
        RepoSnapshot repository = null;
        if (!answer.notModified()) {
            JsonFields repo = JsonFields.of(answer);
            repository = new RepoSnapshot(String.valueOf(repo.number("id")), repo.text("full_name"),
                    repo.bool("archived", false));
            answer.header("etag").ifPresent(etag -> markers.put(REPO, etag));
        }
        PullListing listing = null;
        if (target.track() != Tracking.NONE) {
            String current = repository == null ? repoPath : GitHubClient.encodePath(repository.name());
            listing = list(target, current, calls, markers);
        }
        return new RepoSyncResult.Found(repository, markers, listing, calls.rateLimit(), calls.freeRequests());
    }

    private PullListing list(RepoTarget target, String repoPath, HostSession calls, Map<String, String> markers)
            throws HostCallException, InterruptedException {
        Tracking state = target.track();
        Instant stopAt = target.listingResumesAfter();
        URI first = url.apply("/repos/" + repoPath + "/pulls?state=" + (state == Tracking.OPEN ? "open" : "all")
                + "&sort=updated&direction=desc&per_page=100");
        HostResponse page = calls.getPresent(first, target.marker(PULLS, true), "the pull request list");
        if (page.notModified()) {
            return PullListing.unchanged(state, stopAt);
        }
        page.header("etag").ifPresent(etag -> markers.put(PULLS, etag));
        List<String> numbers = new ArrayList<>();
        Instant newest = stopAt;
        for (int pages = 1; ; pages++) {
            for (JsonFields pull : JsonFields.of(page).array("")) {
                Instant updated = pull.instant("updated_at");
                if (stopAt != null && !updated.isAfter(stopAt)) {
                    return new PullListing(state, numbers, newest, pages, false); // the last seen: done
                }
                numbers.add(String.valueOf(pull.number("number")));
                newest = newest == null || updated.isAfter(newest) ? updated : newest;
            }
            Optional<URI> next = GitHubLinks.next(page);
            if (next.isEmpty()) {
                return new PullListing(state, numbers, newest, pages, false);
            }
            if (pages >= MAX_LISTING_PAGES) {
                return new PullListing(state, numbers, newest, pages, true);
            }
            page = calls.getPresent(next.get(), null, "the pull request list");
        }
    }

    /** 404, 410, or a redirect (a renamed repository's old name, when redirects are not followed). */
    private static boolean movedOrMissing(HostResponse answer) {
        int status = answer.status();
        return status == 404 || status == 410 || status == 301 || status == 302 || status == 307 || status == 308;
    }
}
