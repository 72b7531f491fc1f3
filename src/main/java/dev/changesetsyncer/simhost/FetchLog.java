package dev.changesetsyncer.simhost;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every request the host served, grouped into syncs. A sync is the requests of one claim (the
 * client's {@code X-Syncer-Claim} header; without it each request counts as a sync of its own),
 * from the start of its first request to the end of its last. Two syncs of one changeset whose
 * spans intersect are an <b>overlap</b>: the changeset was being fetched twice at once, which the
 * queue's leases exist to prevent.
 */
final class FetchLog {
    /** Overlap examples kept for the report. */
    private static final int EXAMPLES = 50;
    /** Syncs of one changeset remembered to check new requests against (a paused replica's claim included). */
    private static final int RECENT_SYNCS = 16;

    private final long startedNanos = System.nanoTime();
    private final Map<String, ChangesetFetches> byChangeset = new ConcurrentHashMap<>();
    private final Map<String, ReplicaCounts> byReplica = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byEndpoint = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final LongAdder etagHits = new LongAdder();
    private final LongAdder syncs = new LongAdder();
    private final LongAdder overlaps = new LongAdder();
    private final List<Overlap> examples = new ArrayList<>();
    private final AtomicLong anonymous = new AtomicLong();

    /** Two syncs of one changeset at once. Times are milliseconds since the host started. */
    record Overlap(String changeset, String claim, String replica, long startedMs, String otherClaim, String otherReplica,
            long otherStartedMs, long otherLastEndedMs, long detectedMs) {}

    /** A request under way; hand it back to {@link #end}. */
    static final class Fetch {
        private final String endpoint;
        private final String changesetKey;
        private final String claim;
        private final String replica;
        private final long startNanos;
        private final Span span;
        private final ChangesetFetches changeset;

        private Fetch(String endpoint, String changesetKey, String claim, String replica, long startNanos, Span span,
                ChangesetFetches changeset) {
            this.endpoint = endpoint;
            this.changesetKey = changesetKey;
            this.claim = claim;
            this.replica = replica;
            this.startNanos = startNanos;
            this.span = span;
            this.changeset = changeset;
        }
    }

    /** Where every request is written as one JSON line when it ends; null: nowhere. */
    private final FetchJournal journal;

    FetchLog() {
        this(null);
    }

    FetchLog(FetchJournal journal) {
        this.journal = journal;
    }

    private static final class Span {
        final String claim;
        final String replica;
        final long firstStart;
        long lastEnd;
        int active;
        final Set<String> overlapsWith = new HashSet<>();

        Span(String claim, String replica, long firstStart) {
            this.claim = claim;
            this.replica = replica;
            this.firstStart = firstStart;
            this.lastEnd = firstStart;
        }
    }

    private static final class ChangesetFetches {
        long requests;
        long syncs;
        final Deque<Span> recent = new ArrayDeque<>();
    }

    private static final class ReplicaCounts {
        final LongAdder requests = new LongAdder();
        final LongAdder syncs = new LongAdder();
    }

    /**
     * A request begins.
     *
     * @param changeset the changeset it reads ({@code owner/repo#number}), or null for one that reads none
     * @param claim the claim token the client sent, or null
     * @param replica who asked: the client's worker header, else its User-Agent
     */
    Fetch begin(String endpoint, String changeset, String claim, String replica) {
        requests.increment();
        byEndpoint.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
        ReplicaCounts counts = byReplica.computeIfAbsent(replica, k -> new ReplicaCounts());
        counts.requests.increment();
        long now = System.nanoTime();
        if (changeset == null) {
            return new Fetch(endpoint, null, claim, replica, now, null, null);
        }
        String syncKey = claim != null ? claim : "request-" + anonymous.incrementAndGet();
        ChangesetFetches fetches = byChangeset.computeIfAbsent(changeset, k -> new ChangesetFetches());
        synchronized (fetches) {
            fetches.requests++;
            Span span = null;
            for (Span s : fetches.recent) {
                if (s.claim.equals(syncKey)) {
                    span = s;
                    break;
                }
            }
            if (span == null) {
                span = new Span(syncKey, replica, now);
                fetches.recent.addLast(span);
                if (fetches.recent.size() > RECENT_SYNCS) {
                    fetches.recent.removeFirst();
                }
                fetches.syncs++;
                syncs.increment();
                counts.syncs.increment();
            }
            span.active++;
            span.lastEnd = Math.max(span.lastEnd, now);
            for (Span other : fetches.recent) {
                boolean intersects = other.active > 0 || other.lastEnd > span.firstStart;
                if (other != span && intersects && span.overlapsWith.add(other.claim)) {
                    other.overlapsWith.add(span.claim);
                    overlap(changeset, span, other, now);
                }
            }
            return new Fetch(endpoint, changeset, claim, replica, now, span, fetches);
        }
    }

    /**
     * The answer is ready, just before it is sent: recorded then, the end always precedes anything
     * the client does after receiving it (so a sync that follows is never mistaken for an overlap).
     */
    void end(Fetch fetch, int status) {
        byStatus.computeIfAbsent(String.valueOf(status), k -> new LongAdder()).increment();
        if (status == 304) {
            etagHits.increment();
        }
        long now = System.nanoTime();
        if (fetch.span != null) {
            synchronized (fetch.changeset) {
                fetch.span.active--;
                fetch.span.lastEnd = Math.max(fetch.span.lastEnd, now);
            }
        }
        if (journal != null) {
            journal.write(new FetchJournal.Entry(fetch.endpoint, fetch.changesetKey, fetch.claim, fetch.replica,
                    millis(fetch.startNanos), millis(now), status));
        }
    }

    private void overlap(String changeset, Span span, Span other, long now) {
        overlaps.increment();
        synchronized (examples) {
            if (examples.size() < EXAMPLES) {
                examples.add(new Overlap(changeset, span.claim, span.replica, millis(span.firstStart), other.claim,
                        other.replica, millis(other.firstStart), millis(other.lastEnd), millis(now)));
            }
        }
    }

    private long millis(long nanos) {
        return (nanos - startedNanos) / 1_000_000;
    }

    long requests() {
        return requests.sum();
    }

    long syncs() {
        return syncs.sum();
    }

    long overlaps() {
        return overlaps.sum();
    }

    long etagHits() {
        return etagHits.sum();
    }

    List<Overlap> overlapExamples() {
        synchronized (examples) {
            return List.copyOf(examples);
        }
    }

    Map<String, Long> byStatus() {
        return sums(byStatus);
    }

    Map<String, Long> byEndpoint() {
        return sums(byEndpoint);
    }

    /** Per replica: requests and syncs. */
    Map<String, long[]> byReplica() {
        Map<String, long[]> result = new TreeMap<>();
        byReplica.forEach((replica, counts) -> result.put(replica, new long[] {counts.requests.sum(), counts.syncs.sum()}));
        return result;
    }

    /** How many syncs each fetched changeset had, sorted ascending. */
    long[] syncsPerChangeset() {
        List<Long> counts = new ArrayList<>();
        byChangeset.values().forEach(fetches -> {
            synchronized (fetches) {
                counts.add(fetches.syncs);
            }
        });
        return counts.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    private static Map<String, Long> sums(Map<String, LongAdder> adders) {
        Map<String, Long> result = new TreeMap<>();
        adders.forEach((key, adder) -> result.put(key, adder.sum()));
        return result;
    }
}
