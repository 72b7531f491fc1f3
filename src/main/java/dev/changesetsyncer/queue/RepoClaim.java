package dev.changesetsyncer.queue;

import dev.changesetsyncer.codehost.RepoTarget;
import java.time.Instant;
import java.util.Objects;

/**
 * A claimed repository sync.
 *
 * @param claimedAt database time of the claim
 * @param leaseUntil database time when the lease runs out unless extended
 * @param cost tokens the claim took from its host's budget (null: the host has no budget)
 */
public record RepoClaim(RepoClaimRef ref, Instant claimedAt, Instant leaseUntil, Double cost, RepoTarget target) {
    public RepoClaim {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(target, "target");
    }

    public long repoId() {
        return ref.repoId();
    }
}
