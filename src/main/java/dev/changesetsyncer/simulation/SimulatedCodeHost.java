package dev.changesetsyncer.simulation;

import dev.changesetsyncer.codehost.ChangesetSnapshot;
import dev.changesetsyncer.codehost.ChangesetState;
import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.CodeHostClient;
import dev.changesetsyncer.codehost.FailureKind;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.RepoTarget;
import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.SyncTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * A code host in memory, for the demo, tests and benchmarks. It also watches its callers: how
 * often each changeset was fetched, and whether any changeset was ever fetched by two callers at
 * once (an {@linkplain #overlaps() overlap} means the queue let a changeset run twice). Its
 * repositories ({@link #repositories()}) can be archived, renamed and deleted; the pull requests of
 * an archived one are read-only (they do not carry the flag: the repository sync finds it).
 */
public final class SimulatedCodeHost implements CodeHostClient {
    /** A fixed answer for one changeset, overriding the random draw (for tests and the demo). */
    public enum Scripted { FAIL, GONE, RATE_LIMITED }

    /** The change marker of the repository's archived flag as the last fetch saw it. */
    private static final String ARCHIVED = "archived";

    private volatile SimulationSettings settings;
    private final Map<Long, AtomicLong> fetchesByChangeset = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> active = new ConcurrentHashMap<>();
    private final Map<Long, Scripted> scripted = new ConcurrentHashMap<>();
    private final SimulatedRepositories repositories = new SimulatedRepositories();
    private final LongAdder fetches = new LongAdder();
    private final LongAdder overlaps = new LongAdder();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private final LongAdder refusals = new LongAdder();
    private volatile LongConsumer fetchObserver = id -> { };
    private volatile long refuseUntilNanos = System.nanoTime(); // (nanoTime values only compare by difference)
    /** Open unless {@link #hold()} closed it: fetches wait here, counted as running. */
    private volatile CountDownLatch gate = new CountDownLatch(0);

    public SimulatedCodeHost(SimulationSettings settings) {
        this.settings = settings;
    }

    public void settings(SimulationSettings value) {
        this.settings = value;
    }

    /** Called with the changeset id as each fetch begins (the benchmark times requests with it). */
    public void observeFetches(LongConsumer observer) {
        this.fetchObserver = observer;
    }

    /**
     * For the next {@code window}, every fetch is refused like a host over its limit: 429 with a
     * Retry-After of the time left.
     */
    public void rateLimitFor(Duration window) {
        refuseUntilNanos = System.nanoTime() + window.toNanos();
    }

    /**
     * From now on, fetches that reach the host wait, counted as {@linkplain #running() running}, until
     * {@link #release()} (or until their thread is interrupted): tests hold syncs in flight for as long
     * as they need to look at them.
     */
    public void hold() {
        gate = new CountDownLatch(1);
    }

    /** Lets every held fetch, and every later one, through. */
    public void release() {
        gate.countDown();
    }

    /** The host's repositories: archive, rename, delete them, open pull requests. */
    public SimulatedRepositories repositories() {
        return repositories;
    }

    @Override
    public RepoSyncResult syncRepository(RepoTarget target) throws InterruptedException {
        if (refuseUntilNanos - System.nanoTime() > 0) {
            return new RepoSyncResult.Failed(FailureKind.RATE_LIMITED, "simulated 429 Too Many Requests",
                    Duration.ofNanos(refuseUntilNanos - System.nanoTime()), null, 0);
        }
        SimulationSettings current = settings;
        if (!current.latency().isZero()) {
            Thread.sleep(current.latency());
        }
        return repositories.sync(target);
    }

    /** From now on, every fetch of this changeset gets this answer. */
    public void script(long changesetId, Scripted answer) {
        scripted.put(changesetId, answer);
    }

    @Override
    public SyncResult fetch(SyncTarget target) throws InterruptedException {
        long id = target.changesetId();
        long startedNanos = System.nanoTime();
        fetchObserver.accept(id);
        long refusedFor = refuseUntilNanos - startedNanos;
        if (refusedFor > 0) {
            fetches.increment();
            refusals.increment();
            return new SyncResult.Failed(FailureKind.RATE_LIMITED, "simulated 429 Too Many Requests",
                    Duration.ofNanos(refusedFor), null);
        }
        if (active.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() > 1) {
            overlaps.increment();
        }
        maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
        try {
            long n = fetchesByChangeset.computeIfAbsent(id, k -> new AtomicLong()).incrementAndGet();
            fetches.increment();
            gate.await();
            SimulationSettings current = settings;
            if (!current.latency().isZero()) {
                Thread.sleep(current.latency());
            }
            return answer(target, n, current);
        } finally {
            concurrent.decrementAndGet();
            active.get(id).decrementAndGet();
        }
    }

    private SyncResult answer(SyncTarget target, long n, SimulationSettings current) {
        Scripted forced = scripted.get(target.changesetId());
        if (forced != null) {
            return switch (forced) {
                case FAIL -> new SyncResult.Failed(FailureKind.TRANSIENT, "simulated 502 Bad Gateway", null, null);
                case GONE -> new SyncResult.Gone("simulated 404 Not Found", null);
                case RATE_LIMITED -> new SyncResult.Failed(FailureKind.RATE_LIMITED, "simulated 429 Too Many Requests",
                        Duration.ofSeconds(1), null);
            };
        }
        double draw = unit(current.seed(), target.changesetId(), n, 1);
        boolean firstFetch = target.changeMarkers().isEmpty();
        // the repository was archived or unarchived since this changeset's last fetch: its state changed
        boolean archived = repositories.archived(target.repoExternalId());
        boolean archivedChanged = !String.valueOf(archived).equals(target.changeMarkers().getOrDefault(ARCHIVED, "false"));
        if (draw < current.errorRate()) {
            return new SyncResult.Failed(FailureKind.TRANSIENT, "simulated 502 Bad Gateway", null, null);
        }
        draw -= current.errorRate();
        if (draw < current.rateLimitRate()) {
            return new SyncResult.Failed(FailureKind.RATE_LIMITED, "simulated 429 Too Many Requests",
                    Duration.ofSeconds(1), null);
        }
        draw -= current.rateLimitRate();
        if (!firstFetch && draw < current.goneRate()) {
            return new SyncResult.Gone("simulated 404 Not Found", null);
        }
        draw -= current.goneRate();
        if (firstFetch || archivedChanged || draw < current.changeRate()) {
            ChangesetSnapshot snapshot = snapshot(target, n, current.seed());
            if (archived) {
                snapshot = new ChangesetSnapshot(ChangesetState.READ_ONLY, snapshot.title(), snapshot.author(),
                        snapshot.url(), snapshot.headRef(), snapshot.baseRef(), snapshot.headSha(), snapshot.reviewState(),
                        snapshot.checkState(), snapshot.updatedAt(), null);
            }
            return new SyncResult.Fetched(snapshot, Map.of("pull", "\"v" + n + "\"", ARCHIVED, String.valueOf(archived)),
                    List.of(), null);
        }
        return new SyncResult.Unchanged(null);
    }

    private static ChangesetSnapshot snapshot(SyncTarget target, long version, long seed) {
        double shape = unit(seed, target.changesetId(), version, 2);
        ChangesetState state = shape < 0.70 ? ChangesetState.OPEN
                : shape < 0.80 ? ChangesetState.DRAFT
                : shape < 0.95 ? ChangesetState.MERGED : ChangesetState.CLOSED;
        double checks = unit(seed, target.changesetId(), version, 3);
        CheckState checkState = checks < 0.15 ? CheckState.PENDING : checks < 0.9 ? CheckState.PASSED : CheckState.FAILED;
        String sha = Long.toHexString(mix(seed ^ target.changesetId() * 31 + version));
        return new ChangesetSnapshot(
                state,
                "Simulated change " + target.externalId() + " (v" + version + ")",
                "author-" + (target.changesetId() % 97),
                target.baseUrl() + "/" + target.repoName() + "/pull/" + target.externalId(),
                "feature/" + target.externalId(),
                "main",
                sha,
                ReviewState.values()[(int) (mix(sha.hashCode()) & 3)],
                checkState,
                updatedAt(seed, target.changesetId(), version),
                null);
    }

    /**
     * The host's updated_at: on the first fetch the changeset has been quiet for 1 to 30 days; a
     * later fetch that finds it changed finds a change within the last minute.
     */
    private static Instant updatedAt(long seed, long changesetId, long version) {
        double age = unit(seed, changesetId, version, 4);
        Duration quiet = version == 1
                ? Duration.ofMinutes((long) (Duration.ofDays(1).toMinutes() * (1 + 29 * age)))
                : Duration.ofMillis((long) (60_000 * age));
        return Instant.now().minus(quiet);
    }

    /** A deterministic number in [0, 1) for (seed, changeset, fetch, purpose). */
    private static double unit(long seed, long changesetId, long n, int purpose) {
        long h = mix(seed * 0x9E3779B97F4A7C15L + changesetId * 0xC2B2AE3D27D4EB4FL + n * 0x165667B19E3779F9L + purpose);
        return (h >>> 11) * 0x1.0p-53;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public long fetches() {
        return fetches.sum();
    }

    public long fetchesOf(long changesetId) {
        AtomicLong count = fetchesByChangeset.get(changesetId);
        return count == null ? 0 : count.get();
    }

    /** Every changeset fetched so far, with how many times. */
    public Map<Long, Long> fetchCounts() {
        Map<Long, Long> copy = new HashMap<>();
        fetchesByChangeset.forEach((id, count) -> copy.put(id, count.get()));
        return copy;
    }

    /** How many times a fetch began while another fetch of the same changeset was running. */
    public long overlaps() {
        return overlaps.sum();
    }

    /** Fetches running right now (held ones included). */
    public int running() {
        return concurrent.get();
    }

    public int maxConcurrent() {
        return maxConcurrent.get();
    }

    /** Fetches refused because of {@link #rateLimitFor}. */
    public long refusals() {
        return refusals.sum();
    }
}
