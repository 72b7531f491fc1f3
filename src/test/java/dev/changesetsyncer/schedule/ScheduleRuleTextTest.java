package dev.changesetsyncer.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code changeset_schedule} view explains each schedule in words ({@code changeset_schedule_rule()}),
 * restating the branches of {@code changeset_next_sync_at()}. Over every combination of the inputs that
 * picks a branch, the words name the branch the schedule took: each text is checked against the time it
 * implies. A change to one function that the other does not follow fails here.
 */
@ExtendWith(PostgresExtension.class)
class ScheduleRuleTextTest {
    /**
     * Every combination of: cadence; never synced or synced at T; a later failed attempt or none; no
     * known change, a change shortly before the sync (under the floor), hours before, weeks before (over
     * the cap), a minute after the sync (under the floor), ten minutes after it, or only an event after it
     * (twenty minutes, or nine hours: past every cap); no event quiet period or one of 15 minutes; 0, 1 or 3
     * failures; gone or not; no request, a request before or after the last attempt, an urgent one, or a
     * bulk one; two changesets (their jitter differs).
     */
    static final String INPUTS = """
            WITH t AS (SELECT timestamptz '2026-03-02 10:00:00+00' AS t),
            grid AS (
                SELECT id, cadence, t - interval '1 day' AS enqueued_at,
                       CASE WHEN synced THEN t END AS last_synced_at,
                       CASE WHEN failures > 0 THEN t + interval '1 hour' WHEN synced THEN t END AS last_attempt_at,
                       CASE WHEN synced THEN t + change.updated END AS synced_updated_at,
                       CASE WHEN synced THEN t + change.event END AS latest_event_at,
                       failures,
                       CASE WHEN gone THEN t END AS gone_at,
                       request.priority::smallint AS priority,
                       t + request.at AS requested_at,
                       quiet_period
                  FROM t,
                       (VALUES (1::bigint), (7)) ids(id),
                       unnest(enum_range(NULL::sync_cadence)) cadence,
                       (VALUES (false), (true)) synced(synced),
                       (VALUES (NULL::interval, NULL::interval), (interval '-1 minute', NULL), (interval '-5 hours', NULL),
                               (interval '-30 days', NULL), (interval '1 minute', NULL), (interval '10 minutes', NULL),
                               (NULL, interval '20 minutes'), (NULL, interval '9 hours')) change(updated, event),
                       (VALUES (interval '0'), (interval '15 minutes')) quiet(quiet_period),
                       (VALUES (0), (1), (3)) failures(failures),
                       (VALUES (false), (true)) gone(gone),
                       (VALUES (0, NULL::interval), (1, interval '-1 hour'), (1, interval '2 hours'),
                               (2, interval '2 hours'), (0, interval '2 hours')) request(priority, at)),
            scheduled AS (
                SELECT g.*,
                       changeset_next_sync_at(g.id, g.cadence, g.enqueued_at, g.last_synced_at, g.last_attempt_at,
                           g.synced_updated_at, g.latest_event_at, g.failures, g.gone_at, g.requested_at,
                           interval '2 minutes', interval '8 hours', interval '5 minutes', interval '24 hours',
                           g.quiet_period) AS next,
                       changeset_schedule_rule(g.id, g.cadence, g.last_synced_at, g.last_attempt_at, g.synced_updated_at,
                           g.latest_event_at, g.failures, g.gone_at, g.priority, g.requested_at,
                           interval '2 minutes', interval '8 hours', interval '5 minutes', interval '24 hours',
                           g.quiet_period) AS rule,
                       sync_retry_delay(g.failures, interval '2 minutes',
                           sync_cadence_max_delay(g.cadence, interval '8 hours', interval '5 minutes', interval '24 hours'))
                           AS retry,
                       sync_cadence_max_delay(g.cadence, interval '8 hours', interval '5 minutes', interval '24 hours')
                           AS cap,
                       greatest(g.synced_updated_at, g.latest_event_at) AS last_change,
                       g.last_synced_at - greatest(g.synced_updated_at, g.latest_event_at) AS quiet
                  FROM grid g),
            explained AS (
                -- the wait as the schedule chose it, from the time it counts from, and what the text says of its
                -- jitter (derived from next, not from the text's own function)
                SELECT s.*, w.wait,
                       CASE WHEN w.wait < w.unjittered
                            THEN format(' (%s less %s %% jitter)', date_trunc('second', w.wait),
                                        round((sync_jitter_fraction(s.id) * 100)::numeric, 1))
                            ELSE '' END AS jitter
                  FROM scheduled s
                 CROSS JOIN LATERAL (
                      SELECT s.next - CASE WHEN s.failures > 0 THEN coalesce(s.last_attempt_at, s.last_synced_at)
                                           ELSE s.last_synced_at END AS wait,
                             CASE WHEN s.failures > 0 THEN s.retry
                                  WHEN s.last_change IS NULL THEN s.cap
                                  ELSE least(greatest(s.quiet, interval '2 minutes'), s.cap) END AS unjittered) w)
            """;

