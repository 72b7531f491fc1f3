--liquibase formatted sql

--changeset changeset-syncer:functions-queue-next-claim-delay runOnChange:true splitStatements:false
--comment: How long an idle worker may sleep: until the earliest changeset it could claim.

DROP FUNCTION IF EXISTS next_claim_delay();
DROP FUNCTION IF EXISTS next_claim_delay(bigint[]);

CREATE OR REPLACE FUNCTION next_claim_delay(skip_hosts bigint[] DEFAULT '{}', now timestamptz DEFAULT now())
    RETURNS interval
    LANGUAGE plpgsql STABLE
AS $$
BEGIN
    now := coalesce(now, now()); -- null, like left out: the database's time
    RETURN (
        SELECT CASE WHEN min(ready.at) IS NOT NULL  -- (greatest() would turn NULL into 0)
                    THEN greatest(min(ready.at) - now, interval '0') END
          FROM code_hosts h
          JOIN code_host_budgets b ON b.code_host_id = h.id
         CROSS JOIN LATERAL (
               SELECT s.claim_at
                 FROM changeset_sync_state s
                WHERE s.code_host_id = h.id AND s.claim_token IS NULL AND s.claim_at IS NOT NULL
                ORDER BY s.claim_at
                LIMIT 1) first
         -- a host's first row can be claimed when it is due, the host is not paused, and its bucket holds a sync
         CROSS JOIN LATERAL (
               SELECT greatest(first.claim_at, b.paused_until,
                               now + code_host_budget_wait(
                                   code_host_tokens(b.tokens, b.refilled_at, h.requests_per_hour, h.request_burst, now),
                                   h.requests_per_hour, h.requests_per_sync)) AS at) ready
         WHERE h.id <> ALL (coalesce(skip_hosts, '{}'))
           -- a host at its concurrency cap frees a slot only when a sync finishes, which wakes the claimers
           AND (h.max_in_flight IS NULL
                OR h.max_in_flight > (SELECT count(*) FROM changeset_sync_state f
                                       WHERE f.code_host_id = h.id AND f.claim_token IS NOT NULL)));
END
$$;

COMMENT ON FUNCTION next_claim_delay(bigint[], timestamptz) IS
'How long after now until some changeset can be claimed: due, its host not paused, with budget and below its '
'concurrency cap, and not in skip_hosts (0 if at once, NULL if never). now is the database''s now() when left out '
'or null. Idle workers sleep that long at most.';
