package dev.changesetsyncer.queue;

import static dev.changesetsyncer.jooq.Tables.CLAIM_CHANGESETS;
import static dev.changesetsyncer.jooq.Tables.CODE_HOSTS;
import static dev.changesetsyncer.jooq.Tables.COMPLETE_SYNCS;
import static dev.changesetsyncer.jooq.Tables.DEFER_SYNCS;
import static dev.changesetsyncer.jooq.Tables.EXTEND_LEASES;
import static dev.changesetsyncer.jooq.Tables.EXTEND_REPO_LEASES;
import static dev.changesetsyncer.jooq.Tables.FAIL_SYNCS;
import static dev.changesetsyncer.jooq.Tables.RECORD_ARCHIVED_FLAGS;
import static dev.changesetsyncer.jooq.Tables.RECORD_REPO_SYNCS;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.Tracking;
import dev.changesetsyncer.codehost.CheckState;
import dev.changesetsyncer.codehost.RepoTarget;
import dev.changesetsyncer.codehost.ReviewState;
import dev.changesetsyncer.codehost.SyncTarget;
import dev.changesetsyncer.jooq.Routines;
import dev.changesetsyncer.jooq.tables.records.ClaimChangesetsRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.JSONB;

/**
 * The sync queue, as workers see it: each method is one SQL function of {@code db/functions/queue/} (for
 * {@link #observe}, of {@code db/functions/rate-limit-reports.sql}; for repository syncs, of
 * {@code db/functions/repos/}), one round trip, one transaction.
 * Write-backs are fenced by claim token: the returned ids are the ones applied; a missing id lost its
 * claim (its lease expired and it was claimed again).
 *
 * <p>Time is the database's, except on a queue made by {@link #at(Instant)}.
 */
public final class SyncQueue {
    private static final ObjectMapper json = new ObjectMapper();
    private final DSLContext dsl;
    /** The time the claim, heartbeat, sweep and next-claim delay compute at; null: the database's now(). */
    private final Instant now;

    public SyncQueue(DSLContext dsl) {
        this(dsl, null);
    }

    private SyncQueue(DSLContext dsl, Instant now) {
        this.dsl = dsl;
        this.now = now;
    }

    /**
     * This queue with its clock set to {@code now}, for tests: claims, heartbeats, the expired-lease sweep
     * and the next-claim delay compute at {@code now} instead of the database's time (what is due, budgets
     * refilled, pauses over, leases granted and expired). Write-backs keep the database's time.
     */
    public SyncQueue at(Instant now) {
        // to the microsecond, as Postgres keeps it
        return new SyncQueue(dsl, Objects.requireNonNull(now, "now").truncatedTo(ChronoUnit.MICROS));
    }

    /** Claims up to {@code max} due changesets in claim order (urgent and requested first), leased to {@code worker}. */
    public List<Claim> claim(String worker, int max, Duration lease) {
        return claim(worker, max, lease, Set.of());
    }

    /** As {@link #claim(String, int, Duration)}, leaving out the code hosts in {@code skipHosts}. */
    public List<Claim> claim(String worker, int max, Duration lease, Set<Long> skipHosts) {
        return claim(worker, max, lease, skipHosts, false);
    }

    /** As above; with {@code requestedOnly}, only changesets someone asked to sync now. */
    public List<Claim> claim(String worker, int max, Duration lease, Set<Long> skipHosts, boolean requestedOnly) {
        return dsl.selectFrom(CLAIM_CHANGESETS.call(worker, max, lease, skipHosts.toArray(Long[]::new), requestedOnly, now, 0))
                .fetch(SyncQueue::toClaim);
    }

    /**
     * Claims up to {@code max} due changesets and up to {@code maxRepos} due repository syncs, in one
     * statement and from the same budgets: per host, requests first, then repositories, then routine
     * and bulk changesets alternately.
     */
    public ClaimedWork claimWork(String worker, int max, int maxRepos, Duration lease, Set<Long> skipHosts) {
        List<Claim> changesets = new ArrayList<>();
        List<RepoClaim> repos = new ArrayList<>();
        dsl.selectFrom(CLAIM_CHANGESETS.call(worker, max, lease, skipHosts.toArray(Long[]::new), false, now, maxRepos))
                .forEach(r -> {
                    if ("repository".equals(r.getClaimKind())) {
                        repos.add(toRepoClaim(r));
                    } else {
                        changesets.add(toClaim(r));
                    }
                });
        return new ClaimedWork(changesets, repos);
    }

