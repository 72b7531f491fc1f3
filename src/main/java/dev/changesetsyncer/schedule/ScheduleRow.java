package dev.changesetsyncer.schedule;

import java.time.Duration;
import java.time.Instant;

/** One row of the {@code changeset_schedule} view. */
public record ScheduleRow(
        long changesetId,
        String externalId,
        String repoName,
        String codeHostName,
        String state,
        Instant lastSyncedAt,
        Instant lastChangeAt,
        Duration quietFor,
        Duration waitFor,
        String rule,
        Instant nextSyncAt,
        Boolean due,
        Duration overdueBy,
        short priority,
        String requestReason,
        String leaseHolder,
        int failures,
        String lastError) {}
