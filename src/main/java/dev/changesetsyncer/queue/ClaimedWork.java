package dev.changesetsyncer.queue;

import java.util.List;

/** What one claim took: changesets (in claim order) and repository syncs. */
public record ClaimedWork(List<Claim> changesets, List<RepoClaim> repos) {
    public ClaimedWork {
        changesets = List.copyOf(changesets);
        repos = List.copyOf(repos);
    }

    public boolean isEmpty() {
        return changesets.isEmpty() && repos.isEmpty();
    }
}
