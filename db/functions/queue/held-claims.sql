--liquibase formatted sql

--changeset changeset-syncer:functions-queue-held-claims runOnChange:true splitStatements:false
--comment: Locking the queue rows whose claims a batch still holds, and ending those claims: written once,
--  used by every write-back, the heartbeat and the sweep.

CREATE OR REPLACE FUNCTION lock_held_claims(changeset_ids bigint[], claim_tokens bigint[])
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    locked integer;
BEGIN
    -- The queue's one lock order: changeset_id. Every writer of many queue rows (these functions,
    -- the request and repository triggers) locks in this order, so that none can deadlock with
    -- another. A claim lost meanwhile (its token changed) is not locked.
    PERFORM 1
       FROM changeset_sync_state s
       JOIN unnest(changeset_ids, claim_tokens) AS i(changeset_id, claim_token)
         ON s.changeset_id = i.changeset_id AND s.claim_token = i.claim_token
      ORDER BY s.changeset_id
        FOR UPDATE OF s;
    GET DIAGNOSTICS locked = ROW_COUNT;
    RETURN locked;
END
$$;

COMMENT ON FUNCTION lock_held_claims(bigint[], bigint[]) IS
'Locks, in changeset_id order (the queue''s lock order), the queue rows whose claim is still the given one (claim '
'tokens matched pairwise with changeset_ids); returns how many. Called first by every function that writes claimed '
'rows, so that a later statement of the same transaction sees every request committed before the locks.';


CREATE OR REPLACE FUNCTION end_claims(changeset_ids bigint[], claim_tokens bigint[], failed boolean,
                                      errors text[] DEFAULT NULL)
    RETURNS TABLE (changeset_id bigint)
    LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    IF failed IS NULL THEN
        RAISE EXCEPTION 'end_claims: failed must be true or false' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM lock_held_claims(changeset_ids, claim_tokens);

    -- A failed attempt counts from when it started (the claim time): the retry backs off from there.
    RETURN QUERY
    WITH ended AS (
        UPDATE changeset_sync_state s
           SET failures        = least(s.failures, 2147483646) + CASE WHEN failed THEN 1 ELSE 0 END, -- never overflows
               last_attempt_at = CASE WHEN failed THEN s.claimed_at ELSE s.last_attempt_at END,
               last_error      = CASE WHEN failed THEN left(i.error, 2000) ELSE s.last_error END,
               claim_token     = NULL,
               lease_holder    = NULL,
               claimed_at      = NULL,
               lease_until     = NULL
          FROM unnest(changeset_ids, claim_tokens, errors) AS i(changeset_id, claim_token, error)
         WHERE s.changeset_id = i.changeset_id
           AND s.claim_token = i.claim_token
        RETURNING s.changeset_id, s.code_host_id
    ),
    -- a failed attempt is an attempt: syncs per minute count it (complete_syncs() tallies the rest)
    tallied AS (
        INSERT INTO sync_attempt_tallies (code_host_id, attempts)
        SELECT e.code_host_id, count(*) FROM ended e WHERE failed GROUP BY e.code_host_id
    )
    SELECT e.changeset_id FROM ended e;
END
$$;

COMMENT ON FUNCTION end_claims(bigint[], bigint[], boolean, text[]) IS
'Ends the claims still held (tokens matched pairwise with changeset_ids): the rows are unleased. With failed, each '
'counts a failed attempt (failures + 1, last_attempt_at = the claim time, last_error = its entry of errors), so the '
'retry backs off; without, the rows are claimable again at once, no failure counted. Locks with lock_held_claims() '
'first. Returns the claims ended; failed attempts are tallied per host in sync_attempt_tallies. (complete_syncs() ends '
'its claims in its own update: one write per row.)';
