package dev.changesetsyncer.codehost;

import dev.changesetsyncer.catalog.Tracking;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a listing of a repository's pull requests found: those updated since the last listing (newest first,
 * stopping at the last seen).
 *
 * @param state which pull requests were listed (open or all)
 * @param numbers the pull requests (their numbers, ids or iids) updated since the last listing: the ones we
 *     do not have yet are imported
 * @param listedUntil the new high-water mark: the newest {@code updated_at} seen (the old one when nothing
 *     was newer; null when the repository has none)
 * @param pages pages read (0 when the first page answered 304)
 * @param truncated the listing stopped at its page limit before reaching the last seen
 */
public record PullListing(Tracking state, List<String> numbers, Instant listedUntil, int pages, boolean truncated) {
    public PullListing {
        Objects.requireNonNull(state, "state");
        numbers = List.copyOf(numbers);
    }

    /** The first page had not changed (304): nothing new since the last listing. */
    public static PullListing unchanged(Tracking state, Instant listedUntil) {
        return new PullListing(state, List.of(), listedUntil, 0, false);
    }
}
