--liquibase formatted sql

--changeset changeset-syncer:functions-queue-complete runOnChange:true splitStatements:false
--comment: Writing back finished syncs: metadata, events, served requests and the queue row, fenced by claim token.

CREATE OR REPLACE FUNCTION complete_syncs(results jsonb)
    RETURNS TABLE (changeset_id bigint)
    LANGUAGE plpgsql
    SET jit = off -- a batch of a thousand rows would otherwise be JIT-compiled, for no gain
AS $$
#variable_conflict use_column
BEGIN
    -- 1. Events the syncs found. First, before any queue row is locked: a webhook delivery inserts
    --    its event and then updates the queue row, so taking the locks in the same order (event key,
    --    then queue row) means the two can never deadlock. Found events are facts however the rest
    --    of the write-back goes, so a fenced-off result may record them too (dedupe_key keeps one).
    INSERT INTO changeset_events (changeset_id, kind, source, occurred_at, dedupe_key, payload)
    SELECT i.changeset_id, e.kind, 'sync', e.occurred_at, e.dedupe_key, coalesce(e.payload, '{}'::jsonb)
      FROM jsonb_to_recordset(results) AS i(changeset_id bigint, claim_token bigint, events jsonb)
      JOIN changeset_sync_state s ON s.changeset_id = i.changeset_id AND s.claim_token = i.claim_token
     CROSS JOIN LATERAL jsonb_to_recordset(i.events) AS e(kind text, occurred_at timestamptz, dedupe_key text, payload jsonb)
     WHERE jsonb_typeof(i.events) = 'array'
     ORDER BY i.changeset_id, e.dedupe_key
    ON CONFLICT (changeset_id, dedupe_key) DO NOTHING;

    -- 2. Lock the rows this batch still holds (claim_token matches: the fence). A request inserted
    --    meanwhile has either committed (statement 3 sees it: new snapshot) or waits for us.
    PERFORM lock_held_claims(array_agg(i.changeset_id), array_agg(i.claim_token))
       FROM jsonb_to_recordset(results) AS i(changeset_id bigint, claim_token bigint);

    -- 3. Metadata, requests and the queue row, in one statement.
    RETURN QUERY
    WITH input AS MATERIALIZED (
        SELECT i.*, s.claimed_at, s.lease_holder, s.requested_at AS pending_since
          FROM jsonb_to_recordset(results) AS i(
                   changeset_id bigint, claim_token bigint, outcome text, state changeset_state, title text,
                   author text, url text, head_ref text, base_ref text, head_sha text, review_state review_state,
                   check_state check_state, updated_at timestamptz, change_markers jsonb, events jsonb, message text)
          JOIN changeset_sync_state s ON s.changeset_id = i.changeset_id AND s.claim_token = i.claim_token
    ),
    metadata AS (
        -- a field the result leaves out (null) was not fetched this time: keep what we have
        UPDATE changesets c
           SET state = coalesce(i.state, c.state), title = coalesce(i.title, c.title),
               author = coalesce(i.author, c.author), url = coalesce(i.url, c.url),
               head_ref = coalesce(i.head_ref, c.head_ref), base_ref = coalesce(i.base_ref, c.base_ref),
               head_sha = coalesce(i.head_sha, c.head_sha), review_state = coalesce(i.review_state, c.review_state),
               check_state = coalesce(i.check_state, c.check_state),
               external_updated_at = coalesce(i.updated_at, c.external_updated_at),
               change_markers = c.change_markers || coalesce(i.change_markers, '{}'::jsonb)
          FROM input i
         WHERE c.id = i.changeset_id
           AND i.outcome = 'changed'
    ),
    -- Requests made before this sync started are served by it; later ones stay pending.
    served AS (
        UPDATE sync_requests q
           SET served_at = now(), served_by_claim = i.claim_token, served_by = i.lease_holder,
               sync_started_at = i.claimed_at
          FROM input i
         WHERE i.pending_since IS NOT NULL
           AND q.changeset_id = i.changeset_id
           AND q.served_at IS NULL
           AND q.requested_at <= i.claimed_at
    ),
    remaining AS (
        SELECT q.changeset_id, min(q.requested_at) AS requested_at, max(q.priority) AS priority
          FROM input i
          JOIN sync_requests q ON q.changeset_id = i.changeset_id
         WHERE i.pending_since IS NOT NULL
           AND q.served_at IS NULL
           AND q.requested_at > i.claimed_at
         GROUP BY q.changeset_id
    ),
    written AS (
        UPDATE changeset_sync_state s
           SET last_synced_at    = i.claimed_at,
               last_attempt_at   = i.claimed_at,
               -- a host clock ahead of ours must not postpone the next sync: no change is later than now
               -- (a host that reports no updated_at leaves it unknown: least() would ignore the null and store now())
               synced_updated_at = CASE WHEN i.outcome = 'changed' AND coalesce(i.updated_at, s.synced_updated_at) IS NOT NULL
                                            THEN least(coalesce(i.updated_at, s.synced_updated_at), now())
                                        ELSE s.synced_updated_at END,
               -- events the sync found count as changes, but never later than the sync started
               latest_event_at   = greatest(s.latest_event_at,
                                       (SELECT max(least((e ->> 'occurred_at')::timestamptz, i.claimed_at))
                                          FROM jsonb_array_elements(
                                                   CASE WHEN jsonb_typeof(i.events) = 'array' THEN i.events END) e)),
               failures          = 0,
               last_error        = CASE WHEN i.outcome = 'gone' THEN left(i.message, 2000) END,
               -- a changeset of a deleted repository stays gone, even when a sync on request found it
               -- (the subquery runs only for rows that were gone)
               gone_at           = CASE WHEN i.outcome = 'gone' THEN coalesce(s.gone_at, now())
                                        WHEN s.gone_at IS NOT NULL
                                            THEN (SELECT r.deleted_at FROM changesets c JOIN repos r ON r.id = c.repo_id
                                                   WHERE c.id = s.changeset_id) END,
               requested_at      = r.requested_at,
               priority          = coalesce(r.priority, 0),
               -- the claim ends here rather than in end_claims(): one write per row on the hot path
               claim_token       = NULL,
               lease_holder      = NULL,
               claimed_at        = NULL,
               lease_until       = NULL
          FROM input i
          LEFT JOIN remaining r ON r.changeset_id = i.changeset_id
         WHERE s.changeset_id = i.changeset_id
        RETURNING s.changeset_id, s.code_host_id
    ),
    -- syncs per minute: a row per host per batch (an index on last_attempt_at would cost one per row)
    tallied AS (
        INSERT INTO sync_attempt_tallies (code_host_id, attempts)
        SELECT w.code_host_id, count(*) FROM written w GROUP BY w.code_host_id
    )
    SELECT w.changeset_id FROM written w;
END
$$;

COMMENT ON FUNCTION complete_syncs(jsonb) IS
'Writes back a batch of finished syncs: [{changeset_id, claim_token, outcome: changed|unchanged|gone, state, title, '
'author, url, head_ref, base_ref, head_sha, review_state, check_state, updated_at, change_markers, '
'(for changed: a null or missing field keeps its stored value; change_markers are merged into the stored ones) '
'events: [{kind, occurred_at, dedupe_key, payload}], message}]. Only rows whose claim_token still matches are written '
'(a worker whose lease expired and was re-claimed is fenced off); returns those. Serves the requests made before the '
'sync started; later ones stay pending. last_synced_at is the claim time. A changeset found (not gone) is no longer '
'gone, unless its repository is deleted (repos.deleted_at). A host that reports no updated_at leaves synced_updated_at '
'unknown (the rule then waits the cap). A repository''s archived flag is written '
'by record_archived_flags(), in its own transaction. Tallies the attempts per host in sync_attempt_tallies.';
