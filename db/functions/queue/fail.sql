--liquibase formatted sql

--changeset changeset-syncer:functions-queue-fail runOnChange:true splitStatements:false
--comment: Writing back failed attempts: the claims end, each counting a failure, so retries back off.

DROP FUNCTION IF EXISTS fail_syncs(jsonb);

CREATE OR REPLACE FUNCTION fail_syncs(attempts jsonb)
    RETURNS TABLE (changeset_id bigint)
    LANGUAGE plpgsql
    SET jit = off -- a batch of a thousand rows would otherwise be JIT-compiled, for no gain
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT e.changeset_id
      FROM (SELECT array_agg(i.changeset_id) AS ids, array_agg(i.claim_token) AS tokens, array_agg(i.message) AS errors
              FROM jsonb_to_recordset(attempts) AS i(changeset_id bigint, claim_token bigint, message text)) a
     CROSS JOIN LATERAL end_claims(a.ids, a.tokens, true, a.errors) e;
END
$$;

COMMENT ON FUNCTION fail_syncs(jsonb) IS
'Records failed attempts: [{changeset_id, claim_token, message}]. failures + 1, so the retry backs off exponentially '
'from last_attempt_at (the claim time); pending requests stay pending. Fenced like complete_syncs; returns the rows written.';