    /** What each text says the schedule is, as a condition on next (the schedule's answer). */
    static final String TEXT_AGREES = """
            CASE
                WHEN rule = format('requested, but the attempt failed: retry %s after %s from the last attempt%s',
                                   failures, retry, jitter) THEN
                    requested_at IS NOT NULL AND next = coalesce(last_attempt_at, last_synced_at)
                        + sync_jittered_delay(retry, interval '2 minutes', id)
                WHEN rule = 'urgent request' THEN priority = 2 AND next <= requested_at
                WHEN rule = 'requested' THEN priority = 1 AND next <= requested_at
                WHEN rule = 'bulk request' THEN priority = 0 AND next <= requested_at
                WHEN rule = 'gone from the host: synced only on request' THEN next IS NULL
                WHEN rule = format('failing: retry %s after %s from the last attempt%s', failures, retry, jitter) THEN
                    next = coalesce(last_attempt_at, last_synced_at) + sync_jittered_delay(retry, interval '2 minutes', id)
                WHEN rule = 'never synced: due now' THEN next = enqueued_at
                WHEN rule = format('no change known: waits the %s cap%s', cadence, jitter) THEN
                    next = last_synced_at + sync_jittered_delay(cap, interval '2 minutes', id)
                WHEN rule = format('changed after the last sync: capped at %s (%s) after the sync', cap, cadence) THEN
                    last_change > last_synced_at AND next = last_synced_at + cap
                WHEN rule = 'changed after the last sync: 00:02:00 after the sync (the floor)' THEN
                    last_change > last_synced_at AND next = last_synced_at + interval '2 minutes'
                WHEN rule = 'changed after the last sync, over the floor after it: due at the change' THEN
                    quiet_period = interval '0' AND next = last_change AND next > last_synced_at + interval '2 minutes'
                WHEN rule = format('changed after the last sync: quiet period of %s after the change', quiet_period) THEN
                    next = last_change + quiet_period AND next > last_synced_at + interval '2 minutes'
                WHEN rule = format('quiet for %s: waits the 00:02:00 floor', date_trunc('second', quiet)) THEN
                    next = last_synced_at + interval '2 minutes'
                WHEN rule = format('quiet for %s: capped at %s (%s)%s', date_trunc('second', quiet), cap, cadence, jitter) THEN
                    next = last_synced_at + sync_jittered_delay(cap, interval '2 minutes', id)
                WHEN rule = format('quiet for %s: waits as long%s', date_trunc('second', quiet), jitter) THEN
                    next = last_synced_at + sync_jittered_delay(quiet, interval '2 minutes', id)
                ELSE false
            END
            """;

    final TestDatabase database;

    ScheduleRuleTextTest(TestDatabase database) {
        this.database = database;
    }

    @Test
    void theRuleTextNamesTheBranchTheScheduleTookForEveryCombinationOfInputs() {
        List<String> disagreements = database.dsl().fetch(INPUTS + """
                SELECT format('%s -> next %s, but the rule says: %s', to_jsonb(s) - 'next' - 'rule', next, rule)
                  FROM explained s
                 WHERE NOT coalesce(""" + TEXT_AGREES + ", false) LIMIT 20").getValues(0, String.class);

        assertThat(disagreements).isEmpty();
    }

    @Test
    void theCombinationsReachEveryBranch() {
        List<String> branches = database.dsl().fetch(INPUTS + """
                SELECT DISTINCT regexp_replace(regexp_replace(rule,
                           '[0-9]+ days?( [0-9]+(:[0-9]+)+)?|[0-9]+(:[0-9]+)*(\\.[0-9]+)?', 'N', 'g'),
                           '(active|checks_pending|finished)', 'C', 'g')
                  FROM explained""").getValues(0, String.class);

        assertThat(branches).containsExactlyInAnyOrder(
                "requested, but the attempt failed: retry N after N from the last attempt",
                "requested, but the attempt failed: retry N after N from the last attempt (N less N % jitter)",
                "urgent request",
                "requested",
                "bulk request",
                "gone from the host: synced only on request",
                "failing: retry N after N from the last attempt",
                "failing: retry N after N from the last attempt (N less N % jitter)",
                "never synced: due now",
                "no change known: waits the C cap (N less N % jitter)",
                "changed after the last sync: capped at N (C) after the sync",
                "changed after the last sync: N after the sync (the floor)",
                "changed after the last sync, over the floor after it: due at the change",
                "changed after the last sync: quiet period of N after the change",
                "quiet for N: waits the N floor",
                "quiet for N: capped at N (C) (N less N % jitter)",
                "quiet for N: waits as long (N less N % jitter)");
    }
}
