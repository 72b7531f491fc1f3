package dev.changesetsyncer.codehost.http;

import java.net.URI;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Which sync a host request belongs to, sent with it as {@value #WORKER_HEADER} (the replica) and
 * {@value #CLAIM_HEADER} (the claim token), so that a host's access log — or the simulated host's
 * overlap check — can tell the requests of one sync from another's. The worker sets it around each
 * sync on the sync's own thread; neither value is secret.
 *
 * <p>It also carries the sync's request deadline: the moment, on this JVM's monotonic clock
 * ({@link System#nanoTime()}), after which the claim's lease can no longer be vouched for. No
 * request of the sync starts after it, and no answer is awaited past it ({@link HostHttp}): a
 * replica frozen past its lease (a long GC pause, SIGSTOP, a suspended VM) resumes without calling
 * the host for a changeset another replica may have re-claimed.
 */
public final class SyncCaller {
    public static final String WORKER_HEADER = "X-Syncer-Worker";
    public static final String CLAIM_HEADER = "X-Syncer-Claim";
    private static final ThreadLocal<Map<String, String>> current = new ThreadLocal<>();
    private static final ThreadLocal<LongSupplier> deadline = new ThreadLocal<>();

    private SyncCaller() {}

    /** Ends the sync's tagging when closed. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Tags this thread's host requests with the replica and the claim until the scope is closed. */
    public static Scope enter(String workerId, long claimToken) {
        return enter(workerId, claimToken, null);
    }

    /**
     * As {@link #enter(String, long)}, with the sync's request deadline.
     *
     * @param deadlineNanos the latest {@link System#nanoTime()} at which a request may start or an
     *     answer be awaited; read before each request (a heartbeat may have pushed it); null: none
     */
    public static Scope enter(String workerId, long claimToken, LongSupplier deadlineNanos) {
        current.set(Map.of(WORKER_HEADER, workerId, CLAIM_HEADER, Long.toString(claimToken)));
        deadline.set(deadlineNanos);
        return () -> {
            current.remove();
            deadline.remove();
        };
    }

    /** Nanoseconds left before this thread's sync deadline (negative: passed); Long.MAX_VALUE outside a sync or without one. */
    static long nanosLeft() {
        LongSupplier supplier = deadline.get();
        return supplier == null ? Long.MAX_VALUE : supplier.getAsLong() - System.nanoTime();
    }

    /** Throws if this thread's sync may no longer call the host. */
    static void requireTimeLeft(URI uri) throws LeaseDeadlinePassed {
        long left = nanosLeft();
        if (left <= 0) {
            throw new LeaseDeadlinePassed("not sending GET " + ApiScope.describe(uri) + ": the sync's lease deadline passed "
                    + (-left / 1_000_000) + " ms ago (the changeset may have been claimed again)");
        }
    }

    /** The headers for this thread's requests: empty outside a sync. */
    static Map<String, String> headers() {
        Map<String, String> headers = current.get();
        return headers == null ? Map.of() : headers;
    }
}
