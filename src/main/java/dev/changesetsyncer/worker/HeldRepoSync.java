package dev.changesetsyncer.worker;

import dev.changesetsyncer.queue.RepoClaim;
import dev.changesetsyncer.queue.RepoClaimRef;

/** A held repository claim and where its sync stands, as for changesets (the states: {@link HeldClaim}). */
final class HeldRepoSync extends HeldClaim<RepoClaim> {
    HeldRepoSync(RepoClaim claim, long deadlineNanos) {
        super(claim, deadlineNanos);
    }

    RepoClaimRef ref() {
        return claim().ref();
    }
}
