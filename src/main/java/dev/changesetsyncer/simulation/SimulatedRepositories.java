package dev.changesetsyncer.simulation;

import dev.changesetsyncer.catalog.Tracking;
import dev.changesetsyncer.codehost.PullListing;
import dev.changesetsyncer.codehost.RepoSnapshot;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.RepoTarget;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

/**
 * The repositories of the simulated host. A repository it has not been told about is as the database
 * has it (its name and archived flag as asked for), so that the simulator changes nothing by itself;
 * tests and the demo archive, rename, delete and restore repositories and open pull requests in them. Reads are answered like GitHub's: the repository and the first listing
 * page carry a version (an ETag), and a read whose version is still the one sent back is a free 304.
 * It also watches its callers: a repository read by two syncs at once is an {@linkplain #overlaps() overlap}.
 */
public final class SimulatedRepositories {
    static final String REPO = "repo";
    static final String PULLS = "pulls";

    /**
     * A repository's state; the version moves with every change of the repository, pullsVersion with its
     * pull requests. A null name, archived flag or deletion: the one it is asked for.
     */
    private record State(String name, Boolean archived, Boolean deleted, long version, List<Pull> pulls,
            long pullsVersion) {}

    private record Pull(String number, boolean open, Instant updatedAt) {}

    /** A repository nobody changed: there, unarchived, as named in the database, no pull requests. */
    private static final State INITIAL = new State(null, null, null, 1, List.of(), 1);

    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
    private final LongAdder reads = new LongAdder();
    private final LongAdder overlaps = new LongAdder();
    private Instant lastUpdate = Instant.EPOCH;

    /** Archives (or unarchives) the repository with this id. */
    public void archive(String externalId, boolean archived) {
        change(externalId, s -> new State(s.name(), archived, s.deleted(), s.version() + 1, s.pulls(), s.pullsVersion()));
    }

    /** Gives the repository a new name ({@code owner/repo}). */
    public void rename(String externalId, String newName) {
        change(externalId, s -> new State(newName, s.archived(), s.deleted(), s.version() + 1, s.pulls(), s.pullsVersion()));
    }

    /** Deletes it (reads answer 404), or brings it back. */
    public void delete(String externalId, boolean deleted) {
        change(externalId, s -> new State(s.name(), s.archived(), deleted, s.version() + 1, s.pulls(), s.pullsVersion()));
    }

    /** Opens pull requests (or updates them, open again), updated now, in this order. */
    public void openPullRequests(String externalId, String... numbers) {
        change(externalId, s -> {
            Map<String, Pull> pulls = new HashMap<>();
            s.pulls().forEach(pull -> pulls.put(pull.number(), pull));
            for (String number : numbers) {
                pulls.put(number, new Pull(number, true, nextUpdate()));
            }
            return new State(s.name(), s.archived(), s.deleted(), s.version(), List.copyOf(pulls.values()),
                    s.pullsVersion() + 1);
        });
    }

    /** Closes a pull request (updated now). */
    public void closePullRequest(String externalId, String number) {
        change(externalId, s -> new State(s.name(), s.archived(), s.deleted(), s.version(),
                s.pulls().stream().map(pull -> pull.number().equals(number) ? new Pull(number, false, nextUpdate()) : pull)
                        .toList(), s.pullsVersion() + 1));
    }

    /** Whether the repository with this id is archived (its pull requests are read-only). */
    boolean archived(String externalId) {
        State state = externalId == null ? null : states.get(externalId);
        return state != null && Boolean.TRUE.equals(state.archived());
    }

    /** Answers a repository sync. */
    RepoSyncResult sync(RepoTarget target) {
        String key = key(target);
        reads.increment();
        if (active.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
            overlaps.increment();
        }
        try {
            State state = states.getOrDefault(key, INITIAL);
            if (state.deleted() != null ? state.deleted() : target.deleted()) {
                return new RepoSyncResult.NotFound("simulated 404 Not Found: repository " + target.name(), null, 0);
            }
            int free = 0;
            Map<String, String> markers = new HashMap<>();
            String version = "\"r" + state.version() + "\"";
            RepoSnapshot repository = null;
            if (version.equals(target.changeMarkers().get(REPO))) {
                free++;
            } else {
                repository = new RepoSnapshot(key, state.name() != null ? state.name() : target.name(),
                        state.archived() != null ? state.archived() : target.archived());
                markers.put(REPO, version);
            }
            PullListing listing = null;
            if (target.track() != Tracking.NONE) {
                String pullsVersion = "\"p" + state.pullsVersion() + "-" + target.track().sqlName() + "\"";
                Instant stopAt = target.listingResumesAfter();
                if (pullsVersion.equals(target.marker(PULLS, true))) {
                    free++;
                    listing = PullListing.unchanged(target.track(), stopAt);
                } else {
                    markers.put(PULLS, pullsVersion);
                    listing = list(state, target.track(), stopAt);
                }
            }
            return new RepoSyncResult.Found(repository, markers, listing, null, free);
        } finally {
            active.get(key).decrementAndGet();
        }
    }

    /** Newest first, stopping at the last seen. */
    private static PullListing list(State state, Tracking track, Instant stopAt) {
        List<String> numbers = new ArrayList<>();
        Instant newest = stopAt;
        List<Pull> pulls = state.pulls().stream()
                .filter(pull -> track == Tracking.ALL || pull.open())
                .sorted(Comparator.comparing(Pull::updatedAt).reversed())
                .toList();
        for (Pull pull : pulls) {
            if (stopAt != null && !pull.updatedAt().isAfter(stopAt)) {
                break;
            }
            numbers.add(pull.number());
            newest = newest == null || pull.updatedAt().isAfter(newest) ? pull.updatedAt() : newest;
        }
        return new PullListing(track, numbers, newest, 1, false);
    }

    /** Repository reads so far. */
    public long reads() {
        return reads.sum();
    }

    /** How many times a read began while another read of the same repository was running. */
    public long overlaps() {
        return overlaps.sum();
    }

    private void change(String externalId, UnaryOperator<State> change) {
        states.compute(externalId, (key, state) -> change.apply(state == null ? INITIAL : state));
    }

    private static String key(RepoTarget target) {
        return target.externalId() != null ? target.externalId() : target.name();
    }

    /** Strictly increasing update times, so that a listing's order and its high-water mark are exact. */
    private synchronized Instant nextUpdate() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        lastUpdate = now.isAfter(lastUpdate) ? now : lastUpdate.plusNanos(1000);
        return lastUpdate;
    }
}
