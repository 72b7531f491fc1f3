package dev.changesetsyncer.codehost.gitlab;

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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A GitLab project sync: {@code GET /projects/:id} (by its numeric id when we have it, so a renamed or
 * moved project is still found), and, when the project is tracked, {@code GET /projects/:id/merge_requests}
 * ordered by {@code updated_at} newest first and filtered with {@code updated_after} the last listing,
 * read page by page ({@code X-Next-Page}) until the last merge request seen. GitLab counts every
 * request, 304s included.
 */
final class GitLabRepositorySync {
    static final String PROJECT = "project";
    static final String MERGE_REQUESTS = "merge_requests";
    /** 100 pages of 100: a first listing imports at most the 10,000 most recently updated merge requests. */
    static final int MAX_LISTING_PAGES = 100;
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");

    private final Function<String, URI> url;

    /** @param url the API URL of a path (under {@code /api/v4}) */
    GitLabRepositorySync(Function<String, URI> url) {
        this.url = url;
    }

    RepoSyncResult sync(RepoTarget target, String project, HostSession calls)
            throws HostCallException, InterruptedException {
        Map<String, String> markers = new LinkedHashMap<>();
        HostResponse answer = calls.get(url.apply("/projects/" + project), target.changeMarkers().get(PROJECT));
        RepoSnapshot repository = null;
        String id = project;
        if (!answer.notModified()) {
            JsonFields fields = JsonFields.of(answer);
            repository = new RepoSnapshot(String.valueOf(fields.number("id")), fields.text("path_with_namespace"),
                    fields.bool("archived", false));
            id = repository.externalId();
            answer.header("etag").ifPresent(etag -> markers.put(PROJECT, etag));
        }
        PullListing listing = target.track() == Tracking.NONE ? null : list(target, id, calls, markers);
        return new RepoSyncResult.Found(repository, markers, listing, calls.rateLimit(), calls.freeRequests());
    }

    private PullListing list(RepoTarget target, String project, HostSession calls, Map<String, String> markers)
            throws HostCallException, InterruptedException {
        Tracking state = target.track();
        Instant stopAt = target.listingResumesAfter();
        URI first = url.apply("/projects/" + project + "/merge_requests?state=" + (state == Tracking.OPEN ? "opened" : "all")
                + "&order_by=updated_at&sort=desc&per_page=100"
                + (stopAt == null ? "" : "&updated_after=" + URLEncoder.encode(stopAt.toString(), StandardCharsets.UTF_8)));
        HostResponse page = calls.getPresent(first, target.marker(MERGE_REQUESTS, true), "the merge request list");
        if (page.notModified()) {
            return PullListing.unchanged(state, stopAt);
        }
        page.header("etag").ifPresent(etag -> markers.put(MERGE_REQUESTS, etag));
        List<String> iids = new ArrayList<>();
        Instant newest = stopAt;
        for (int pages = 1; ; pages++) {
            for (JsonFields mergeRequest : JsonFields.of(page).array("")) {
                Instant updated = mergeRequest.instant("updated_at");
                if (stopAt != null && !updated.isAfter(stopAt)) {
                    return new PullListing(state, iids, newest, pages, false); // the last seen: done
                }
                iids.add(String.valueOf(mergeRequest.number("iid")));
                newest = newest == null || updated.isAfter(newest) ? updated : newest;
            }
            Optional<URI> next = next(page);
            if (next.isEmpty()) {
                return new PullListing(state, iids, newest, pages, false);
            }
            if (pages >= MAX_LISTING_PAGES) {
                return new PullListing(state, iids, newest, pages, true);
            }
            page = calls.getPresent(next.get(), null, "the merge request list");
        }
    }

    /** The next page: {@code X-Next-Page} (empty on the last page), else a {@code Link: rel="next"}. */
    static Optional<URI> next(HostResponse page) {
        Optional<String> nextPage = page.header("x-next-page").map(String::strip);
        if (nextPage.isPresent()) {
            if (!nextPage.get().matches("\\d+")) {
                return Optional.empty();
            }
            String query = page.uri().getRawQuery() == null ? "" : page.uri().getRawQuery().replaceAll("(^|&)page=\\d+", "");
            String separator = query.isEmpty() ? "" : "&";
            URI current = page.uri();
            return Optional.of(URI.create(current.getScheme() + "://" + current.getRawAuthority() + current.getRawPath()
                    + "?" + query.replaceFirst("^&", "") + separator + "page=" + nextPage.get()));
        }
        return page.header("link").flatMap(link -> {
            Matcher m = NEXT.matcher(link);
            return m.find() ? Optional.of(URI.create(m.group(1))) : Optional.empty();
        });
    }

    /** The numeric project id when we have one, else its URL-encoded path ("group%2Fproject"). */
    static String projectId(String externalId, String path) {
        if (externalId != null && externalId.matches("\\d+")) {
            return externalId;
        }
        return URLEncoder.encode(path.strip(), StandardCharsets.UTF_8).replace("+", "%20");
    }
}
