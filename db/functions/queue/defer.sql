--liquibase formatted sql

--changeset changeset-syncer:functions-queue-defer runOnChange:true splitStatements:false
--comment: Writing back syncs a host refused for its rate limit: the host pauses, the claims are given back.

CREATE OR REPLACE FUNCTION defer_syncs(deferrals jsonb)
    RETURNS TABLE (changeset_id bigint)
    LANGUAGE plpgsql
    SET jit = off
AS $$
#variable_conflict use_column
BEGIN
    -- Budget rows first, then queue rows: the order every writer of both takes.
    PERFORM pause_code_hosts(deferrals);

    -- The changesets themselves did nothing wrong: give the claims back without a failure. They stay
    -- due, and are claimed again once the pause is over.
    RETURN QUERY
    SELECT e.changeset_id
      FROM (SELECT array_agg(i.changeset_id) AS ids, array_agg(i.claim_token) AS tokens
              FROM jsonb_to_recordset(deferrals) AS i(changeset_id bigint, claim_token bigint)) a
     CROSS JOIN LATERAL end_claims(a.ids, a.tokens, false) e;
END
$$;

COMMENT ON FUNCTION defer_syncs(jsonb) IS
'Syncs refused by their host''s rate limit: [{changeset_id, claim_token, code_host_id, retry_after_seconds, remaining, '
'reset_at, message}]. Pauses each host for all replicas (pause_code_hosts()) and gives the claims back without '
'counting a failure. Returns the claims that were still held.';
