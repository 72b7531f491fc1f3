--liquibase formatted sql

--changeset changeset-syncer:functions-schedule runOnChange:true splitStatements:false
--comment: The schedule rule. Pure functions: every input, times included, is a parameter, so tests call them with literals.

-- Older signatures (CREATE OR REPLACE with a new parameter would add an overload).
-- (changeset_next_sync_at first: its body depends on sync_quiet_time_next_at)
DROP FUNCTION IF EXISTS changeset_next_sync_at(bigint, sync_cadence, timestamptz, timestamptz, timestamptz, timestamptz,
    timestamptz, integer, timestamptz, timestamptz, interval, interval, interval, interval);
DROP FUNCTION IF EXISTS sync_quiet_time_next_at(timestamptz, timestamptz, timestamptz, interval, interval);


-- A wait with a day part ('1 day') added to a time in the session's time zone is 23 or 25 hours across a DST
-- change, so the stored schedule would depend on who wrote it. In UTC a day is always 24 hours.
CREATE OR REPLACE FUNCTION sync_time_after(at timestamptz, delay interval)
    RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ((at AT TIME ZONE 'UTC') + delay) AT TIME ZONE 'UTC';

COMMENT ON FUNCTION sync_time_after(timestamptz, interval) IS
'at + delay computed in UTC, so the instant is the same whatever the session''s TimeZone (a day is 24 hours, even '
'across a DST change). Every wait of the schedule is added with it.';


CREATE OR REPLACE FUNCTION sync_quiet_time_next_at(
    last_synced_at      timestamptz,
    external_updated_at timestamptz,
    latest_event_at     timestamptz,
    min_delay           interval,
    max_delay           interval,
    event_quiet_period  interval DEFAULT interval '0')
    RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    -- never synced: no schedule yet, the caller makes it due immediately
    WHEN last_synced_at IS NULL THEN NULL
    -- the host never told us when it last changed: treat it as quiet for ever
    WHEN greatest(external_updated_at, latest_event_at) IS NULL THEN sync_time_after(last_synced_at, max_delay)
    -- changed after the last sync: min after the sync (at once if that has passed), or the quiet period after the
    -- change if that is later; never later than the cap after the sync, however often events come
    WHEN greatest(external_updated_at, latest_event_at) > last_synced_at
        THEN least(greatest(sync_time_after(last_synced_at, min_delay),
                            sync_time_after(greatest(external_updated_at, latest_event_at),
                                            coalesce(event_quiet_period, interval '0'))),
                   sync_time_after(last_synced_at, max_delay))
    -- linear backoff: wait as long as it has been quiet, within [min, max]
    ELSE sync_time_after(last_synced_at,
        least(greatest(last_synced_at - greatest(external_updated_at, latest_event_at), min_delay), max_delay))
END;

COMMENT ON FUNCTION sync_quiet_time_next_at(timestamptz, timestamptz, timestamptz, interval, interval, interval) IS
'The rule as designed, without jitter. last_change = greatest(external_updated_at, latest_event_at). '
'Never synced: NULL (due immediately). Changed after the last sync: least(greatest(last_synced_at + min_delay, '
'last_change + event_quiet_period), last_synced_at + max_delay) -- with no quiet period (the default), min_delay after '
'the last sync, or at once if that has passed. Otherwise last_synced_at + clamp(last_synced_at - last_change, '
'min_delay, max_delay). Unknown last_change counts as quiet for ever (max_delay). Times are added in UTC '
'(sync_time_after).';


CREATE OR REPLACE FUNCTION sync_jitter_fraction(changeset_id bigint)
    RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN (hashint8extended(changeset_id, 0) & 1023)::double precision / 1024 * 0.05;

COMMENT ON FUNCTION sync_jitter_fraction(bigint) IS
'Deterministic per-changeset jitter in [0, 0.05): the fraction by which a wait is shortened, so that changesets imported together drift apart.';


CREATE OR REPLACE FUNCTION sync_jittered_delay(delay interval, min_delay interval, changeset_id bigint)
    RETURNS interval
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN greatest(min_delay, delay * (1 - sync_jitter_fraction(changeset_id)));

COMMENT ON FUNCTION sync_jittered_delay(interval, interval, bigint) IS
'delay shortened by the changeset''s jitter (under 5%), never below min_delay and never above delay.';


-- The exponent stops where min_delay * 2^e first reaches max_delay: failures keep counting, but the product stays
-- within twice the cap, so no count of failures can overflow an interval ("interval out of range" in one row
-- would fail the statement that ends every expired lease).
CREATE OR REPLACE FUNCTION sync_retry_delay(failures integer, min_delay interval, max_delay interval)
    RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN least(max_delay, min_delay * power(2, least(greatest(failures, 1) - 1,
    CASE WHEN min_delay > interval '0' AND max_delay > min_delay
         THEN ceil(log(2, extract(epoch FROM max_delay) / extract(epoch FROM min_delay)))
         ELSE 0 END)));

