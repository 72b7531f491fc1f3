package dev.changesetsyncer.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What the admin page shows: one record per row or page, read by {@link AdminQueries}, rendered by the templates. */
public final class AdminViews {
    private AdminViews() {}

    /** One code host on the overview: the summary view's figures, and syncs started in the last minute. */
    public record HostRow(long id, String name, String kind, long dueNow, long requestedDue, Duration oldestOverdue,
            long inFlight, long failing, long gone, long syncsLastMinute, Integer requestsPerHour, Double budgetLeft,
            Instant pausedUntil, String pauseReason) {
        public boolean paused() {
            return pausedUntil != null;
        }
    }

    /** One row of the schedule page (the changeset_schedule view). */
    public record ScheduleEntry(long changesetId, String externalId, String title, String repo, String host,
            String state, String rule, Instant nextSyncAt, Boolean due, Duration overdueBy, int failures,
            Instant requestedAt, String requestedBy, String leaseHolder, Instant lastSyncedAt, Instant goneAt) {}

    /** A page of the schedule, and the cursor of the next one (empty on the last page). */
    public record SchedulePage(List<ScheduleEntry> rows, Optional<String> nextCursor) {}

    /** A changeset: what its last sync mirrored, its schedule inputs and the rule that applies. */
    public record ChangesetDetail(long id, String externalId, long repoId, String repo, String host, String state,
            String title, String author, String url, String headRef, String baseRef, String headSha, String reviewState,
            String checkState, Instant externalUpdatedAt, String cadence, Instant enqueuedAt, Instant lastSyncedAt,
            Instant lastAttemptAt, Instant syncedUpdatedAt, Instant latestEventAt, int failures, String lastError,
            Instant goneAt, int priority, Instant requestedAt, String leaseHolder, Instant leaseUntil, Instant nextSyncAt,
            Boolean due, String rule, Duration waitFor) {}

    public record EventRow(String kind, String source, Instant occurredAt, Instant receivedAt) {}

    /** A sync request of a changeset; latency is from the request to the start of the sync that served it. */
    public record RequestRow(long id, String reason, String requestedBy, int priority, Instant requestedAt,
            Instant servedAt, String servedBy, Duration latency) {
        public boolean served() {
            return servedAt != null;
        }
    }

    public record AuditRow(long id, String who, String action, String target, String details, Instant at) {}
}
