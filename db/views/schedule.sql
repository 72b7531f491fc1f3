--liquibase formatted sql

--changeset changeset-syncer:views-schedule runOnChange:true splitStatements:false
--comment: What syncs when, and why, for DBAs. Views are dropped and re-created so their columns can change.

DROP VIEW IF EXISTS code_host_sync_summary;
DROP VIEW IF EXISTS changeset_schedule;

CREATE OR REPLACE FUNCTION finite_timestamp(t timestamptz)
    RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- the finite range's ends: any two of them subtract to an interval (infinity minus anything is an error);
-- NULL stays NULL (least and greatest would ignore it and answer a range end)
RETURN CASE WHEN t IS NOT NULL
            THEN least(greatest(t, timestamptz '4713-01-01 00:00:00+00 BC'), timestamptz '294276-12-31 00:00:00+00') END;

COMMENT ON FUNCTION finite_timestamp(timestamptz) IS
'The timestamp brought into the finite range (-infinity to its first day, infinity to its last; NULL stays NULL): the '
'views subtract timestamps, and one infinite value (accepted in a requested_at) must not fail a view for every row.';

DROP FUNCTION IF EXISTS changeset_schedule_rule(sync_cadence, timestamptz, timestamptz, timestamptz, integer,
    timestamptz, smallint, interval, interval, interval, interval);
DROP FUNCTION IF EXISTS changeset_schedule_rule(sync_cadence, timestamptz, timestamptz, timestamptz, timestamptz, integer,
    timestamptz, smallint, timestamptz, interval, interval, interval, interval);

-- How the changeset's jitter shortens a wait, in words: ", less 2.3 % jitter" (nothing when it does not).
CREATE OR REPLACE FUNCTION sync_jitter_text(delay interval, min_delay interval, changeset_id bigint)
    RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN sync_jittered_delay(delay, min_delay, changeset_id) < delay
    THEN format(' (%s less %s %% jitter)', date_trunc('second', sync_jittered_delay(delay, min_delay, changeset_id)),
                round((sync_jitter_fraction(changeset_id) * 100)::numeric, 1))
    ELSE '' END;

COMMENT ON FUNCTION sync_jitter_text(interval, interval, bigint) IS
'For changeset_schedule_rule(): " (<the jittered wait> less <n> % jitter)" when the changeset''s jitter shortens '
'the wait, else nothing.';


CREATE OR REPLACE FUNCTION changeset_schedule_rule(
    changeset_id             bigint,
    cadence                  sync_cadence,
    last_synced_at           timestamptz,
    last_attempt_at          timestamptz,
    synced_updated_at        timestamptz,
    latest_event_at          timestamptz,
    failures                 integer,
    gone_at                  timestamptz,
    priority                 smallint,
    requested_at             timestamptz,
    min_delay                interval,
    max_delay                interval,
    checks_pending_max_delay interval,
    finished_max_delay       interval,
    event_quiet_period       interval DEFAULT interval '0')
    RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE
    -- a request whose attempt failed backs off like any retry (see changeset_next_sync_at)
    WHEN requested_at IS NOT NULL AND failures > 0 AND last_attempt_at >= requested_at THEN
        format('requested, but the attempt failed: retry %s after %s from the last attempt%s', failures,
            sync_retry_delay(failures, min_delay,
                sync_cadence_max_delay(cadence, max_delay, checks_pending_max_delay, finished_max_delay)),
            sync_jitter_text(sync_retry_delay(failures, min_delay,
                sync_cadence_max_delay(cadence, max_delay, checks_pending_max_delay, finished_max_delay)),
                min_delay, changeset_id))
    WHEN priority = 2 THEN 'urgent request'
    WHEN priority = 1 THEN 'requested'
    WHEN requested_at IS NOT NULL THEN 'bulk request'
    WHEN gone_at IS NOT NULL THEN 'gone from the host: synced only on request'
    WHEN failures > 0 THEN format('failing: retry %s after %s from the last attempt%s', failures,
        sync_retry_delay(failures, min_delay,
            sync_cadence_max_delay(cadence, max_delay, checks_pending_max_delay, finished_max_delay)),
        sync_jitter_text(sync_retry_delay(failures, min_delay,
            sync_cadence_max_delay(cadence, max_delay, checks_pending_max_delay, finished_max_delay)),
            min_delay, changeset_id))
    WHEN last_synced_at IS NULL THEN 'never synced: due now'
    WHEN greatest(synced_updated_at, latest_event_at) IS NULL THEN
        format('no change known: waits the %s cap%s', cadence,
            sync_jitter_text(sync_cadence_max_delay(cadence, max_delay, checks_pending_max_delay, finished_max_delay),
                min_delay, changeset_id))
    -- changed after the last sync: the three terms of sync_quiet_time_next_at(), the one that won
    WHEN greatest(synced_updated_at, latest_event_at) > last_synced_at THEN
        CASE
            WHEN sync_time_after(greatest(synced_updated_at, latest_event_at), coalesce(event_quiet_period, interval '0'))
                 >= sync_time_after(last_synced_at,
                        sync_cadence_max_delay(cadence, max_delay, checks_pending_max_delay, finished_max_delay)) THEN
                format('changed after the last sync: capped at %s (%s) after the sync',
                    sync_cadence_max_delay(cadence, max_delay, checks_pending_max_delay, finished_max_delay), cadence)
            WHEN sync_time_after(greatest(synced_updated_at, latest_event_at), coalesce(event_quiet_period, interval '0'))
                 <= sync_time_after(last_synced_at, min_delay) THEN
                format('changed after the last sync: %s after the sync (the floor)', min_delay)
            WHEN coalesce(event_quiet_period, interval '0') = interval '0' THEN
                'changed after the last sync, over the floor after it: due at the change'
            ELSE format('changed after the last sync: quiet period of %s after the change', event_quiet_period)
        END
    WHEN last_synced_at - greatest(synced_updated_at, latest_event_at) < min_delay THEN
        format('quiet for %s: waits the %s floor',
            date_trunc('second', last_synced_at - greatest(synced_updated_at, latest_event_at)), min_delay)
    WHEN last_synced_at - greatest(synced_updated_at, latest_event_at)
         > sync_cadence_max_delay(cadence, max_delay, checks_pending_max_delay, finished_max_delay) THEN
        format('quiet for %s: capped at %s (%s)%s',
            date_trunc('second', last_synced_at - greatest(synced_updated_at, latest_event_at)),
            sync_cadence_max_delay(cadence, max_delay, checks_pending_max_delay, finished_max_delay), cadence,
            sync_jitter_text(sync_cadence_max_delay(cadence, max_delay, checks_pending_max_delay, finished_max_delay),
                min_delay, changeset_id))
    ELSE format('quiet for %s: waits as long%s',
        date_trunc('second', last_synced_at - greatest(synced_updated_at, latest_event_at)),
        sync_jitter_text(last_synced_at - greatest(synced_updated_at, latest_event_at), min_delay, changeset_id))
