package dev.changesetsyncer.codehost.http;

/**
 * A sync's lease may have run out, so it makes no more requests: another replica may have claimed
 * the changeset meanwhile and be calling the host for it. Thrown before a request (and when an
 * answer is still awaited at the deadline); the sync is abandoned without a write-back. It is an
 * {@link InterruptedException} because that is what a cancelled sync throws through every client.
 */
public final class LeaseDeadlinePassed extends InterruptedException {
    public LeaseDeadlinePassed(String message) {
        super(message);
    }
}
