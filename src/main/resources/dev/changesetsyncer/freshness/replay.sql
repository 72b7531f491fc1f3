-- One rule strategy at one webhook share: the sync attempts of the changesets selected below over the run, each
-- decided by the rule function under test, for all of them at once. Each iteration of the
-- recursion takes one step per changeset: the next webhook (it moves latest_event_at; the rule is asked again), or
-- the next attempt at the time the rule gave (it brings in the changes since the last successful sync, or fails).
-- A changeset stops once the run is over and every change on the host has reached the mirror.
--
-- The state handed to the rule has the columns of changeset_sync_state, with the names the rule's parameters
-- have; the mirror's state and check state give the cadence through changeset_cadence(), as the triggers do.
INSERT INTO ${attempts} (changeset_id, at, ok, prev_synced_at, covered, pull_changed, reviewed, pushed,
                        checks_changed, checks_unsettled, repeats, token_renewals)
WITH RECURSIVE replay AS (
    -- The start: every changeset in sync, its last sync placed at a random point (its phase) of the wait
    -- the rule gives it, so that the run does not begin with everyone synced at once.
    SELECT c.id AS changeset_id, 0 AS step_no, 'start' AS step, ${start} AS t, false AS ok,
           NULL::timestamptz AS prev_synced_at, false AS covered, false AS pull_changed, false AS reviewed,
           false AS pushed, false AS checks_changed, false AS checks_unsettled,
           s.last_synced_at, s.last_attempt_at, s.synced_updated_at, s.latest_event_at, s.failures,
           m.state AS mirror_state, c.has_ci, NULL::timestamptz AS checks_pending_until,
           coalesce(greatest(${rule_s}, ${start}), 'infinity') AS next_at,
           coalesce(nw.at, 'infinity') AS next_webhook_at,
           coalesce(nc.at, 'infinity') AS next_change_at
      FROM freshness.changesets c
     CROSS JOIN LATERAL (
           SELECT CASE WHEN c.class = 'finished' THEN 'merged' ELSE 'open' END::changeset_state AS state,
                  CASE WHEN c.has_ci THEN 'passed' ELSE 'none' END::check_state AS check_state) m
     CROSS JOIN LATERAL (
           SELECT c.id AS changeset_id, changeset_cadence(state => m.state, check_state => m.check_state) AS cadence,
                  ${start} - interval '30 days' AS enqueued_at, ${start} AS last_synced_at, ${start} AS last_attempt_at,
                  c.updated_at AS synced_updated_at, NULL::timestamptz AS latest_event_at, 0 AS failures,
                  NULL::timestamptz AS gone_at, NULL::timestamptz AS requested_at) s0
     CROSS JOIN LATERAL (
           SELECT ${start} - c.phase * (coalesce(${rule_s0}, ${start}) - ${start}) AS at) p
     CROSS JOIN LATERAL (
           SELECT s0.changeset_id, s0.cadence, s0.enqueued_at, p.at AS last_synced_at, p.at AS last_attempt_at,
                  s0.synced_updated_at, s0.latest_event_at, s0.failures, s0.gone_at, s0.requested_at) s
      LEFT JOIN LATERAL (
           SELECT min(ch.at) AS at FROM freshness.changes ch
            WHERE ch.changeset_id = c.id AND ch.webhook_draw < ${share}) nw ON true
      LEFT JOIN LATERAL (
           SELECT min(ch.at) AS at FROM freshness.changes ch WHERE ch.changeset_id = c.id) nc ON true
     WHERE ${replayed}

    UNION ALL

    SELECT w.changeset_id, w.step_no + 1, d.step, d.t, o.ok,
           w.last_synced_at, o.ok AND w.next_change_at <= d.t,
           coalesce(g.pull_changed, false), coalesce(g.reviewed, false), coalesce(g.pushed, false),
           coalesce(g.checks_changed, false),
           NOT w.has_ci OR coalesce(w.checks_pending_until > w.last_synced_at, false),
           s.last_synced_at, s.last_attempt_at, s.synced_updated_at, s.latest_event_at, s.failures,
           m.state, w.has_ci, m.checks_pending_until,
           coalesce(greatest(${rule_s}, d.t), 'infinity'),
           CASE WHEN d.step = 'webhook' THEN coalesce(nw.at, 'infinity') ELSE w.next_webhook_at END,
           CASE WHEN o.ok AND w.next_change_at <= d.t THEN coalesce(nc.at, 'infinity') ELSE w.next_change_at END
      FROM replay w
     CROSS JOIN LATERAL (
           SELECT CASE WHEN w.next_webhook_at < w.next_at THEN 'webhook' ELSE 'attempt' END AS step,
                  least(w.next_webhook_at, w.next_at) AS t
           OFFSET 0) d
     -- an attempt fails with the strategy's failure rate, drawn per changeset and step from the seed
     CROSS JOIN LATERAL (
           SELECT d.step = 'attempt' AND ${attempt_succeeds} AS ok
           OFFSET 0) o
     -- what a successful attempt brings in: the changes since the last successful sync (looked up only if any)
      LEFT JOIN LATERAL (
           SELECT bool_or(ch.moves_updated_at) AS pull_changed,
                  max(ch.at) FILTER (WHERE ch.moves_updated_at) AS updated_at,
                  max(ch.at) FILTER (WHERE ch.found_as_event) AS found_event_at,
                  bool_or(ch.kind = 'review') AS reviewed, bool_or(ch.kind = 'push') AS pushed,
                  bool_or(ch.kind = 'check') AS checks_changed, bool_or(ch.kind = 'merge') AS merged,
                  max(ch.checks_pending_until) AS checks_pending_until
             FROM freshness.changes ch
            WHERE o.ok AND w.next_change_at <= d.t
              AND ch.changeset_id = w.changeset_id AND ch.at > w.last_synced_at AND ch.at <= d.t) g ON true
      LEFT JOIN LATERAL (
           SELECT min(ch.at) AS at FROM freshness.changes ch
            WHERE o.ok AND w.next_change_at <= d.t AND ch.changeset_id = w.changeset_id AND ch.at > d.t) nc ON true
      LEFT JOIN LATERAL (
           SELECT min(ch.at) AS at FROM freshness.changes ch
            WHERE d.step = 'webhook' AND ch.changeset_id = w.changeset_id AND ch.at > d.t
              AND ch.webhook_draw < ${share}) nw ON true
     -- the mirror after this step, and its check state as of its last successful sync
     CROSS JOIN LATERAL (
           SELECT CASE WHEN g.merged THEN 'merged'::changeset_state ELSE w.mirror_state END AS state,
                  coalesce(g.checks_pending_until, w.checks_pending_until) AS checks_pending_until,
                  CASE WHEN o.ok THEN d.t ELSE w.last_synced_at END AS last_synced_at) m0
     CROSS JOIN LATERAL (
           SELECT m0.state, m0.checks_pending_until,
                  CASE WHEN m0.checks_pending_until > m0.last_synced_at THEN 'pending'
                       WHEN w.has_ci THEN 'passed' ELSE 'none' END::check_state AS check_state) m
     -- the schedule's inputs after this step, as complete_syncs(), fail_syncs() and the event trigger write them
     CROSS JOIN LATERAL (
           SELECT w.changeset_id, changeset_cadence(state => m.state, check_state => m.check_state) AS cadence,
                  ${start} - interval '30 days' AS enqueued_at,
                  m0.last_synced_at,
                  CASE WHEN d.step = 'attempt' THEN d.t ELSE w.last_attempt_at END AS last_attempt_at,
                  CASE WHEN o.ok THEN coalesce(g.updated_at, w.synced_updated_at) ELSE w.synced_updated_at END
                      AS synced_updated_at,
                  CASE WHEN d.step = 'webhook' THEN greatest(w.latest_event_at, d.t)
                       ELSE greatest(w.latest_event_at, g.found_event_at) END AS latest_event_at,
                  CASE WHEN o.ok THEN 0 WHEN d.step = 'attempt' THEN w.failures + 1 ELSE w.failures END AS failures,
                  NULL::timestamptz AS gone_at, NULL::timestamptz AS requested_at
           -- a subquery of its own: the rule reads these columns several times, as values, not as expressions
           OFFSET 0) s
     WHERE w.step_no < ${max_steps}
       AND least(w.next_at, w.next_webhook_at) < 'infinity'
       AND (w.next_at < ${end} OR w.next_change_at < ${end})
)
SELECT changeset_id, t, ok, prev_synced_at, covered, pull_changed, reviewed, pushed, checks_changed, checks_unsettled,
       1, CASE WHEN ok AND date_bin('1 hour', t, ${start}) <> date_bin('1 hour', prev_synced_at, ${start})
               THEN 1 ELSE 0 END
  FROM replay
 WHERE step = 'attempt';
