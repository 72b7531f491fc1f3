--liquibase formatted sql

--changeset changeset-syncer:functions-repos-leases runOnChange:true splitStatements:false
--comment: Leases of repository syncs: the heartbeat, giving claims back unfinished, and the sweep of expired ones.

CREATE OR REPLACE FUNCTION extend_repo_leases(worker text, repo_ids bigint[], claim_tokens bigint[], lease interval,
                                              now timestamptz DEFAULT now())
    RETURNS TABLE (repo_id bigint, lease_until timestamptz)
    LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    now := coalesce(now, now()); -- null, like left out: the database's time
    RETURN QUERY
    WITH held AS MATERIALIZED (
        SELECT s.repo_id
          FROM repo_sync_state s
          JOIN unnest(repo_ids, claim_tokens) AS i(repo_id, claim_token)
            ON s.repo_id = i.repo_id AND s.claim_token = i.claim_token
         WHERE s.lease_holder = worker
         ORDER BY s.repo_id
           FOR UPDATE OF s)
    UPDATE repo_sync_state s
       SET lease_until = now + lease
      FROM held h
     WHERE s.repo_id = h.repo_id
    RETURNING s.repo_id, s.lease_until;
END
$$;

COMMENT ON FUNCTION extend_repo_leases(text, bigint[], bigint[], interval, timestamptz) IS
'Heartbeat of repository syncs: pushes the leases worker still holds (claim tokens matched pairwise with repo_ids) '
'to now + lease (now: the database''s now() when left out or null). Claims not returned were lost.';


CREATE OR REPLACE FUNCTION release_repo_claims(repo_ids bigint[], claim_tokens bigint[])
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    released integer;
BEGIN
    WITH held AS MATERIALIZED (
        SELECT s.repo_id
          FROM repo_sync_state s
          JOIN unnest(repo_ids, claim_tokens) AS i(repo_id, claim_token)
            ON s.repo_id = i.repo_id AND s.claim_token = i.claim_token
         ORDER BY s.repo_id
           FOR UPDATE OF s)
    UPDATE repo_sync_state s
       SET claim_token = NULL, lease_holder = NULL, claimed_at = NULL, lease_until = NULL
      FROM held h
     WHERE s.repo_id = h.repo_id;
    GET DIAGNOSTICS released = ROW_COUNT;
    RETURN released;
END
$$;

COMMENT ON FUNCTION release_repo_claims(bigint[], bigint[]) IS
'Gives repository claims back unfinished (graceful shutdown): claimable again at once, no failure counted. Returns '
'how many were still held.';


CREATE OR REPLACE FUNCTION release_expired_repo_leases(now timestamptz DEFAULT now())
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    expired  record;
    released integer := 0;
    problem  text;
BEGIN
    now := coalesce(now, now()); -- null, like left out: the database's time
    -- Rows another sweeper or a writer holds are skipped: they are being dealt with.
    FOR expired IN
        SELECT s.repo_id, s.claim_token, s.lease_holder, s.lease_until, s.claimed_at
          FROM repo_sync_state s
         WHERE s.claim_token IS NOT NULL
           AND s.lease_until < now
         ORDER BY s.repo_id
           FOR UPDATE OF s SKIP LOCKED
    LOOP
        -- One row at a time (repository leases are few): a row whose schedule cannot be computed is
        -- released without counting the failed attempt (the schedule trigger does not fire), saying why.
        BEGIN
            UPDATE repo_sync_state s
               SET failures        = least(s.failures, 2147483646) + 1,
                   last_attempt_at = expired.claimed_at,
                   last_error      = format('lease of %s expired at %s: the worker stopped or hung', expired.lease_holder,
                                            expired.lease_until),
                   claim_token = NULL, lease_holder = NULL, claimed_at = NULL, lease_until = NULL
             WHERE s.repo_id = expired.repo_id AND s.claim_token = expired.claim_token;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS problem = MESSAGE_TEXT;
            UPDATE repo_sync_state s
               SET last_error  = left(format('lease of %s expired at %s: the worker stopped or hung; released without '
                                             'counting a failed attempt, which failed: %s', expired.lease_holder,
                                             expired.lease_until, problem), 2000),
                   claim_token = NULL, lease_holder = NULL, claimed_at = NULL, lease_until = NULL
             WHERE s.repo_id = expired.repo_id AND s.claim_token = expired.claim_token;
        END;
        released := released + 1;
    END LOOP;
    RETURN released;
END
$$;

COMMENT ON FUNCTION release_expired_repo_leases(timestamptz) IS
'Sweep of repository syncs: returns rows whose lease expired before now (now: the database''s now() when left out or '
'null) to the queue, counting a failed attempt. Cheap (partial index on leased rows), idempotent, safe from any '
'number of workers at once. Row by row: a row whose failed attempt cannot be counted is released without it, its '
'last_error saying why, and holds no other. Returns how many it released.';
