package dev.changesetsyncer.queue;

import dev.changesetsyncer.codehost.SyncTarget;
import java.time.Instant;

/**
 * A claimed changeset.
 *
 * @param claimedAt database time of the claim
 * @param leaseUntil database time when the lease runs out unless extended
 * @param priority the pending request's priority: 0 none or bulk, 1 requested, 2 urgent
 * @param level the claim level it was claimed at: 0 routine, 1 bulk, 2 requested, 3 urgent
 * @param cost tokens the claim took from its host's budget (null: the host has no budget)
 * @param requestedAt database time of the changeset's earliest pending request (null: none)
 */
public record Claim(ClaimRef ref, Instant claimedAt, Instant leaseUntil, int priority, int level, Double cost,
        SyncTarget target, Instant requestedAt) {
    public long changesetId() {
        return ref.changesetId();
    }
}
