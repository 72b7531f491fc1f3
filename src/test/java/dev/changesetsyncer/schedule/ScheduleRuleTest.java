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
import java.util.List;
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
        return quietRule(lastSync, updatedAt, latestEvent, Duration.ZERO);
    }

    Instant quietRule(Instant lastSync, Instant updatedAt, Instant latestEvent, Duration quietPeriod) {
        return Routines.syncQuietTimeNextAt(sql, lastSync, updatedAt, latestEvent, MIN, MAX, quietPeriod);
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
         * The design's third example: "sync happened before latest event but we'll never sync more
         * frequently than every 2 minutes" -- min after the last sync, not after the change.
         */
        @Test
        void changeAfterTheSyncIsSyncedMinAfterTheSync() {
            assertThat(quietRule(at("10:00"), at("10:01"), null)).isEqualTo(at("10:02"));
        }

        @Test
        void anotherEventAfterTheChangeDoesNotPostponeIt() {
            assertThat(quietRule(at("10:00"), at("10:01"), Instant.parse("2026-03-02T10:01:50Z"))).isEqualTo(at("10:02"));
        }

        @Test
        void aWebhookLongAfterTheLastSyncIsDueAtOnce() {
            assertThat(quietRule(at("10:00"), at("09:00"), at("15:00"))).isEqualTo(at("15:00"));
        }

        @Test
        void theFiveArgumentFormIsStillCallableAndHasNoQuietPeriod() {
            assertThat(DSL.using(sql).fetchSingle("""
                    SELECT sync_quiet_time_next_at(timestamptz '2026-03-02 10:00Z', timestamptz '2026-03-02 10:01Z',
                               NULL, interval '2 minutes', interval '8 hours')""").get(0, Instant.class))
                    .isEqualTo(at("10:02"));
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
        void aWebhookEventOverTheFloorAfterTheSyncIsDueAtTheEvent() {
            assertThat(quietRule(at("10:00"), at("09:00"), at("10:04"))).isEqualTo(at("10:04"));
        }

        @Test
        void anEventOlderThanUpdatedAtDoesNotMatter() {
            assertThat(quietRule(at("10:00"), at("09:55"), at("09:00"))).isEqualTo(at("10:05"));
        }

        @Test
        void delaysComeFromTheArguments() {
            assertThat(Routines.syncQuietTimeNextAt(sql, at("10:00"), at("09:59"), null, ofMinutes(10), ofHours(1), Duration.ZERO))
                    .isEqualTo(at("10:10"));
            assertThat(Routines.syncQuietTimeNextAt(sql, at("10:00"), at("07:00"), null, ofMinutes(10), ofHours(1), Duration.ZERO))
                    .isEqualTo(at("11:00"));
        }
    }

    /** The optional per-host quiet period after a change, for hosts whose events come in bursts. */
    @Nested
    class TheEventQuietPeriod {
        static final Duration QUIET = ofMinutes(3);

        @Test
        void waitsUntilTheChangeIsThatOld() {
            assertThat(quietRule(at("10:00"), at("10:01"), null, QUIET)).isEqualTo(at("10:04"));
            assertThat(quietRule(at("10:00"), at("09:00"), at("10:05"), QUIET)).isEqualTo(at("10:08"));
        }

        @Test
        void neverSyncsSoonerThanMinAfterTheSync() {
            assertThat(quietRule(at("10:00"), Instant.parse("2026-03-02T10:00:01Z"), null, ofMinutes(1)))
                    .isEqualTo(at("10:02"));
        }

        @Test
        void neverWaitsPastTheCapAfterTheSync() {
            assertThat(quietRule(at("10:00"), at("17:59"), null, QUIET)).isEqualTo(at("18:00"));
            assertThat(quietRule(at("10:00"), at("09:00"), at("17:58"), ofHours(1))).isEqualTo(at("18:00"));
        }

        @Test
        void doesNotChangeTheBackoffOfAQuietChangeset() {
            assertThat(quietRule(at("10:00"), at("09:50"), null, QUIET)).isEqualTo(at("10:10"));
        }
    }

    /**
     * A burst: an event at every tick (30 s or 90 s), and a sync at a tick whenever the stored rule
     * (changeset_next_sync_at, as the trigger computes it after each event) says the changeset is due.
     */
    @Nested
    class ABurstOfEvents {
        @Test
        void isSyncedOncePerMinNeverMoreOften() {
            List<Instant> syncs = replayBurst(SyncCadence.active, Duration.ZERO, Duration.ofSeconds(30), ofHours(2));
            assertThat(gaps(syncs)).hasSize(60).allSatisfy(gap -> assertThat(gap).isEqualTo(MIN));
        }

        /** Before the bound, each event every 90 s pushed the sync out again: 10 h went by without one. */
        @Test
        void eventsEveryNinetySecondsWithAQuietPeriodNeverPostponePastTheCap() {
            List<Instant> syncs = replayBurst(SyncCadence.active, ofMinutes(2), Duration.ofSeconds(90), ofHours(17));
            assertThat(gaps(syncs)).hasSize(2).allSatisfy(gap -> assertThat(gap).isEqualTo(MAX));
        }

        @Test
        void norPastTheChecksPendingCap() {
            List<Instant> syncs = replayBurst(SyncCadence.checks_pending, ofMinutes(2), Duration.ofSeconds(60), ofHours(1));
            assertThat(gaps(syncs)).hasSize(12).allSatisfy(gap -> assertThat(gap).isEqualTo(CHECKS_PENDING_MAX));
        }

        List<Instant> replayBurst(SyncCadence cadence, Duration quiet, Duration tick, Duration span) {
            Duration cap = Routines.syncCadenceMaxDelay(sql, cadence, MAX, CHECKS_PENDING_MAX, FINISHED_MAX);
            Instant start = at("10:00");
            List<Instant> syncs = new java.util.ArrayList<>(List.of(start));
            for (Instant now = start.plus(tick); !now.isAfter(start.plus(span)); now = now.plus(tick)) {
                Instant lastSync = syncs.getLast();
                ScheduleInputs in = inputs(5).cadence(cadence).lastSyncedAt(lastSync).updatedAt(at("09:00"))
                        .latestEventAt(now);
                Instant next = DSL.using(sql).select(nextSyncAtField(in, quiet)).fetchSingle().value1();
                assertThat(next).as("at least min and at most the cap after the last sync")
                        .isBetween(lastSync.plus(MIN), lastSync.plus(cap));
                if (!next.isAfter(now)) {
                    syncs.add(now);
                }
            }
            return syncs;
        }

        List<Duration> gaps(List<Instant> syncs) {
            List<Duration> gaps = new java.util.ArrayList<>();
            for (int i = 1; i < syncs.size(); i++) {
                gaps.add(Duration.between(syncs.get(i - 1), syncs.get(i)));
            }
            return gaps;
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
                    .isEqualTo(at("10:02"));
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
        return nextSyncAtField(in, Duration.ZERO);
    }

    org.jooq.Field<Instant> nextSyncAtField(ScheduleInputs in, Duration eventQuietPeriod) {
        return Routines.changesetNextSyncAt(in.changesetId(), in.cadence(), in.enqueuedAt(), in.lastSyncedAt(),
                in.lastAttemptAt(), in.updatedAt(), in.latestEventAt(), in.failures(), in.goneAt(), in.requestedAt(),
                MIN, MAX, CHECKS_PENDING_MAX, FINISHED_MAX, eventQuietPeriod);
    }
}
