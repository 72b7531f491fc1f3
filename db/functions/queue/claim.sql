--liquibase formatted sql

--changeset changeset-syncer:functions-queue-claim runOnChange:true splitStatements:false
--comment: The claim: due changesets, leased to a worker, within each host's budget and concurrency cap.

DROP FUNCTION IF EXISTS claim_changesets(text, integer, interval);
DROP FUNCTION IF EXISTS claim_changesets(text, integer, interval, bigint[]);
DROP FUNCTION IF EXISTS claim_changesets(text, integer, interval, bigint[], boolean);

CREATE OR REPLACE FUNCTION claim_changesets(worker text, max_rows integer, lease interval,
                                            skip_hosts bigint[] DEFAULT '{}',
                                            requested_only boolean DEFAULT false,
                                            now timestamptz DEFAULT now())
    RETURNS TABLE (
        changeset_id       bigint,
        claim_token        bigint,
        claimed_at         timestamptz,
        lease_until        timestamptz,
        priority           smallint,
        code_host_id       bigint,
        code_host_name     text,
        code_host_kind     code_host_kind,
        code_host_base_url text,
        repo_id            bigint,
        repo_external_id   text,
        repo_name          text,
        external_id        text,
        change_markers     jsonb,
        head_sha           text,
        review_state       review_state,
        check_state        check_state,
        repo_archived      boolean)
    LANGUAGE plpgsql
    -- One plan for every call: re-planning cost ~1 ms per claim, and this query's generic plan is
    -- as good as a custom one (the TID scan and the row-by-row lookups do not depend on max_rows).
    -- JIT would compile for hundreds of milliseconds on the large generic row estimates.
    SET plan_cache_mode = force_generic_plan
    SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    locked_hosts bigint[];
