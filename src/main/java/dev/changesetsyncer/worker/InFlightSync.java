package dev.changesetsyncer.worker;

import dev.changesetsyncer.queue.Claim;
import dev.changesetsyncer.queue.ClaimRef;

/** A held changeset claim and where its sync stands (the states: {@link HeldClaim}). */
final class InFlightSync extends HeldClaim<Claim> {
    InFlightSync(Claim claim, long deadlineNanos) {
        super(claim, deadlineNanos);
    }

    ClaimRef ref() {
        return claim().ref();
    }
}
