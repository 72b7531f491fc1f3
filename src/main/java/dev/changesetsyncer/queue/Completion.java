package dev.changesetsyncer.queue;

import dev.changesetsyncer.codehost.SyncResult;
import java.util.Objects;

/** A finished sync to write back: fetched, unchanged, or gone. */
public record Completion(ClaimRef ref, SyncResult result) {
    public Completion {
        Objects.requireNonNull(ref, "ref");
        if (!(result instanceof SyncResult.Fetched || result instanceof SyncResult.Unchanged
                || result instanceof SyncResult.Gone)) {
            throw new IllegalArgumentException("a completion is fetched, unchanged or gone, not " + result);
        }
    }
}
