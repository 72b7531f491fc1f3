package dev.changesetsyncer.simhost;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The repositories and pull requests of the simulated host, and how they change. The initial
 * population is drawn from the seed; then every second of host time ({@link #tick}) each pull
 * request changes with probability {@code changeRate / 60} and is deleted with probability
 * {@code goneRate / 60}, drawn from the seed and the tick's number: the same settings give the same
 * history, whatever the clients do.
 */
final class Population {
    private static final HexFormat HEX = HexFormat.of();

    private final HostSettings settings;
    private final List<Repository> repos = new ArrayList<>();
    private final Map<String, Repository> reposByName = new ConcurrentHashMap<>();
    private final AtomicReferenceArray<PullRequest> pulls;
    private final AtomicLongArray repoVersions;
    private final Map<String, Integer> pullsByHead = new ConcurrentHashMap<>();
    private final LongAdder changes = new LongAdder();
    private final LongAdder deletions = new LongAdder();

    Population(HostSettings settings, Instant start) {
        this.settings = settings;
        this.pulls = new AtomicReferenceArray<>(settings.pulls());
        this.repoVersions = new AtomicLongArray(settings.repos());
        SplittableRandom random = new SplittableRandom(settings.seed());
        for (int r = 0; r < settings.repos(); r++) {
            Repository repo = new Repository(r, 100_000L + r, settings.owner(), "repo-%03d".formatted(r + 1),
                    start.minus(Duration.ofDays(400 + random.nextInt(600))));
            repos.add(repo);
            reposByName.put(repo.fullName(), repo);
            for (int n = 1; n <= settings.pullsPerRepo(); n++) {
                set(initial(repo, n, start, random));
            }
        }
    }

    private PullRequest initial(Repository repo, int number, Instant start, SplittableRandom random) {
        Instant created = start.minus(Duration.ofMinutes(60 + random.nextLong(60L * 24 * 60)));
        Instant updated = created.plus(Duration.ofMillis((long) (random.nextDouble() * Duration.between(created, start).toMillis())));
        double shape = random.nextDouble();
        boolean merged = shape < 0.15;
        boolean closed = shape < 0.25;
        boolean draft = !closed && shape < 0.35;
        long id = repo.id() * 100_000 + number;
        List<Review> reviews = new ArrayList<>();
        String sha = sha(id, 0);
        int reviewCount = random.nextInt(4);
        for (int k = 0; k < reviewCount; k++) {
            reviews.add(review(id, k, random, updated, sha));
        }
        return new PullRequest(repo, number, id, 1, "Change " + number + " of " + repo.name(),
                "dev-" + random.nextInt(50), closed, merged, draft, created, updated, closed ? updated : null,
                merged ? updated : null, sha, created, reviews, !closed && random.nextDouble() < 0.3, false);
    }

    /** Applies the changes of tick {@code n} (the n-th second of host time), dated {@code now}. */
    void tick(long n, Instant now) {
        SplittableRandom random = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + n);
        double changeChance = settings.changeRate() / 60;
        double goneChance = settings.goneRate() / 60;
        for (int i = 0; i < pulls.length(); i++) {
            double draw = random.nextDouble();
            PullRequest pull = pulls.get(i);
            if (pull.deleted()) {
                continue;
            }
            if (draw < goneChance) {
                set(pull.asDeleted().changed(now));
                deletions.increment();
            } else if (draw < goneChance + changeChance) {
                set(change(pull, random, now).changed(now));
                changes.increment();
            }
        }
    }

    /** One change: a push, a review, an edit, a draft flip, a merge, a close or a reopen. */
    private PullRequest change(PullRequest pull, SplittableRandom random, Instant now) {
        double kind = random.nextDouble();
        if (pull.merged()) {
            return pull.withTitle(pull.title() + " (edited)");
        }
        if (pull.closed()) {
            return kind < 0.5 ? pull.withState(false, false, pull.draft(), null, null) : pull.withTitle(pull.title() + " (edited)");
        }
        if (kind < 0.40) {
            return pull.withHead(sha(pull.id(), pull.version()), now);
        }
        if (kind < 0.65) {
            List<Review> reviews = new ArrayList<>(pull.reviews());
            reviews.add(review(pull.id(), reviews.size(), random, now, pull.headSha()));
            return pull.withReviews(reviews, false);
        }
        if (kind < 0.75) {
            return pull.withTitle("Change " + pull.number() + " of " + pull.repo().name() + " v" + (pull.version() + 1));
        }
        if (kind < 0.80) {
            return pull.withState(false, false, !pull.draft(), null, null);
        }
        if (kind < 0.92) {
            return pull.withState(true, true, false, now, now);
        }
        return pull.withState(true, false, pull.draft(), now, null);
    }

    private static Review review(long pullId, int k, SplittableRandom random, Instant at, String commit) {
        double verdict = random.nextDouble();
        String state = verdict < 0.5 ? "APPROVED" : verdict < 0.7 ? "CHANGES_REQUESTED" : "COMMENTED";
        return new Review(pullId * 100 + k, "reviewer-" + random.nextInt(20), state, at, commit);
    }

    /** A 40-hex-digit commit id, unique per pull request and push. */
    private static String sha(long pullId, int push) {
        long a = mix(pullId * 31 + push);
        long b = mix(a ^ 0x5DEECE66DL);
        int c = (int) mix(b + 1);
        return HEX.toHexDigits(a) + HEX.toHexDigits(b) + HEX.toHexDigits(c);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private void set(PullRequest pull) {
        int index = pull.repo().index() * settings.pullsPerRepo() + pull.number() - 1;
        pulls.set(index, pull);
        pullsByHead.putIfAbsent(pull.headSha(), index);
        repoVersions.incrementAndGet(pull.repo().index());
    }

    Optional<Repository> repo(String owner, String name) {
        return Optional.ofNullable(reposByName.get(owner + "/" + name));
    }

    List<Repository> repos() {
        return List.copyOf(repos);
    }

    /** The pull request, deleted ones included; empty when the number never existed. */
    Optional<PullRequest> pull(Repository repo, int number) {
        if (number < 1 || number > settings.pullsPerRepo()) {
            return Optional.empty();
        }
        return Optional.of(pulls.get(repo.index() * settings.pullsPerRepo() + number - 1));
    }

    /** The pull request whose head (now or before) is this commit. */
    Optional<PullRequest> pullWithCommit(Repository repo, String sha) {
        Integer index = pullsByHead.get(sha);
        if (index == null) {
            return Optional.empty();
        }
        PullRequest pull = pulls.get(index);
        return pull.repo().equals(repo) ? Optional.of(pull) : Optional.empty();
    }

    List<PullRequest> pullsOf(Repository repo) {
        List<PullRequest> result = new ArrayList<>(settings.pullsPerRepo());
        for (int n = 0; n < settings.pullsPerRepo(); n++) {
            result.add(pulls.get(repo.index() * settings.pullsPerRepo() + n));
        }
        return result;
    }

    /** Bumped whenever any pull request of the repository changes: part of the list's ETag. */
    long version(Repository repo) {
        return repoVersions.get(repo.index());
    }

    long changes() {
        return changes.sum();
    }

    long deletions() {
        return deletions.sum();
    }
}
