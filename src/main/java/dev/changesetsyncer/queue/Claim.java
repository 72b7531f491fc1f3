package dev.changesetsyncer.queue;

import dev.changesetsyncer.codehost.SyncTarget;
import java.time.Instant;

/**
 * A claimed changeset.
 *
 * @param claimedAt database time of the claim
 * @param leaseUntil database time when the lease runs out unless extended
 * @param priority 0 routine, 1 requested, 2 urgent
 */
public record Claim(ClaimRef ref, Instant claimedAt, Instant leaseUntil, int priority, SyncTarget target) {
    public long changesetId() {
        return ref.changesetId();
    }
}
