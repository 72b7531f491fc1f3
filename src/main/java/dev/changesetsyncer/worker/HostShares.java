package dev.changesetsyncer.worker;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Each code host's share of this replica's slots: when there is more than one code host, a host
 * running syncs in three quarters of the slots is left out of the next claims, so that a slow host
 * cannot hold every slot while another host's changesets wait.
 */
final class HostShares {
    private final int share;
    private final Map<Long, AtomicInteger> runningByHost = new ConcurrentHashMap<>();
    private volatile boolean severalHosts;

    HostShares(int concurrency) {
        this.share = Math.max(1, concurrency * 3 / 4);
    }

    /** Set by the replica's housekeeping from the number of code hosts in the database. */
    void severalHosts(boolean value) {
        severalHosts = value;
    }

    /** A sync of {@code codeHostId} started. */
    void started(long codeHostId) {
        runningByHost.computeIfAbsent(codeHostId, id -> new AtomicInteger()).incrementAndGet();
    }

    /** A sync of {@code codeHostId} ended. */
    void ended(long codeHostId) {
        runningByHost.get(codeHostId).decrementAndGet();
    }

    /** The hosts to leave out of the next claim: empty while there is a single host. */
    Set<Long> saturated() {
        if (!severalHosts) {
            return Set.of();
        }
        Set<Long> saturated = new HashSet<>();
        runningByHost.forEach((host, count) -> {
            if (count.get() >= share) {
                saturated.add(host);
            }
        });
        return saturated;
    }
}
