package dev.changesetsyncer.queue;

import dev.changesetsyncer.codehost.SyncResult;
import java.util.Objects;
import java.util.Optional;

/** A finished sync to write back: fetched, unchanged, or gone. */
public record Completion(ClaimRef ref, SyncResult.Completed result) implements WriteBack {
    public Completion {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(result, "result");
    }

    /** The repository's archived flag this sync found, when it has one to record. */
    public Optional<Boolean> repoArchived() {
        return switch (result) {
            case SyncResult.Fetched fetched -> Optional.ofNullable(fetched.snapshot().repoArchived());
            case SyncResult.Unchanged unchanged -> Optional.empty();
            case SyncResult.Gone gone -> Optional.empty();
        };
    }
}
