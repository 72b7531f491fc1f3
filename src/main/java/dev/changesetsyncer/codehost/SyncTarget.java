package dev.changesetsyncer.codehost;

import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import java.util.Map;

/**
 * What a client needs to fetch one changeset.
 *
 * @param codeHostName the code host's name ({@code code_hosts.name}): credentials are configured by it
 * @param changeMarkers what the last successful fetch saw of each resource: the host's ETag (for conditional
 *     requests) or a marker of our own (a digest, a version) to tell whether it changed
 * @param headSha the head commit as of the last sync (null if never synced)
 * @param reviewState the review state as of the last sync (null if never synced)
 * @param checkState the check state as of the last sync (null if never synced)
 * @param repoArchived whether the database has the repository as archived (null if unknown): a
 *     client that caches the flag re-reads it when the database says otherwise
 */
public record SyncTarget(
        long changesetId,
        long codeHostId,
        String codeHostName,
        CodeHostKind kind,
        String baseUrl,
        String repoExternalId,
        String repoName,
        String externalId,
        Map<String, String> changeMarkers,
        String headSha,
        ReviewState reviewState,
        CheckState checkState,
        Boolean repoArchived) {
    public SyncTarget {
        changeMarkers = Map.copyOf(changeMarkers);
    }

    /** The changeset's code host, as its client is chosen. */
    public CodeHost codeHost() {
        return new CodeHost(codeHostId, codeHostName, kind, baseUrl);
    }
}
