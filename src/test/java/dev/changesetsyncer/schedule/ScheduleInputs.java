package dev.changesetsyncer.schedule;

import dev.changesetsyncer.jooq.enums.SyncCadence;
import java.time.Instant;

/** The per-changeset inputs of {@code changeset_next_sync_at}, with withers for readable tests. */
record ScheduleInputs(
        long changesetId,
        SyncCadence cadence,
        Instant enqueuedAt,
        Instant lastSyncedAt,
        Instant lastAttemptAt,
        Instant updatedAt,
        Instant latestEventAt,
        int failures,
        Instant goneAt,
        Instant requestedAt) {

    static ScheduleInputs of(long changesetId) {
        return new ScheduleInputs(changesetId, SyncCadence.active, Instant.parse("2026-03-01T00:00:00Z"),
                null, null, null, null, 0, null, null);
    }

    ScheduleInputs cadence(SyncCadence value) {
        return new ScheduleInputs(changesetId, value, enqueuedAt, lastSyncedAt, lastAttemptAt, updatedAt,
                latestEventAt, failures, goneAt, requestedAt);
    }

    ScheduleInputs enqueuedAt(Instant value) {
        return new ScheduleInputs(changesetId, cadence, value, lastSyncedAt, lastAttemptAt, updatedAt,
                latestEventAt, failures, goneAt, requestedAt);
    }

    ScheduleInputs lastSyncedAt(Instant value) {
        return new ScheduleInputs(changesetId, cadence, enqueuedAt, value, value, updatedAt,
                latestEventAt, failures, goneAt, requestedAt);
    }

    ScheduleInputs lastAttemptAt(Instant value) {
        return new ScheduleInputs(changesetId, cadence, enqueuedAt, lastSyncedAt, value, updatedAt,
                latestEventAt, failures, goneAt, requestedAt);
    }

    ScheduleInputs updatedAt(Instant value) {
        return new ScheduleInputs(changesetId, cadence, enqueuedAt, lastSyncedAt, lastAttemptAt, value,
                latestEventAt, failures, goneAt, requestedAt);
    }

    ScheduleInputs latestEventAt(Instant value) {
        return new ScheduleInputs(changesetId, cadence, enqueuedAt, lastSyncedAt, lastAttemptAt, updatedAt,
                value, failures, goneAt, requestedAt);
    }

    ScheduleInputs failures(int value) {
        return new ScheduleInputs(changesetId, cadence, enqueuedAt, lastSyncedAt, lastAttemptAt, updatedAt,
                latestEventAt, value, goneAt, requestedAt);
    }

    ScheduleInputs goneAt(Instant value) {
        return new ScheduleInputs(changesetId, cadence, enqueuedAt, lastSyncedAt, lastAttemptAt, updatedAt,
                latestEventAt, failures, value, requestedAt);
    }

    ScheduleInputs requestedAt(Instant value) {
        return new ScheduleInputs(changesetId, cadence, enqueuedAt, lastSyncedAt, lastAttemptAt, updatedAt,
                latestEventAt, failures, goneAt, value);
    }
}