    /** Writes back repository syncs; returns what each write did, for the claims still held. */
    public List<RepoSyncOutcome> recordRepoSyncs(List<RepoWriteBack> results) {
        if (results.isEmpty()) {
            return List.of();
        }
        JSONB batch = JSONB.valueOf(WriteBackJson.repoSyncs(results));
        return dsl.selectFrom(RECORD_REPO_SYNCS.call(batch)).fetch(r -> new RepoSyncOutcome(r.getRepoId(), r.getOutcome(),
                Boolean.TRUE.equals(r.getRepoChanged()), r.getImported()));
    }

    /** Heartbeat of repository syncs: extends the leases {@code worker} still holds; returns those. */
    public Set<Long> extendRepoLeases(String worker, List<RepoClaimRef> claims, Duration lease) {
        if (claims.isEmpty()) {
            return Set.of();
        }
        Long[] ids = claims.stream().map(RepoClaimRef::repoId).toArray(Long[]::new);
        Long[] tokens = claims.stream().map(RepoClaimRef::claimToken).toArray(Long[]::new);
        return new HashSet<>(dsl.selectFrom(EXTEND_REPO_LEASES.call(worker, ids, tokens, lease, now))
                .fetch(EXTEND_REPO_LEASES.REPO_ID));
    }

    /** Gives repository claims back unfinished, without counting a failure; returns how many were still held. */
    public int releaseRepoClaims(List<RepoClaimRef> claims) {
        if (claims.isEmpty()) {
            return 0;
        }
        Long[] ids = claims.stream().map(RepoClaimRef::repoId).toArray(Long[]::new);
        Long[] tokens = claims.stream().map(RepoClaimRef::claimToken).toArray(Long[]::new);
        return Routines.releaseRepoClaims(dsl.configuration(), ids, tokens);
    }

    /** Sweep of repository syncs: returns expired leases to the queue; returns how many. */
    public int releaseExpiredRepoLeases() {
        return Routines.releaseExpiredRepoLeases(dsl.configuration(), now);
    }

    /** Gives back to the hosts' budgets what their syncs paid for and the hosts did not count. */
    public void refund(List<Refund> refunds) {
        List<Refund> worthIt = refunds.stream().filter(refund -> refund.requests() > 0).toList();
        if (!worthIt.isEmpty()) {
            Routines.refundCodeHostRequests(dsl.configuration(), JSONB.valueOf(WriteBackJson.refunds(worthIt)));
        }
    }

    /** Gives back syncs refused by their host's rate limit and pauses the hosts; returns the claims still held. */
    public Set<Long> defer(List<Deferral> deferrals) {
        if (deferrals.isEmpty()) {
            return Set.of();
        }
        JSONB batch = JSONB.valueOf(WriteBackJson.deferrals(deferrals));
        return new HashSet<>(dsl.selectFrom(DEFER_SYNCS.call(batch)).fetch(DEFER_SYNCS.CHANGESET_ID));
    }

    /** Records what hosts said about their quotas (the last per host counts). */
    public void observe(List<RateLimitObservation> observations) {
        if (!observations.isEmpty()) {
            Routines.observeRateLimits(dsl.configuration(), JSONB.valueOf(WriteBackJson.observations(observations)));
        }
    }

    /** Writes back finished syncs; returns the changesets whose claim still held. */
    public Set<Long> complete(List<Completion> completions) {
        if (completions.isEmpty()) {
            return Set.of();
        }
        JSONB batch = JSONB.valueOf(WriteBackJson.completions(completions));
        return new HashSet<>(dsl.selectFrom(COMPLETE_SYNCS.call(batch)).fetch(COMPLETE_SYNCS.CHANGESET_ID));
    }

    /**
     * Records the repositories' archived flags the fetched results report, for claims still held;
     * a flag changed since a claim was made is left alone. Returns the repositories whose flag flipped.
     */
    public Set<Long> recordArchivedFlags(List<Completion> completions) {
        String flags = WriteBackJson.archivedFlags(completions);
        if (flags == null) {
            return Set.of();
        }
        return new HashSet<>(dsl.selectFrom(RECORD_ARCHIVED_FLAGS.call(JSONB.valueOf(flags)))
                .fetch(RECORD_ARCHIVED_FLAGS.REPO_ID));
    }

    /** Records failed attempts; returns the changesets whose claim still held. */
    public Set<Long> fail(List<FailedAttempt> failures) {
        if (failures.isEmpty()) {
            return Set.of();
        }
        JSONB batch = JSONB.valueOf(WriteBackJson.failures(failures));
        return new HashSet<>(dsl.selectFrom(FAIL_SYNCS.call(batch)).fetch(FAIL_SYNCS.CHANGESET_ID));
    }

