package dev.changesetsyncer.schedule;

import static java.time.Duration.ofHours;
import static java.time.Duration.ofMinutes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.jooq.Routines;
import dev.changesetsyncer.jooq.enums.ChangesetState;
import dev.changesetsyncer.jooq.enums.CheckState;
import dev.changesetsyncer.jooq.enums.SyncCadence;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.LongStream;
import org.jooq.Configuration;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pins the schedule rule (the pure SQL functions in db/functions/schedule.sql) with literal times,
 * including every example of docs/schedule.md.
 */
@ExtendWith(PostgresExtension.class)
class ScheduleRuleTest {
    static final Duration MIN = ofMinutes(2);
    static final Duration MAX = ofHours(8);
    static final Duration CHECKS_PENDING_MAX = ofMinutes(5);
    static final Duration FINISHED_MAX = ofHours(24);

    final Configuration sql;

    ScheduleRuleTest(TestDatabase database) {
        this.sql = database.dsl().configuration();
    }

    static Instant at(String hhmm) {
        return Instant.parse("2026-03-02T" + hhmm + ":00Z");
    }

    Instant quietRule(Instant lastSync, Instant updatedAt, Instant latestEvent) {
        return Routines.syncQuietTimeNextAt(sql, lastSync, updatedAt, latestEvent, MIN, MAX);
    }

    @Nested
    class TheQuietTimeRule {
        @Test
        void changeFiveMinutesBeforeTheSyncWaitsFiveMinutes() {
            assertThat(quietRule(at("10:00"), at("09:55"), null)).isEqualTo(at("10:05"));
        }

        @Test
        void changeTenMinutesBeforeTheSyncWaitsTenMinutes() {
            assertThat(quietRule(at("10:00"), at("09:50"), null)).isEqualTo(at("10:10"));
        }

        /**
         * Min after the change, not after the sync (10:03, not 10:02): so that each later event pushes
         * the next sync out and a burst of changes costs one sync once it settles.
         */
        @Test
        void changeAfterTheSyncIsSyncedMinAfterTheChange() {
            assertThat(quietRule(at("10:00"), at("10:01"), null)).isEqualTo(at("10:03"));
        }

        @Test
        void anotherEventAfterTheChangeMovesItToMinAfterThatEvent() {
            assertThat(quietRule(at("10:00"), at("10:01"), at("10:02"))).isEqualTo(at("10:04"));
        }

        @Test
        void aVeryRecentChangeStillWaitsTheTwoMinuteFloor() {
            assertThat(quietRule(at("10:00"), Instant.parse("2026-03-02T09:59:30Z"), null)).isEqualTo(at("10:02"));
        }

        @Test
        void aLongQuietChangesetWaitsAtMostEightHours() {
            assertThat(quietRule(at("10:00"), Instant.parse("2026-01-01T00:00:00Z"), null)).isEqualTo(at("18:00"));
        }

        @Test
        void neverSyncedHasNoScheduleYet() {
            assertThat(quietRule(null, at("09:00"), at("09:30"))).isNull();
        }

        @Test
        void unknownLastChangeCountsAsQuietForEver() {
            assertThat(quietRule(at("10:00"), null, null)).isEqualTo(at("18:00"));
        }

        @Test
        void webhookEventAfterTheSyncStartsAQuietPeriod() {
            assertThat(quietRule(at("10:00"), at("09:00"), at("10:04"))).isEqualTo(at("10:06"));
        }

        @Test
        void aSecondEventExtendsTheQuietPeriod() {
            Instant afterFirst = quietRule(at("10:00"), at("09:00"), at("10:04"));
            Instant afterSecond = quietRule(at("10:00"), at("09:00"), at("10:05"));
            assertThat(afterFirst).isEqualTo(at("10:06"));
            assertThat(afterSecond).isEqualTo(at("10:07"));
        }

        @Test
        void anEventOlderThanUpdatedAtDoesNotMatter() {
            assertThat(quietRule(at("10:00"), at("09:55"), at("09:00"))).isEqualTo(at("10:05"));
        }

        @Test
        void delaysComeFromTheArguments() {
            assertThat(Routines.syncQuietTimeNextAt(sql, at("10:00"), at("09:59"), null, ofMinutes(10), ofHours(1)))
                    .isEqualTo(at("10:10"));
            assertThat(Routines.syncQuietTimeNextAt(sql, at("10:00"), at("07:00"), null, ofMinutes(10), ofHours(1)))
                    .isEqualTo(at("11:00"));
        }
    }

