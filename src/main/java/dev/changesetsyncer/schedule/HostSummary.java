package dev.changesetsyncer.schedule;

import java.time.Duration;
import java.time.Instant;

/**
 * One row of the {@code code_host_sync_summary} view.
 *
 * @param budgetLeft requests left in the host's bucket now (null: no budget)
 * @param pausedUntil set while the host is paused for its rate limit, with the reason
 */
public record HostSummary(long codeHostId, String name, String kind, long dueNow, long requestedDue,
        Duration oldestOverdue, long inFlight, long expiredLeases, long failing, long gone, Integer requestsPerHour,
        Double budgetLeft, Integer maxInFlight, Instant pausedUntil, String pauseReason, Long hostReportedRemaining) {}
