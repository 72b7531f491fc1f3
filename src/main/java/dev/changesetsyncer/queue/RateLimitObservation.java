package dev.changesetsyncer.queue;

import dev.changesetsyncer.codehost.RateLimitStatus;
import java.util.Objects;

/** What a code host said about its quota in a response; the latest one per host is written back. */
public record RateLimitObservation(long codeHostId, RateLimitStatus status) {
    public RateLimitObservation {
        Objects.requireNonNull(status, "status");
    }
}