    /** Heartbeat: extends the leases {@code worker} still holds; returns those. */
    public Set<Long> extendLeases(String worker, List<ClaimRef> claims, Duration lease) {
        if (claims.isEmpty()) {
            return Set.of();
        }
        Long[] ids = claims.stream().map(ClaimRef::changesetId).toArray(Long[]::new);
        Long[] tokens = claims.stream().map(ClaimRef::claimToken).toArray(Long[]::new);
        return new HashSet<>(dsl.selectFrom(EXTEND_LEASES.call(worker, ids, tokens, lease, now))
                .fetch(EXTEND_LEASES.CHANGESET_ID));
    }

    /** Gives claims back unfinished, without counting a failure; returns how many were still held. */
    public int release(List<ClaimRef> claims) {
        if (claims.isEmpty()) {
            return 0;
        }
        Long[] ids = claims.stream().map(ClaimRef::changesetId).toArray(Long[]::new);
        Long[] tokens = claims.stream().map(ClaimRef::claimToken).toArray(Long[]::new);
        return Routines.releaseClaims(dsl.configuration(), ids, tokens);
    }

    /** Sweep: returns expired leases to the queue; returns how many. */
    public int releaseExpiredLeases() {
        return Routines.releaseExpiredLeases(dsl.configuration(), now);
    }

    /** How long until the earliest unleased changeset can be claimed; empty when none ever can. */
    public Optional<Duration> nextClaimDelay() {
        return nextClaimDelay(Set.of());
    }

    /** As {@link #nextClaimDelay()}, leaving out the code hosts in {@code skipHosts}. */
    public Optional<Duration> nextClaimDelay(Set<Long> skipHosts) {
        return nextClaimDelay(skipHosts, false);
    }

    /** As above; {@code withRepos}: repository syncs too (for a replica with a free repository slot). */
    public Optional<Duration> nextClaimDelay(Set<Long> skipHosts, boolean withRepos) {
        return Optional.ofNullable(Routines.nextClaimDelay(dsl.configuration(), skipHosts.toArray(Long[]::new), now,
                withRepos));
    }

    /** How many code hosts there are (replicas share their slots fairly when there is more than one). */
    public int codeHostCount() {
        return dsl.fetchCount(CODE_HOSTS);
    }

    private static Claim toClaim(ClaimChangesetsRecord r) {
        SyncTarget target = new SyncTarget(
                r.getChangesetId(),
                r.getCodeHostId(),
                r.getCodeHostName(),
                CodeHostKind.fromSqlName(r.getCodeHostKind().getLiteral()),
                r.getCodeHostBaseUrl(),
                r.getRepoExternalId(),
                r.getRepoName(),
                r.getExternalId(),
                changeMarkers(r.getChangeMarkers()),
                r.getHeadSha(),
                r.getReviewState() == null ? null : ReviewState.fromSqlName(r.getReviewState().getLiteral()),
                r.getCheckState() == null ? null : CheckState.fromSqlName(r.getCheckState().getLiteral()),
                r.getRepoArchived());
        return new Claim(new ClaimRef(r.getChangesetId(), r.getClaimToken()), r.getClaimedAt(), r.getLeaseUntil(),
                r.getPriority(), r.getClaimLevel(), r.getClaimCost() == null ? null : r.getClaimCost().doubleValue(),
                target, r.getRequestedAt());
    }

    private static RepoClaim toRepoClaim(ClaimChangesetsRecord r) {
        RepoTarget target = new RepoTarget(
                r.getRepoId(),
                r.getCodeHostId(),
                r.getCodeHostName(),
                CodeHostKind.fromSqlName(r.getCodeHostKind().getLiteral()),
                r.getCodeHostBaseUrl(),
                r.getRepoExternalId(),
                r.getRepoName(),
                Boolean.TRUE.equals(r.getRepoArchived()),
                r.getRepoDeletedAt() != null,
                Tracking.fromSqlName(r.getRepoTrack()),
                changeMarkers(r.getChangeMarkers()),
                r.getRepoListedUntil(),
                Tracking.fromSqlName(r.getRepoListingState()));
        return new RepoClaim(new RepoClaimRef(r.getRepoId(), r.getClaimToken()), r.getClaimedAt(), r.getLeaseUntil(),
                r.getClaimCost() == null ? null : r.getClaimCost().doubleValue(), target);
    }

    /** The stored change markers; values that are not strings are ignored (the next fetch is then unconditional). */
    private static Map<String, String> changeMarkers(JSONB changeMarkers) {
        if (changeMarkers == null) {
            return Map.of();
        }
        try {
            Map<String, String> result = new HashMap<>();
            json.readTree(changeMarkers.data()).properties().forEach(entry -> {
                if (entry.getValue().isTextual()) {
                    result.put(entry.getKey(), entry.getValue().asText());
                }
            });
            return result;
        } catch (JsonProcessingException e) {
            return Map.of(); // the column is checked to be a JSON object; unreachable in practice
        }
    }
}
