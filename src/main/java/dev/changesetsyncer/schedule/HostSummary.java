package dev.changesetsyncer.schedule;

import java.time.Duration;

/** One row of the {@code code_host_sync_summary} view. */
public record HostSummary(long codeHostId, String name, String kind, long dueNow, long requestedDue,
        Duration oldestOverdue, long inFlight, long expiredLeases, long failing, long gone) {}
