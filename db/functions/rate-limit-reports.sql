--liquibase formatted sql

--changeset changeset-syncer:functions-rate-limit-reports runOnChange:true splitStatements:false
--comment: Rate-limit bookkeeping: what hosts report about their quotas, and pauses when they refuse us.
--  Written by the write-backs; the claim reads the result (code_host_budgets).

CREATE OR REPLACE FUNCTION lock_code_host_budgets(code_host_ids bigint[])
    RETURNS void
    LANGUAGE plpgsql
AS $$
BEGIN
    -- In host order, so that two replicas writing several hosts' budgets never deadlock.
    PERFORM 1
       FROM code_host_budgets b
      WHERE b.code_host_id = ANY (code_host_ids)
      ORDER BY b.code_host_id
        FOR UPDATE OF b;
END
$$;

COMMENT ON FUNCTION lock_code_host_budgets(bigint[]) IS
'Locks the budget rows of these code hosts in host order (the budgets'' lock order; the claim skips locked ones).';


CREATE OR REPLACE FUNCTION pause_code_hosts(refusals jsonb)
    RETURNS void
    LANGUAGE plpgsql
    SET jit = off
AS $$
BEGIN
    PERFORM lock_code_host_budgets(array_agg(r.code_host_id))
       FROM jsonb_to_recordset(refusals) AS r(code_host_id bigint);

    -- The host refused for its rate limit: pause it for every replica until Retry-After, or until its
    -- reset when it said no quota remains -- at most code_host_max_pause() ahead, whatever it said (the
    -- seconds are bounded before they become an interval, which could overflow). A pause is never
    -- shortened here: an operator's longer pause keeps its end, reason and author. Empty the bucket.
    -- (refilled_at never moves back: a replica's older transaction must not refill tokens twice.)
    UPDATE code_host_budgets b
       SET paused_until = greatest(b.paused_until, p.until),
           pause_reason = CASE WHEN b.paused_until >= p.until THEN b.pause_reason ELSE p.reason END,
           paused_by = CASE WHEN b.paused_until >= p.until THEN b.paused_by END,
           tokens = least(b.tokens, 0),
           refilled_at = greatest(b.refilled_at, now())
      FROM (SELECT DISTINCT ON (d.code_host_id) d.code_host_id,
                   least(greatest(now() + least(greatest(coalesce(d.retry_after_seconds, 0), 0),
                                                extract(epoch FROM code_host_max_pause())) * interval '1 second',
                                  CASE WHEN d.remaining = 0 AND isfinite(d.reset_at) THEN d.reset_at END),
                         now() + code_host_max_pause()) AS until,
                   left(d.message, 500) AS reason
              FROM jsonb_to_recordset(refusals) AS d(code_host_id bigint, retry_after_seconds double precision,
                                                     remaining bigint, reset_at timestamptz, message text)
             ORDER BY d.code_host_id, 2 DESC) p
     WHERE b.code_host_id = p.code_host_id;
END
$$;

COMMENT ON FUNCTION pause_code_hosts(jsonb) IS
'Hosts that refused a request for their rate limit: [{code_host_id, retry_after_seconds, remaining, reset_at, '
'message}]. Pauses each for all replicas (code_host_budgets.paused_until, never shortened, and pause_reason) until '
'Retry-After, or until its reset when it said no quota remains, at most code_host_max_pause() ahead, and empties its '
'bucket.';


CREATE OR REPLACE FUNCTION observe_rate_limits(observations jsonb)
    RETURNS void
    LANGUAGE plpgsql
    SET jit = off
AS $$
BEGIN
    PERFORM lock_code_host_budgets(array_agg(o.code_host_id))
       FROM jsonb_to_recordset(observations) AS o(code_host_id bigint);

    -- What a host said about its quota wins over our estimate: the bucket never holds more than the
    -- host says remains, and a spent quota pauses the host until its reset.
    UPDATE code_host_budgets b
       SET reported_limit = o.limit_value,
           reported_remaining = o.remaining,
           reported_reset_at = o.reset_at,
           reported_at = now(),
           tokens = CASE WHEN o.remaining IS NULL OR h.requests_per_hour IS NULL THEN b.tokens
                         ELSE least(code_host_tokens(b.tokens, b.refilled_at, h.requests_per_hour, h.request_burst, now()),
                                    greatest(o.remaining, 0)) END,
           refilled_at = CASE WHEN o.remaining IS NULL OR h.requests_per_hour IS NULL THEN b.refilled_at
                               ELSE greatest(b.refilled_at, now()) END,
           -- (a reset further ahead than code_host_max_pause() pauses that long: hosts do not get to stop us
           -- for longer, and a pause is never shortened here, an operator's included)
           paused_until = CASE WHEN o.remaining = 0 AND o.reset_at > now()
                               THEN greatest(b.paused_until, o.pause_until) ELSE b.paused_until END,
           pause_reason = CASE WHEN o.remaining = 0 AND o.reset_at > now() AND (b.paused_until IS NULL OR b.paused_until < o.pause_until)
                               THEN 'the host reports no requests left until ' || o.reset_at
                                    || CASE WHEN o.reset_at > o.pause_until
                                            THEN ' (paused for at most ' || code_host_max_pause() || ')' ELSE '' END
                               ELSE b.pause_reason END,
           paused_by = CASE WHEN o.remaining = 0 AND o.reset_at > now() AND (b.paused_until IS NULL OR b.paused_until < o.pause_until)
                            THEN NULL ELSE b.paused_by END
      FROM (SELECT DISTINCT ON (i.code_host_id) i.code_host_id, i.limit_value, i.remaining, i.reset_at,
                   least(i.reset_at, now() + code_host_max_pause()) AS pause_until
              FROM jsonb_to_recordset(observations) AS i(code_host_id bigint, limit_value bigint, remaining bigint,
                                                         reset_at timestamptz, seen integer)
             ORDER BY i.code_host_id, i.seen DESC) o
      JOIN code_hosts h ON h.id = o.code_host_id
     WHERE b.code_host_id = o.code_host_id;
END
$$;

COMMENT ON FUNCTION observe_rate_limits(jsonb) IS
'Records what hosts reported about their rate limits: [{code_host_id, limit_value, remaining, reset_at, seen}] (the '
'highest seen per host wins). Brings the bucket down to the remaining quota, and pauses a host whose quota is spent '
'until its reset, at most code_host_max_pause() ahead.';
