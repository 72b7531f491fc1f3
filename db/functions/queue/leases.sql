--liquibase formatted sql

--changeset changeset-syncer:functions-queue-leases runOnChange:true splitStatements:false
--comment: Leases: the heartbeat that keeps claims, giving claims back unfinished, and the sweep of expired ones.

DROP FUNCTION IF EXISTS extend_leases(text, bigint[], bigint[], interval);

CREATE OR REPLACE FUNCTION extend_leases(worker text, changeset_ids bigint[], claim_tokens bigint[], lease interval,
                                         now timestamptz DEFAULT now())
    RETURNS TABLE (changeset_id bigint, lease_until timestamptz)
    LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    now := coalesce(now, now()); -- null, like left out: the database's time
    PERFORM lock_held_claims(changeset_ids, claim_tokens);

    RETURN QUERY
    UPDATE changeset_sync_state s
       SET lease_until = now + lease
      FROM unnest(changeset_ids, claim_tokens) AS i(changeset_id, claim_token)
     WHERE s.changeset_id = i.changeset_id
       AND s.claim_token = i.claim_token
       AND s.lease_holder = worker
    RETURNING s.changeset_id, s.lease_until;
END
$$;

COMMENT ON FUNCTION extend_leases(text, bigint[], bigint[], interval, timestamptz) IS
'Heartbeat: pushes the leases worker still holds to now + lease (now: the database''s now() when left out or '
'null). Claims not returned were lost (expired and swept).';


CREATE OR REPLACE FUNCTION release_claims(changeset_ids bigint[], claim_tokens bigint[])
    RETURNS integer
    LANGUAGE sql
RETURN (SELECT count(*)::integer FROM end_claims(changeset_ids, claim_tokens, false));

COMMENT ON FUNCTION release_claims(bigint[], bigint[]) IS
'Gives claims back unfinished (graceful shutdown): the rows are claimable again at once, no failure counted. Returns '
'how many were still held.';


DROP FUNCTION IF EXISTS release_expired_leases();

CREATE OR REPLACE FUNCTION release_expired_leases(now timestamptz DEFAULT now())
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    expired  record;
    released integer := 0;
    problem  text;
BEGIN
    now := coalesce(now, now()); -- null, like left out: the database's time
    -- The sweep also keeps the tally of syncs per minute to its last hour (an index range; usually empty).
    DELETE FROM sync_attempt_tallies t WHERE t.at < now - interval '1 hour';
    -- Rows another sweeper or a writer holds are skipped: they are being dealt with.
    SELECT array_agg(s.changeset_id ORDER BY s.changeset_id) AS ids,
           array_agg(s.claim_token ORDER BY s.changeset_id) AS tokens,
           array_agg(format('lease of %s expired at %s: the worker stopped or hung', s.lease_holder, s.lease_until)
                     ORDER BY s.changeset_id) AS errors
      INTO expired
      FROM (SELECT s.changeset_id, s.claim_token, s.lease_holder, s.lease_until
              FROM changeset_sync_state s
             WHERE s.claim_token IS NOT NULL
               AND s.lease_until < now
             ORDER BY s.changeset_id
               FOR UPDATE OF s SKIP LOCKED) s;
    IF expired.ids IS NULL THEN
        RETURN 0;
    END IF;

    BEGIN
        RETURN (SELECT count(*)::integer FROM end_claims(expired.ids, expired.tokens, true, expired.errors));
    EXCEPTION WHEN OTHERS THEN
        NULL; -- one row's schedule cannot be computed: release them one by one below
    END;

    -- Per row, so that one poisoned row (a schedule input the rule cannot compute with) cannot keep
    -- every other expired lease held. A row whose failed attempt cannot be counted is released
    -- without it (lease columns and last_error only: the schedule trigger does not fire), and says why.
    FOR i IN 1 .. cardinality(expired.ids) LOOP
        BEGIN
            released := released + (SELECT count(*)::integer
                                       FROM end_claims(ARRAY[expired.ids[i]], ARRAY[expired.tokens[i]], true,
                                                       ARRAY[expired.errors[i]]));
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS problem = MESSAGE_TEXT;
            UPDATE changeset_sync_state s
               SET claim_token = NULL, lease_holder = NULL, claimed_at = NULL, lease_until = NULL,
                   last_error  = left(format('%s; released without counting a failed attempt, which failed: %s',
                                             expired.errors[i], problem), 2000)
             WHERE s.changeset_id = expired.ids[i] AND s.claim_token = expired.tokens[i];
            IF FOUND THEN
                released := released + 1;
            END IF;
        END;
    END LOOP;
    RETURN released;
END
$$;

COMMENT ON FUNCTION release_expired_leases(timestamptz) IS
'Sweep: returns rows whose lease expired before now (a worker crashed or hung; now: the database''s now() when left '
'out or null) to the queue, counting a failed attempt so that a changeset that keeps killing workers backs off. Cheap '
'(partial index on leased rows), idempotent, safe from any number of workers at once. A row whose failed attempt '
'cannot be counted (its schedule cannot be computed) does not hold the others: the rows are then released one by one, '
'and that row without the count, its last_error saying why. Returns how many it released. Also deletes the rows of '
'sync_attempt_tallies older than an hour.';
