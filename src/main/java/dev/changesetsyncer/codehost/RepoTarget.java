package dev.changesetsyncer.codehost;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.Tracking;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a client needs to read one repository and, when it is tracked, list its pull requests.
 *
 * @param repoId {@code repos.id}; 0 for a repository not stored yet (the {@code track} command's lookup)
 * @param externalId the host's id for it, as stored (may be a placeholder where the host does not need it)
 * @param name as stored in {@code repos.name}: {@code owner/repo}, {@code group/subgroup/project}, {@code PROJECT/slug}
 * @param archived the flag as stored
 * @param deleted whether it is stored as deleted ({@code repos.deleted_at}); read again now and then to notice it back
 * @param track which pull requests to list; {@link Tracking#NONE}: no listing
 * @param changeMarkers what the last read saw of each resource (ETags), for conditional requests
 * @param listedUntil the listing's high-water mark: pull requests updated at or before it were seen (null: never listed)
 * @param listingState the state {@code listedUntil} belongs to (null: never listed); another state lists afresh
 */
public record RepoTarget(
        long repoId,
        long codeHostId,
        String codeHostName,
        CodeHostKind kind,
        String baseUrl,
        String externalId,
        String name,
        boolean archived,
        boolean deleted,
        Tracking track,
        Map<String, String> changeMarkers,
        Instant listedUntil,
        Tracking listingState) {
    public RepoTarget {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(track, "track");
        changeMarkers = Map.copyOf(changeMarkers);
    }

    /** A repository not stored yet, looked up by its path (no listing, no conditional request). */
    public static RepoTarget lookup(CodeHost host, String name) {
        return new RepoTarget(0, host.id(), host.name(), host.kind(), host.baseUrl(), null, name, false, false,
                Tracking.NONE, Map.of(), null, null);
    }

    /** The repository's code host, as its client is chosen. */
    public CodeHost codeHost() {
        return new CodeHost(codeHostId, codeHostName, kind, baseUrl);
    }

    /** The high-water mark this listing may stop at: none when the last listing was of another state. */
    public Instant listingResumesAfter() {
        return listingState == track ? listedUntil : null;
    }

    /** The ETag (or marker) of resource {@code key}, unless the listing starts afresh and it is the listing's. */
    public String marker(String key, boolean ofTheListing) {
        return ofTheListing && listingState != track ? null : changeMarkers.get(key);
    }
}
