package dev.changesetsyncer.codehost.http;

import java.util.Map;

/**
 * Which sync a host request belongs to, sent with it as {@value #WORKER_HEADER} (the replica) and
 * {@value #CLAIM_HEADER} (the claim token), so that a host's access log — or the simulated host's
 * overlap check — can tell the requests of one sync from another's. The worker sets it around each
 * sync on the sync's own thread; neither value is secret.
 */
public final class SyncCaller {
    public static final String WORKER_HEADER = "X-Syncer-Worker";
    public static final String CLAIM_HEADER = "X-Syncer-Claim";
    private static final ThreadLocal<Map<String, String>> current = new ThreadLocal<>();

    private SyncCaller() {}

    /** Ends the sync's tagging when closed. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Tags this thread's host requests with the replica and the claim until the scope is closed. */
    public static Scope enter(String workerId, long claimToken) {
        current.set(Map.of(WORKER_HEADER, workerId, CLAIM_HEADER, Long.toString(claimToken)));
        return current::remove;
    }

    /** The headers for this thread's requests: empty outside a sync. */
    static Map<String, String> headers() {
        Map<String, String> headers = current.get();
        return headers == null ? Map.of() : headers;
    }
}