    @Nested
    class Jitter {
        @Test
        void isBelowFivePercentAndDeterministicPerChangeset() {
            double[] fractions = LongStream.rangeClosed(1, 2000)
                    .mapToDouble(id -> Routines.syncJitterFraction(sql, id))
                    .toArray();
            assertThat(java.util.Arrays.stream(fractions).min().orElseThrow()).isGreaterThanOrEqualTo(0.0);
            assertThat(java.util.Arrays.stream(fractions).max().orElseThrow()).isLessThan(0.05);
            assertThat(Routines.syncJitterFraction(sql, 42L)).isEqualTo(fractions[41]);
            assertThat(java.util.Arrays.stream(fractions).distinct().count())
                    .as("ids spread over many jitter values").isGreaterThan(500);
        }

        @Test
        void shortensAWaitByThatFractionButNeverBelowTheFloor() {
            for (long id = 1; id <= 500; id++) {
                double fraction = Routines.syncJitterFraction(sql, id);
                Duration jittered = Routines.syncJitteredDelay(sql, MAX, MIN, id);
                assertThat(jittered).isLessThanOrEqualTo(MAX).isGreaterThan(MAX.multipliedBy(95).dividedBy(100));
                assertThat(jittered.toMillis()).isCloseTo((long) (MAX.toMillis() * (1 - fraction)),
                        org.assertj.core.data.Offset.offset(1L));
                assertThat(Routines.syncJitteredDelay(sql, MIN, MIN, id)).isEqualTo(MIN);
            }
        }

        @Test
        void spreadsChangesetsImportedTogether() {
            long distinct = LongStream.rangeClosed(1, 100)
                    .mapToObj(id -> nextSyncAt(inputs(id).lastSyncedAt(at("10:00")).updatedAt(at("01:00"))))
                    .distinct()
                    .count();
            assertThat(distinct).isGreaterThan(80);
        }
    }

    @Nested
    class TheFullSchedule {
        @Test
        void aQuietWaitIsShortenedByTheChangesetsJitter() {
            long id = 7;
            double fraction = Routines.syncJitterFraction(sql, id);
            Instant next = nextSyncAt(inputs(id).lastSyncedAt(at("10:00")).updatedAt(at("09:50")));
            Duration wait = Duration.between(at("10:00"), next);
            assertThat(wait.toMillis()).isCloseTo((long) (ofMinutes(10).toMillis() * (1 - fraction)),
                    org.assertj.core.data.Offset.offset(1L));
        }

        @Test
        void neverSyncedIsDueFromWhenItWasEnqueued() {
            assertThat(nextSyncAt(inputs(1).enqueuedAt(at("09:00")))).isEqualTo(at("09:00"));
        }

        @Test
        void aChangeAfterTheSyncIsNotJittered() {
            assertThat(nextSyncAt(inputs(3).lastSyncedAt(at("10:00")).updatedAt(at("09:00")).latestEventAt(at("10:01"))))
                    .isEqualTo(at("10:03"));
        }

        @Test
        void aPendingRequestMakesItDueAtTheRequest() {
            assertThat(nextSyncAt(inputs(1).lastSyncedAt(at("10:00")).updatedAt(at("02:00")).requestedAt(at("10:30"))))
                    .isEqualTo(at("10:30"));
        }

        @Test
        void anOverdueChangesetStaysOverdueWhenRequested() {
            assertThat(nextSyncAt(inputs(1).lastSyncedAt(at("10:00")).updatedAt(at("09:58")).requestedAt(at("10:30"))))
                    .isEqualTo(at("10:02"));
        }

        @Test
        void failuresBackOffExponentiallyFromTheLastAttempt() {
            long id = 11;
            Duration[] expected = {ofMinutes(2), ofMinutes(4), ofMinutes(8), ofMinutes(16), ofMinutes(32),
                    ofMinutes(64), ofMinutes(128), ofMinutes(256), ofHours(8), ofHours(8), ofHours(8)};
            for (int failures = 1; failures <= expected.length; failures++) {
                Duration retry = Routines.syncRetryDelay(sql, failures, MIN, MAX);
                assertThat(retry).as("retry delay after %d failures", failures).isEqualTo(expected[failures - 1]);
                Instant next = nextSyncAt(inputs(id).lastSyncedAt(at("08:00")).updatedAt(at("07:59"))
                        .lastAttemptAt(at("10:00")).failures(failures));
                assertThat(next).isEqualTo(at("10:00").plus(Routines.syncJitteredDelay(sql, retry, MIN, id)));
            }
            assertThat(Routines.syncRetryDelay(sql, 10_000, MIN, MAX)).isEqualTo(MAX);
        }

        @Test
        void failuresIgnoreTheQuietTimeRule() {
            // a change right after the last sync would mean 2 minutes; the 3rd failure means 8
            Instant next = nextSyncAt(inputs(1).lastSyncedAt(at("10:00")).updatedAt(at("10:01"))
                    .lastAttemptAt(at("10:05")).failures(3));
            assertThat(Duration.between(at("10:05"), next)).isBetween(ofMinutes(8).multipliedBy(95).dividedBy(100),
                    ofMinutes(8));
        }