COMMENT ON FUNCTION sync_retry_delay(integer, interval, interval) IS
'Exponential retry backoff after consecutive failures: min_delay, 2x, 4x, ... capped at max_delay. Any number of '
'failures is safe: the doubling stops once it reaches max_delay.';


CREATE OR REPLACE FUNCTION changeset_cadence(state changeset_state, check_state check_state)
    RETURNS sync_cadence
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE
    WHEN state IN ('closed', 'merged', 'read_only') THEN 'finished'::sync_cadence
    WHEN check_state = 'pending' THEN 'checks_pending'::sync_cadence
    ELSE 'active'::sync_cadence
END;

COMMENT ON FUNCTION changeset_cadence(changeset_state, check_state) IS
'Which delay cap applies: finished (merged/closed/read-only), checks_pending (open with running checks), else active.';


CREATE OR REPLACE FUNCTION sync_cadence_max_delay(
    cadence                  sync_cadence,
    max_delay                interval,
    checks_pending_max_delay interval,
    finished_max_delay       interval)
    RETURNS interval
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE cadence
    WHEN 'checks_pending' THEN least(max_delay, checks_pending_max_delay)
    WHEN 'finished' THEN finished_max_delay
    ELSE max_delay
END;

COMMENT ON FUNCTION sync_cadence_max_delay(sync_cadence, interval, interval, interval) IS
'The longest wait for a cadence: checks_pending caps it lower, finished may raise it.';


CREATE OR REPLACE FUNCTION changeset_next_sync_at(
    changeset_id             bigint,
    cadence                  sync_cadence,
    enqueued_at              timestamptz,
    last_synced_at           timestamptz,
    last_attempt_at          timestamptz,
    synced_updated_at        timestamptz,
    latest_event_at          timestamptz,
    failures                 integer,
    gone_at                  timestamptz,
    requested_at             timestamptz,
    min_delay                interval,
    max_delay                interval,
    checks_pending_max_delay interval,
    finished_max_delay       interval,
    event_quiet_period       interval DEFAULT interval '0')
    RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN least(
    -- a request is served by the next attempt; if that attempt failed, retries back off like any other
    CASE WHEN failures > 0 AND last_attempt_at >= requested_at THEN NULL ELSE requested_at END,
    CASE
        -- gone: no routine syncs; but a pending request is still retried (with backoff) until served
        WHEN gone_at IS NOT NULL AND (requested_at IS NULL OR failures = 0) THEN NULL
        WHEN failures > 0 THEN sync_time_after(coalesce(last_attempt_at, last_synced_at),
            sync_jittered_delay(sync_retry_delay(failures, min_delay,
                  sync_cadence_max_delay(cadence, max_delay, checks_pending_max_delay, finished_max_delay)),
                  min_delay, changeset_id))
        WHEN last_synced_at IS NULL THEN enqueued_at
        -- changed after the last sync: not jittered (it is due at min after the sync, or at once)
        WHEN greatest(synced_updated_at, latest_event_at) > last_synced_at
            THEN sync_quiet_time_next_at(last_synced_at, synced_updated_at, latest_event_at, min_delay,
                     sync_cadence_max_delay(cadence, max_delay, checks_pending_max_delay, finished_max_delay),
                     event_quiet_period)
        ELSE sync_time_after(last_synced_at, sync_jittered_delay(
            sync_quiet_time_next_at(last_synced_at, synced_updated_at, latest_event_at, min_delay,
                sync_cadence_max_delay(cadence, max_delay, checks_pending_max_delay, finished_max_delay))
                - last_synced_at,
            min_delay, changeset_id))
    END);

COMMENT ON FUNCTION changeset_next_sync_at(bigint, sync_cadence, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz, integer, timestamptz, timestamptz, interval, interval, interval, interval, interval) IS
'When a changeset is due. A pending request makes it due at the request time (unless an attempt since the request failed: then the retry backoff applies). Otherwise: gone -> never (NULL); '
'failing -> last attempt + exponential retry backoff; never synced -> enqueued_at (due immediately); '
'changed after the last sync -> sync_quiet_time_next_at() with the host''s event_quiet_period (min after the last sync, '
'never past the cadence''s cap after it); else the rule''s backoff with the cadence''s cap, the wait shortened by the '
'changeset''s jitter (never below min_delay). Waits are added in UTC (sync_time_after). '
'The trigger on changeset_sync_state stores the result in next_sync_at.';
