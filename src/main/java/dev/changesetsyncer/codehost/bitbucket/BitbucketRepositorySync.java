package dev.changesetsyncer.codehost.bitbucket;

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
import java.util.function.Function;

/**
 * A Bitbucket Server repository sync: {@code GET /rest/api/1.0/projects/{key}/repos/{slug}} ({@code archived}
 * from Bitbucket 8.0; absent means not archived), and, when the repository is tracked, {@code GET
 * .../pull-requests?order=NEWEST}, read page by page ({@code nextPageStart}) until the last pull request
 * seen. Bitbucket seldom answers conditional requests; an ETag it gave is still sent back.
 */
final class BitbucketRepositorySync {
    static final String REPOSITORY = "repository";
    static final String PULL_REQUESTS = "pull_requests";
    private static final int PAGE_SIZE = 100;
    /** 100 pages of 100: a first listing imports at most the 10,000 newest pull requests. */
    static final int MAX_LISTING_PAGES = 100;

    private final Function<String, URI> url;

    /** @param url the URL of a path on the instance */
    BitbucketRepositorySync(Function<String, URI> url) {
        this.url = url;
    }

    RepoSyncResult sync(RepoTarget target, String repoPath, HostSession calls)
            throws HostCallException, InterruptedException {
        Map<String, String> markers = new LinkedHashMap<>();
        HostResponse answer = calls.get(url.apply("/rest/api/1.0" + repoPath), target.changeMarkers().get(REPOSITORY));
        RepoSnapshot repository = null;
        String path = repoPath;
        if (!answer.notModified()) {
            JsonFields repo = JsonFields.of(answer);
            String key = repo.text("project.key");
            String slug = repo.text("slug");
            repository = new RepoSnapshot(String.valueOf(repo.number("id")), key + "/" + slug, repo.bool("archived", false));
            path = BitbucketServerClient.repositoryPath(key, slug);
            answer.header("etag").ifPresent(etag -> markers.put(REPOSITORY, etag));
        }
        PullListing listing = target.track() == Tracking.NONE ? null : list(target, path, calls, markers);
        return new RepoSyncResult.Found(repository, markers, listing, calls.rateLimit(), calls.freeRequests());
    }

    private PullListing list(RepoTarget target, String repoPath, HostSession calls, Map<String, String> markers)
            throws HostCallException, InterruptedException {
        Tracking state = target.track();
        Instant stopAt = target.listingResumesAfter();
        String list = "/rest/api/1.0" + repoPath + "/pull-requests?state=" + (state == Tracking.OPEN ? "OPEN" : "ALL")
                + "&order=NEWEST&limit=" + PAGE_SIZE + "&start=";
        HostResponse page = calls.getPresent(url.apply(list + 0), target.marker(PULL_REQUESTS, true), "the pull request list");
        if (page.notModified()) {
            return PullListing.unchanged(state, stopAt);
        }
        page.header("etag").ifPresent(etag -> markers.put(PULL_REQUESTS, etag));
        List<String> ids = new ArrayList<>();
        Instant newest = stopAt;
        for (int pages = 1; ; pages++) {
            JsonFields body = JsonFields.of(page);
            for (JsonFields pull : body.array("values")) {
                Instant updated = pull.instant("updatedDate");
                if (stopAt != null && !updated.isAfter(stopAt)) {
                    return new PullListing(state, ids, newest, pages, false); // the last seen: done
                }
                ids.add(String.valueOf(pull.number("id")));
                newest = newest == null || updated.isAfter(newest) ? updated : newest;
            }
            if (body.bool("isLastPage", true)) {
                return new PullListing(state, ids, newest, pages, false);
            }
            if (pages >= MAX_LISTING_PAGES) {
                return new PullListing(state, ids, newest, pages, true);
            }
            page = calls.getPresent(url.apply(list + body.number("nextPageStart")), null, "the pull request list");
        }
    }
}