        @Test
        void goneChangesetsAreNeverDueUnlessRequested() {
            ScheduleInputs gone = inputs(1).lastSyncedAt(at("10:00")).updatedAt(at("09:00")).goneAt(at("10:00"));
            assertThat(nextSyncAt(gone)).as("never").isNull();
            assertThat(nextSyncAt(gone.requestedAt(at("11:00")))).isEqualTo(at("11:00"));
            // the requested attempt failed: the request is retried with backoff, not dropped
            Instant retry = nextSyncAt(gone.requestedAt(at("11:00")).lastAttemptAt(at("11:00")).failures(1));
            assertThat(retry).isAfter(at("11:00")).isBeforeOrEqualTo(at("11:00").plus(MIN));
        }

        @Test
        void runningChecksCapTheWaitAtFiveMinutes() {
            ScheduleInputs quiet = inputs(5).lastSyncedAt(at("10:00")).updatedAt(at("02:00"));
            assertThat(Duration.between(at("10:00"), nextSyncAt(quiet.cadence(SyncCadence.checks_pending))))
                    .isBetween(CHECKS_PENDING_MAX.multipliedBy(95).dividedBy(100), CHECKS_PENDING_MAX);
        }

        @Test
        void finishedChangesetsMayWaitLongerThanTheOpenCap() {
            ScheduleInputs quiet = inputs(5).lastSyncedAt(at("10:00")).updatedAt(Instant.parse("2026-01-01T00:00:00Z"));
            assertThat(Duration.between(at("10:00"), nextSyncAt(quiet.cadence(SyncCadence.finished))))
                    .isBetween(FINISHED_MAX.multipliedBy(95).dividedBy(100), FINISHED_MAX);
            assertThat(Duration.between(at("10:00"), nextSyncAt(quiet.cadence(SyncCadence.active))))
                    .isBetween(MAX.multipliedBy(95).dividedBy(100), MAX);
        }

        @Test
        void cadenceFollowsStateAndChecks() {
            assertThat(Routines.changesetCadence(sql, ChangesetState.open, CheckState.pending))
                    .isEqualTo(SyncCadence.checks_pending);
            assertThat(Routines.changesetCadence(sql, ChangesetState.draft, CheckState.passed))
                    .isEqualTo(SyncCadence.active);
            assertThat(Routines.changesetCadence(sql, ChangesetState.merged, CheckState.pending))
                    .isEqualTo(SyncCadence.finished);
            assertThat(Routines.changesetCadence(sql, ChangesetState.closed, null)).isEqualTo(SyncCadence.finished);
            assertThat(Routines.changesetCadence(sql, ChangesetState.read_only, null)).isEqualTo(SyncCadence.finished);
            assertThat(Routines.changesetCadence(sql, null, null)).isEqualTo(SyncCadence.active);
        }

        @Test
        void requestsSortBeforeRoutineRowsAndUrgentBeforeRequested() {
            Instant routine = Routines.syncClaimAt(sql, at("09:00"), (short) 0, null);
            Instant requested = Routines.syncClaimAt(sql, at("10:00"), (short) 1, at("10:00"));
            Instant urgent = Routines.syncClaimAt(sql, at("11:00"), (short) 2, at("11:00"));
            assertThat(urgent).isBefore(requested);
            assertThat(requested).isBefore(routine);
            assertThat(routine).isEqualTo(at("09:00"));
        }

        @Test
        void aRequestWhoseAttemptFailedBacksOffLikeAnyRetry() {
            ScheduleInputs failedOnRequest = inputs(13).lastSyncedAt(at("08:00")).updatedAt(at("07:00"))
                    .requestedAt(at("10:00")).lastAttemptAt(at("10:01")).failures(1);
            Instant next = nextSyncAt(failedOnRequest);

            assertThat(next).isAfter(at("10:01"));
            assertThat(Routines.syncClaimAt(sql, next, (short) 1, at("10:00")))
                    .as("no priority while backing off").isEqualTo(next);
            assertThat(nextSyncAt(failedOnRequest.requestedAt(at("10:02"))))
                    .as("a request after the failed attempt is attempted at once").isEqualTo(at("10:02"));
        }
    }

    ScheduleInputs inputs(long changesetId) {
        return ScheduleInputs.of(changesetId);
    }

    Instant nextSyncAt(ScheduleInputs in) {
        return DSL.using(sql).select(nextSyncAtField(in)).fetchSingle().value1();
    }

    org.jooq.Field<Instant> nextSyncAtField(ScheduleInputs in) {
        return Routines.changesetNextSyncAt(in.changesetId(), in.cadence(), in.enqueuedAt(), in.lastSyncedAt(),
                in.lastAttemptAt(), in.updatedAt(), in.latestEventAt(), in.failures(), in.goneAt(), in.requestedAt(),
                MIN, MAX, CHECKS_PENDING_MAX, FINISHED_MAX);
    }
}