END;

COMMENT ON FUNCTION changeset_schedule_rule(bigint, sync_cadence, timestamptz, timestamptz, timestamptz, timestamptz, integer, timestamptz, smallint, timestamptz, interval, interval, interval, interval, interval) IS
'Names the branch of changeset_next_sync_at() that applies, in words, for the changeset_schedule view: the jitter '
'that shortens a wait included, a failing row''s retry counted from its last attempt.';


CREATE VIEW changeset_schedule AS
SELECT s.changeset_id,
       c.external_id                                          AS changeset_external_id,
       c.repo_id,
       r.name                                                 AS repo_name,
       s.code_host_id,
       h.name                                                 AS code_host_name,
       h.kind                                                 AS code_host_kind,
       c.state,
       s.cadence,
       s.last_synced_at,
       s.last_attempt_at,
       greatest(s.synced_updated_at, s.latest_event_at)       AS last_change_at,
       finite_timestamp(s.last_synced_at) - finite_timestamp(greatest(s.synced_updated_at, s.latest_event_at))
                                                              AS quiet_for,
       -- a failing row waits from its last attempt (the retry backs off from there)
       finite_timestamp(s.next_sync_at) - finite_timestamp(CASE WHEN s.failures > 0
                                                                THEN coalesce(s.last_attempt_at, s.last_synced_at)
                                                                ELSE coalesce(s.last_synced_at, s.enqueued_at) END) AS wait,
       changeset_schedule_rule(s.changeset_id, s.cadence, s.last_synced_at, s.last_attempt_at, s.synced_updated_at,
           s.latest_event_at, s.failures, s.gone_at, s.priority, s.requested_at, h.min_sync_delay,
           h.max_sync_delay, h.checks_pending_max_delay, h.finished_max_delay, h.event_quiet_period) AS rule,
       s.next_sync_at,
       s.next_sync_at <= now()                                AS due,
       greatest(now() - finite_timestamp(s.next_sync_at), interval '0') AS overdue_by,
       s.priority,
       s.requested_at,
       pending.reason                                         AS request_reason,
       pending.requested_by,
       s.lease_holder,
       s.lease_until,
       s.failures,
       s.last_error,
       s.gone_at
  FROM changeset_sync_state s
  JOIN changesets c ON c.id = s.changeset_id
  JOIN repos r ON r.id = c.repo_id
  JOIN code_hosts h ON h.id = s.code_host_id
  LEFT JOIN LATERAL (
      SELECT q.reason, q.requested_by
        FROM sync_requests q
       WHERE q.changeset_id = s.changeset_id
         AND q.served_at IS NULL
       -- the newest at the highest priority: after an archive and an unarchive, the unarchive
       ORDER BY q.priority DESC, q.requested_at DESC, q.id DESC
       LIMIT 1) pending ON true;