BEGIN
    IF worker IS NULL OR btrim(worker) = '' THEN
        RAISE EXCEPTION 'claim_changesets: worker must be named' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF max_rows IS NULL OR max_rows < 1 THEN
        RAISE EXCEPTION 'claim_changesets: max_rows must be at least 1, got %', max_rows
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF lease IS NULL OR lease <= interval '0' THEN
        RAISE EXCEPTION 'claim_changesets: lease must be positive, got %', lease
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    now := coalesce(now, now()); -- null, like left out: the database's time

    -- 1. Hosts with a budget or a concurrency cap: lock their budget row, skipping it if another
    --    claim holds it, so that two replicas can never both spend the last token or the last slot.
    --    This is its own statement: the next one takes its snapshot after the locks, so it sees
    --    every lease and debit committed before them (a lock taken inside one statement would not).
    SELECT coalesce(array_agg(candidate.code_host_id), '{}') INTO locked_hosts
      FROM (SELECT b.code_host_id
              FROM code_host_budgets b
              JOIN code_hosts h ON h.id = b.code_host_id
             WHERE (h.requests_per_hour IS NOT NULL OR h.max_in_flight IS NOT NULL)
               AND (b.paused_until IS NULL OR b.paused_until <= now)
               AND h.id <> ALL (skip_hosts)
             ORDER BY b.code_host_id
               FOR UPDATE OF b SKIP LOCKED) candidate;

    RETURN QUERY
    WITH
    limited AS MATERIALIZED (
        SELECT h.id,
               h.requests_per_sync,
               code_host_tokens(b.tokens, b.refilled_at, h.requests_per_hour, h.request_burst, now) AS tokens,
               least(
                   CASE WHEN h.requests_per_hour IS NULL THEN max_rows
                        ELSE floor(code_host_tokens(b.tokens, b.refilled_at, h.requests_per_hour, h.request_burst, now)
                                   / h.requests_per_sync)::integer END,
                   CASE WHEN h.max_in_flight IS NULL THEN max_rows
                        ELSE h.max_in_flight - (SELECT count(*)::integer FROM changeset_sync_state f
                                                 WHERE f.code_host_id = h.id AND f.claim_token IS NOT NULL) END,
                   max_rows) AS allowance
          FROM code_hosts h
          JOIN code_host_budgets b ON b.code_host_id = h.id
         WHERE h.id = ANY (locked_hosts)),
    -- Hosts without limits of ours: no lock, so replicas claim from them side by side.
    unlimited AS MATERIALIZED (
        SELECT h.id, max_rows AS allowance
          FROM code_hosts h
          JOIN code_host_budgets b ON b.code_host_id = h.id
         WHERE h.requests_per_hour IS NULL AND h.max_in_flight IS NULL
           AND (b.paused_until IS NULL OR b.paused_until <= now)
           AND h.id <> ALL (skip_hosts)),
    hosts AS (
        SELECT id, allowance FROM limited WHERE allowance > 0
        UNION ALL
        SELECT id, allowance FROM unlimited),
    -- Per host, its due unleased rows in claim order (urgent, requested, then routine by time),
    -- skipping rows another worker holds; then interleaved across hosts: requests first, then each
    -- host's earliest, then each host's second... so that no host's backlog crowds out another's.
    -- The MATERIALIZED fence keeps the planner from re-running the locking subquery.
    candidates AS MATERIALIZED (
        SELECT due.row_id, due.claim_at, h.id AS code_host_id
          FROM hosts h
         CROSS JOIN LATERAL (
               SELECT s.ctid AS row_id, s.claim_at
                 FROM changeset_sync_state s
                WHERE s.code_host_id = h.id
                  AND s.claim_token IS NULL
                  AND s.claim_at <= sync_claim_at_bound(CASE WHEN requested_only THEN 1 ELSE 0 END, now)
                ORDER BY s.claim_at
                LIMIT h.allowance
                  FOR UPDATE SKIP LOCKED) due),
    picked AS MATERIALIZED (
        SELECT c.row_id, c.code_host_id
          FROM (SELECT c.*, row_number() OVER (PARTITION BY c.code_host_id ORDER BY c.claim_at) AS host_rank
                  FROM candidates c) c
         ORDER BY c.claim_at > sync_claim_at_bound(1, now), c.host_rank, c.claim_at
         LIMIT max_rows),
    -- By ctid: a TID scan, no primary-key descent per row (~20 % fewer buffers per claim). A row
    -- changed and committed between this statement's snapshot and its lock is locked in a version
    -- the snapshot cannot see: the update skips it, so it is not claimed this time (nor paid for,
    -- below) and stays due for the next claim.
    claimed AS (
        UPDATE changeset_sync_state s
           SET claim_token  = nextval('sync_claim_tokens'),
               lease_holder = worker,
               claimed_at   = now,
               lease_until  = now + lease
         WHERE s.ctid = ANY (ARRAY(SELECT p.row_id FROM picked p))
        RETURNING s.changeset_id, s.claim_token, s.claimed_at, s.lease_until, s.priority, s.code_host_id),
    -- the budget pays for what was claimed, not for what was picked
    debited AS (
        UPDATE code_host_budgets b
           SET tokens = l.tokens - n.claimed * l.requests_per_sync,
               refilled_at = greatest(b.refilled_at, now)
          FROM (SELECT cl.code_host_id, count(*) AS claimed FROM claimed cl GROUP BY cl.code_host_id) n
          JOIN limited l ON l.id = n.code_host_id
         WHERE b.code_host_id = n.code_host_id
           AND l.tokens IS NOT NULL)
    SELECT cl.changeset_id, cl.claim_token, cl.claimed_at, cl.lease_until, cl.priority, h.id, h.name, h.kind, h.base_url,
           d.repo_id, d.repo_external_id, d.repo_name, d.external_id, d.change_markers, d.head_sha, d.review_state,
           d.check_state, d.repo_archived
      FROM claimed cl
      JOIN code_hosts h ON h.id = cl.code_host_id
     CROSS JOIN LATERAL (
           SELECT c.repo_id, r.external_id AS repo_external_id, r.name AS repo_name, c.external_id, c.change_markers,
                  c.head_sha, c.review_state, c.check_state, r.archived AS repo_archived
             FROM changesets c
             JOIN repos r ON r.id = c.repo_id
            WHERE c.id = cl.changeset_id
           OFFSET 0) d;
END
$$;

COMMENT ON FUNCTION claim_changesets(text, integer, interval, bigint[], boolean, timestamptz) IS
'Claims up to max_rows due changesets for worker: requests first, then each host''s due rows interleaved by time; rows '
'held by other workers are skipped (FOR UPDATE SKIP LOCKED). Paused hosts, hosts in skip_hosts, and hosts whose budget '
'or concurrency cap is spent are left out; the budget is debited in the same statement. Each row gets a fresh '
'claim_token and a lease until now + lease. With requested_only, only changesets with a pending request. now is the '
'database''s now() when left out or null (tests set the clock with it). Returns what a sync needs.';
