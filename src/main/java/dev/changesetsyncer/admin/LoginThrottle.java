package dev.changesetsyncer.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows the guessing of admin secrets: an address that fails {@link #FAILURES_ALLOWED} log-ins (form or
 * Bearer token) within {@link #WINDOW} is refused until that window ends, even with the right secret,
 * so each ten guesses cost five minutes. A successful log-in forgets the address's failures.
 *
 * <p>Kept per replica, in memory, on the replica's clock (it orders no data): n replicas behind a
 * balancer allow n times as many guesses, and behind a reverse proxy every client shares the proxy's
 * address. At most {@link #ADDRESSES_TRACKED} addresses are remembered; past that, new addresses share
 * one allowance, so a guesser with many addresses can neither grow the memory nor wipe it.
 */
final class LoginThrottle {
    static final int FAILURES_ALLOWED = 10;
    static final Duration WINDOW = Duration.ofMinutes(5);
    static final int ADDRESSES_TRACKED = 10_000;
    /** The shared allowance of the addresses that arrive while the memory is full. */
    static final String OTHER_ADDRESSES = "(other addresses)";

    /** The failures of one address since {@code start}. */
    private record Failures(Instant start, int count) {}

    private final Map<String, Failures> failures = new HashMap<>();
    private final Clock clock;

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long {@code address} must wait before its next log-in is looked at; empty if it may try now. */
    synchronized Optional<Duration> waitFor(String address) {
        Instant now = clock.instant();
        Failures seen = failures.get(keyOf(address, now));
        if (seen == null || ended(seen, now) || seen.count() < FAILURES_ALLOWED) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, seen.start().plus(WINDOW)));
    }

    /**
     * Counts a failed log-in of {@code address}.
     *
     * @return whether this failure used up the address's allowance (it is refused from now on)
     */
    synchronized boolean failed(String address) {
        Instant now = clock.instant();
        Failures next = failures.compute(keyOf(address, now), (key, seen) ->
                seen == null || ended(seen, now) ? new Failures(now, 1) : new Failures(seen.start(), seen.count() + 1));
        return next.count() == FAILURES_ALLOWED;
    }

    /** Forgets the failures of {@code address}: its operator knows the secret. */
    synchronized void succeeded(String address) {
        failures.remove(address);
    }

    /** {@code address} itself while there is room to remember it, else the shared allowance. */
    private String keyOf(String address, Instant now) {
        if (failures.containsKey(address) || failures.size() < ADDRESSES_TRACKED) {
            return address;
        }
        failures.values().removeIf(seen -> ended(seen, now));
        return failures.size() < ADDRESSES_TRACKED ? address : OTHER_ADDRESSES;
    }

    private static boolean ended(Failures seen, Instant now) {
        return !now.isBefore(seen.start().plus(WINDOW));
    }
}