COMMENT ON VIEW changeset_schedule IS
'One row per changeset: when it was last synced and changed, the wait the rule chose and why (rule), when it is due, '
'the pending request, lease and failures. Cheap for "WHERE due ORDER BY next_sync_at LIMIT n" (index on next_sync_at).';
COMMENT ON COLUMN changeset_schedule.quiet_for IS 'How long the changeset had been quiet when it was last synced (negative: changed since).';
COMMENT ON COLUMN changeset_schedule.wait IS 'next_sync_at minus the last sync (or the enqueue time if never synced; the last attempt if failing); null when never due (gone).';
COMMENT ON COLUMN changeset_schedule.request_reason IS 'The reason of the pending request that matters: the newest of the highest priority.';
COMMENT ON COLUMN changeset_schedule.due IS 'next_sync_at has passed (it may be in flight: see lease_holder); null when never due (gone).';


-- Per host: each figure is one index range (claim, leased or troubled index), so the view
-- stays cheap at millions of changesets. claim_at folds the claim level in (sync_claim_at), so the
-- levels are separate claim_at ranges, split by sync_claim_bound().
CREATE VIEW code_host_sync_summary AS
SELECT h.id                                     AS code_host_id,
       h.name,
       h.kind,
       due.due_now,
       due.requested_due,
       due.bulk_due,
       now() - finite_timestamp(least(oldest.routine, oldest.bulk + sync_priority_shift(),
                     oldest.requested + 2 * sync_priority_shift(), oldest.urgent + 3 * sync_priority_shift()))
                                                AS oldest_overdue,
       flight.in_flight,
       flight.expired_leases,
       trouble.failing,
       trouble.gone,
       h.requests_per_hour,
       code_host_burst(h.requests_per_hour, h.request_burst)  AS request_burst,
       code_host_tokens(b.tokens, b.refilled_at, h.requests_per_hour, h.request_burst, now()) AS budget_left,
       h.max_in_flight,
       CASE WHEN b.paused_until > now() THEN b.paused_until END AS paused_until,
       CASE WHEN b.paused_until > now() THEN b.pause_reason END AS pause_reason,
       b.reported_remaining                                   AS host_reported_remaining,
       b.reported_reset_at                                    AS host_reported_reset_at,
       repos.repos_failing,
       repos.repos_not_visible
  FROM code_hosts h
  JOIN code_host_budgets b ON b.code_host_id = h.id
 CROSS JOIN LATERAL (
      SELECT count(*)                                                        AS due_now,
             count(*) FILTER (WHERE s.claim_at <= sync_claim_bound(2, now())) AS requested_due,
             count(*) FILTER (WHERE s.claim_at > sync_claim_bound(2, now())
                                AND s.claim_at <= sync_claim_bound(1, now())) AS bulk_due
        FROM changeset_sync_state s
       WHERE s.code_host_id = h.id AND s.claim_token IS NULL AND s.claim_at <= sync_claim_bound(0, now())) due
 CROSS JOIN LATERAL (
      SELECT (SELECT min(s.claim_at) FROM changeset_sync_state s
               WHERE s.code_host_id = h.id AND s.claim_token IS NULL
                 AND s.claim_at > sync_claim_bound(1, now()) AND s.claim_at <= sync_claim_bound(0, now())) AS routine,
             (SELECT min(s.claim_at) FROM changeset_sync_state s
               WHERE s.code_host_id = h.id AND s.claim_token IS NULL
                 AND s.claim_at > sync_claim_bound(2, now()) AND s.claim_at <= sync_claim_bound(1, now())) AS bulk,
             (SELECT min(s.claim_at) FROM changeset_sync_state s
               WHERE s.code_host_id = h.id AND s.claim_token IS NULL
                 AND s.claim_at > sync_claim_bound(3, now()) AND s.claim_at <= sync_claim_bound(2, now())) AS requested,
             (SELECT min(s.claim_at) FROM changeset_sync_state s
               WHERE s.code_host_id = h.id AND s.claim_token IS NULL
                 AND s.claim_at <= sync_claim_bound(3, now())) AS urgent) oldest
 CROSS JOIN LATERAL (
      SELECT count(*)                                        AS in_flight,
             count(*) FILTER (WHERE s.lease_until < now())   AS expired_leases
        FROM changeset_sync_state s
       WHERE s.code_host_id = h.id AND s.claim_token IS NOT NULL) flight
 CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE s.failures > 0)          AS failing,
             count(*) FILTER (WHERE s.gone_at IS NOT NULL)   AS gone
        FROM changeset_sync_state s
       WHERE s.code_host_id = h.id AND (s.failures > 0 OR s.gone_at IS NOT NULL)) trouble
 CROSS JOIN LATERAL (
      SELECT count(*) FILTER (WHERE r.failures > 0)          AS repos_failing,
             count(*) FILTER (WHERE r.not_found_count > 0)   AS repos_not_visible
        FROM repo_sync_state r
       WHERE r.code_host_id = h.id AND (r.failures > 0 OR r.not_found_count > 0)) repos;

COMMENT ON VIEW code_host_sync_summary IS
'Per code host: changesets due now (and how many of them requested or urgent, and how many bulk requests: archived '
'flips, imports), the oldest overdue one, syncs in flight '
'(and leases expired, waiting for the sweep), failing and gone changesets; its request budget and what is left of it, '
'its concurrency cap, whether it is paused and why, and what the host last reported about its own quota; its '
'repositories whose reads fail, and those answering 404 (not visible: see repo_sync_schedule).';
