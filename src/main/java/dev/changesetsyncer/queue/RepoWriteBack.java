package dev.changesetsyncer.queue;

import dev.changesetsyncer.codehost.FailureKind;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.RepoTarget;
import java.util.Locale;
import java.util.Objects;

/**
 * A repository sync's result, to be written back under its claim by {@code record_repo_syncs}.
 *
 * @param target what the claim saw (its name is compared before a rename is written)
 */
public record RepoWriteBack(RepoClaimRef ref, RepoTarget target, RepoSyncResult result) {
    public RepoWriteBack {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(result, "result");
    }

    /** synced, not_found, failed or deferred (a rate-limit refusal). */
    String outcome() {
        return switch (result) {
            case RepoSyncResult.Found found -> "synced";
            case RepoSyncResult.NotFound notFound -> "not_found";
            case RepoSyncResult.Failed failed when failed.kind() == FailureKind.RATE_LIMITED -> "deferred";
            case RepoSyncResult.Failed failed -> "failed";
        };
    }

    /** What {@code last_error} records for a failure. */
    static String failureMessage(RepoSyncResult.Failed failed) {
        return failed.kind().name().toLowerCase(Locale.ROOT) + ": " + failed.message();
    }
}
