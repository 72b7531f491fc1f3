--liquibase formatted sql

--changeset changeset-syncer:functions-queue-archived-flags runOnChange:true splitStatements:false
--comment: Writing back the repositories' archived flags that syncs found, never undoing a newer change.

CREATE OR REPLACE FUNCTION record_archived_flags(flags jsonb)
    RETURNS TABLE (repo_id bigint, archived boolean)
    LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    -- Called by the writer just before complete_syncs(), in its own transaction, for the claims it
    -- still holds (the fence): the flag was seen at the claim time. It is written only if it was
    -- seen after the flag last changed, so a sync that started before someone flipped the flag (by
    -- hand, or through another sync) cannot flip it back. Repositories are locked in id order. The
    -- archived-flip trigger then requests syncs of the repository's changesets.
    RETURN QUERY
    WITH seen AS MATERIALIZED (
        SELECT DISTINCT ON (c.repo_id) c.repo_id, f.archived, s.claimed_at AS seen_at
          FROM jsonb_to_recordset(flags) AS f(changeset_id bigint, claim_token bigint, archived boolean)
          JOIN changeset_sync_state s ON s.changeset_id = f.changeset_id AND s.claim_token = f.claim_token
          JOIN changesets c ON c.id = f.changeset_id
         WHERE f.archived IS NOT NULL
         ORDER BY c.repo_id, s.claimed_at DESC),
    locked AS MATERIALIZED (
        SELECT r.id, r.archived, r.archived_changed_at
          FROM repos r
          JOIN seen ON seen.repo_id = r.id
         ORDER BY r.id
           FOR UPDATE OF r)
    UPDATE repos r
       SET archived = seen.archived
      FROM seen
      JOIN locked l ON l.id = seen.repo_id
     WHERE r.id = seen.repo_id
       AND l.archived IS DISTINCT FROM seen.archived
       AND (l.archived_changed_at IS NULL OR l.archived_changed_at < seen.seen_at)
    RETURNING r.id, r.archived;

    -- The syncs that found the flip have seen the repository as it now is: the requests the flip
    -- just made for their own changesets are served by them (no second sync of the same state).
    UPDATE sync_requests q
       SET served_at = now(), served_by_claim = s.claim_token, served_by = s.lease_holder
      FROM jsonb_to_recordset(flags) AS f(changeset_id bigint, claim_token bigint, archived boolean)
      JOIN changeset_sync_state s ON s.changeset_id = f.changeset_id AND s.claim_token = f.claim_token
      JOIN changesets c ON c.id = f.changeset_id
      JOIN repos r ON r.id = c.repo_id
     WHERE q.changeset_id = f.changeset_id
       AND q.served_at IS NULL
       AND q.requested_at = now() -- made by this transaction's flip
       AND r.archived = f.archived;
END
$$;

COMMENT ON FUNCTION record_archived_flags(jsonb) IS
'Records the archived flags syncs found: [{changeset_id, claim_token, archived}], for claims still held. Writes a '
'repository''s flag only if it differs and the claim was made after the flag last changed (repos.archived_changed_at), '
'so a slow sync never undoes a newer change; the flip''s requests for the reporting changesets are served by their '
'syncs. Returns the repositories whose flag flipped.';
