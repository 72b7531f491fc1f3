--liquibase formatted sql

--changeset changeset-syncer:functions-repos-complete runOnChange:true splitStatements:false
--comment: Writing back repository syncs, fenced by claim token: what the host said about the repository, the pull
--  requests its listing found, 404s, failures and rate-limit refusals.

CREATE OR REPLACE FUNCTION record_repo_syncs(results jsonb)
    RETURNS TABLE (repo_id bigint, outcome text, repo_changed boolean, imported integer)
    LANGUAGE plpgsql
    SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    r            record;
    changed      boolean;
    new_ids      bigint[];
    gone_for     interval;
BEGIN
    -- Budget rows first, then queue rows: the order every writer of both takes. A host that refused a
    -- read for its rate limit is paused for every replica; the repository did nothing wrong.
    PERFORM pause_code_hosts(jsonb_agg(d))
       FROM jsonb_array_elements(results) d
      WHERE d ->> 'outcome' = 'deferred'
     HAVING count(*) > 0;

    -- The claims this batch still holds (the fence), locked in repository order.
    FOR r IN
        SELECT i.*, s.claimed_at, s.not_found_since, s.not_found_count, s.last_synced_at
          FROM jsonb_to_recordset(results) AS i(repo_id bigint, claim_token bigint, outcome text, archived boolean,
                   name text, seen_name text, change_markers jsonb, pulls jsonb, listed_until timestamptz,
                   listing_state text, message text)
          JOIN repo_sync_state s ON s.repo_id = i.repo_id AND s.claim_token = i.claim_token
         ORDER BY i.repo_id
           FOR UPDATE OF s
    LOOP
        IF r.outcome NOT IN ('synced', 'not_found', 'failed', 'deferred') THEN
            RAISE EXCEPTION 'record_repo_syncs: outcome must be synced, not_found, failed or deferred, got %', r.outcome
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        changed := false;
        new_ids := '{}';

        IF r.outcome = 'synced' THEN
            -- It exists: what it is now (a null field: not read this time, e.g. a 304), and back if it was deleted.
            changed := apply_repo_change(r.repo_id,
                jsonb_build_object('archived', r.archived, 'renamed_to', r.name, 'expected_name', r.seen_name,
                                   'restored', true),
                r.claimed_at);
            -- Visible again after 404s it was not deleted for: its changesets whose own syncs found them gone
            -- meanwhile (a 404 too) are likely back with it; their next routine sync finds out.
            IF r.not_found_count > 0 THEN
                PERFORM 1
                   FROM changeset_sync_state s
                   JOIN changesets c ON c.id = s.changeset_id
                  WHERE c.repo_id = r.repo_id
                    AND s.gone_at > coalesce(r.last_synced_at, '-infinity')
                  ORDER BY s.changeset_id
                    FOR UPDATE OF s;
                UPDATE changeset_sync_state s
                   SET gone_at = NULL
                  FROM changesets c
                 WHERE c.repo_id = r.repo_id
                   AND s.changeset_id = c.id
                   AND s.gone_at > coalesce(r.last_synced_at, '-infinity')
                   AND NOT EXISTS (SELECT 1 FROM repos p WHERE p.id = r.repo_id AND p.deleted_at IS NOT NULL);
            END IF;

            -- New pull requests of a tracked repository: each enters the queue through the changesets insert
            -- trigger, due now, with a bulk request (so that a big import is claimed like an archived flip).
            WITH inserted AS (
                INSERT INTO changesets (repo_id, external_id)
                SELECT p.id, n.number
                  FROM repos p
                 CROSS JOIN LATERAL (SELECT DISTINCT x.number
                                       FROM jsonb_array_elements_text(coalesce(r.pulls, '[]'::jsonb)) AS x(number)
                                      WHERE btrim(x.number) <> '') n
                 WHERE p.id = r.repo_id
                   AND p.track_changesets <> 'none'
                 ORDER BY n.number
                ON CONFLICT ON CONSTRAINT changesets_external_id_unique DO NOTHING
                RETURNING id)
            SELECT coalesce(array_agg(inserted.id ORDER BY inserted.id), '{}') INTO new_ids FROM inserted;
            IF cardinality(new_ids) > 0 THEN
                INSERT INTO sync_requests (changeset_id, reason, requested_by, priority)
                SELECT c.id, format('imported from repository %s', p.name), 'changeset-syncer (repository sync)', 0
                  FROM unnest(new_ids) AS c(id)
                  JOIN repos p ON p.id = r.repo_id;
            END IF;

            UPDATE repo_sync_state s
               SET last_synced_at  = r.claimed_at,
                   last_attempt_at = r.claimed_at,
                   failures        = 0,
                   last_error      = NULL,
                   not_found_since = NULL,
                   not_found_count = 0,
                   change_markers  = s.change_markers || coalesce(r.change_markers, '{}'::jsonb),
                   listed_until    = CASE WHEN r.listing_state IS NOT NULL THEN r.listed_until ELSE s.listed_until END,
                   listing_state   = coalesce(r.listing_state, s.listing_state),
                   imported        = s.imported + cardinality(new_ids),
                   claim_token = NULL, lease_holder = NULL, claimed_at = NULL, lease_until = NULL
             WHERE s.repo_id = r.repo_id;

        ELSIF r.outcome = 'not_found' THEN
            -- Not visible to our token: deleted, or access lost (GitHub answers 404 for a private repository
            -- the token may not see). Deleted only after repeated 404s over repo_not_found_period().
            gone_for := r.claimed_at - coalesce(r.not_found_since, r.claimed_at);
            IF r.not_found_count + 1 >= repo_not_found_answers() AND gone_for >= repo_not_found_period() THEN
                changed := apply_repo_change(r.repo_id, jsonb_build_object('deleted', true), r.claimed_at);
            END IF;
            UPDATE repo_sync_state s
               SET last_attempt_at = r.claimed_at,
                   failures        = 0,
                   last_error      = left(r.message, 2000),
                   not_found_since = coalesce(s.not_found_since, r.claimed_at),
                   not_found_count = s.not_found_count + 1,
                   claim_token = NULL, lease_holder = NULL, claimed_at = NULL, lease_until = NULL
             WHERE s.repo_id = r.repo_id;

        ELSIF r.outcome = 'failed' THEN
            -- Network trouble, 5xx, a token refused (401/403): never a sign of deletion. Backs off.
            UPDATE repo_sync_state s
               SET last_attempt_at = r.claimed_at,
                   failures        = s.failures + 1,
                   last_error      = left(r.message, 2000),
                   claim_token = NULL, lease_holder = NULL, claimed_at = NULL, lease_until = NULL
             WHERE s.repo_id = r.repo_id;

        ELSE -- deferred: given back without a failure; due again once the host's pause is over
            UPDATE repo_sync_state s
               SET claim_token = NULL, lease_holder = NULL, claimed_at = NULL, lease_until = NULL
             WHERE s.repo_id = r.repo_id;
        END IF;

        repo_id := r.repo_id;
        outcome := r.outcome;
        repo_changed := changed;
        imported := cardinality(new_ids);
        RETURN NEXT;
    END LOOP;
END
$$;

COMMENT ON FUNCTION record_repo_syncs(jsonb) IS
'Writes back repository syncs: [{repo_id, claim_token, outcome: synced|not_found|failed|deferred, archived, name, '
'seen_name, change_markers, pulls, listed_until, listing_state, message, (deferred:) code_host_id, '
'retry_after_seconds, remaining, reset_at}], for claims still held (fenced by claim_token). synced: the repository''s '
'archived flag and name as the host has them go through apply_repo_change() (null: not read this time), a deleted '
'repository is back (and, after 404s, its changesets found gone since it was last seen are not gone any more), and '
'the pull request numbers in pulls are imported as changesets of a tracked repository (each '
'with a bulk sync request); listed_until is the listing''s new high-water mark. not_found: counted; the repository is '
'marked deleted after repo_not_found_answers() 404s spanning repo_not_found_period(). failed: backs off (never marks '
'deleted). deferred: pauses the host (pause_code_hosts) and gives the claim back. Returns one row per claim written.';
