--liquibase formatted sql

--changeset changeset-syncer:functions-rate-limit-refunds runOnChange:true splitStatements:false
--comment: Giving back to a host's budget the requests a claim paid for that the host did not count (free 304s).

CREATE OR REPLACE FUNCTION refund_code_host_requests(refunds jsonb)
    RETURNS void
    LANGUAGE plpgsql
    SET jit = off
AS $$
BEGIN
    PERFORM lock_code_host_budgets(array_agg(r.code_host_id))
       FROM jsonb_to_recordset(refunds) AS r(code_host_id bigint);

    -- A claim takes its cost from the bucket before the sync; a conditional request the host answered
    -- with a free 304 (GitHub's primary quota) cost nothing, so it goes back, never past the burst.
    -- (refilled_at never moves back: a replica's older transaction must not refill tokens twice.)
    UPDATE code_host_budgets b
       SET tokens = least(code_host_burst(h.requests_per_hour, h.request_burst),
                          code_host_tokens(b.tokens, b.refilled_at, h.requests_per_hour, h.request_burst, now())
                              + r.requests),
           refilled_at = greatest(b.refilled_at, now())
      FROM (SELECT i.code_host_id, sum(i.requests) AS requests
              FROM jsonb_to_recordset(refunds) AS i(code_host_id bigint, requests double precision)
             WHERE i.requests > 0
             GROUP BY i.code_host_id) r
      JOIN code_hosts h ON h.id = r.code_host_id
     WHERE b.code_host_id = r.code_host_id
       AND h.requests_per_hour IS NOT NULL;
END
$$;

COMMENT ON FUNCTION refund_code_host_requests(jsonb) IS
'Gives back to each host''s bucket what its syncs paid for at the claim but the host did not count: '
'[{code_host_id, requests}] (a sync''s free 304s, at most its claim_cost). Never fills the bucket past its burst; '
'hosts without a budget are left alone. Called with the write-back, before observe_rate_limits() (what the host '
'reports still wins).';
