--liquibase formatted sql

--changeset changeset-syncer:functions-webhooks runOnChange:true splitStatements:false
--comment: Storing webhook deliveries: one function call per delivery, one transaction, idempotent on the delivery id.

CREATE OR REPLACE FUNCTION webhook_delivery_retention()
    RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN interval '14 days';

COMMENT ON FUNCTION webhook_delivery_retention() IS
'How long a stored delivery id is remembered (webhook_deliveries). Hosts let people redeliver recent deliveries only '
'(GitHub: the last 3 days); an older redelivery is stored again, which costs at most one early sync.';


-- The repository a webhook names: by the host's repository id first, else by its name. A name
-- shared by a deleted and a live repository means the live one. A single SELECT returning a set,
-- so that Postgres inlines it where it is used (and its plan shows the indexes it reads).
CREATE OR REPLACE FUNCTION webhook_repo(code_host bigint, repo_external_id text, repo_name text)
    RETURNS TABLE (repo_id bigint)
    LANGUAGE sql STABLE
AS $$
    SELECT found.id
      FROM (SELECT r.id, 0 AS preference
              FROM repos r
             WHERE r.code_host_id = code_host AND r.external_id = repo_external_id
            UNION ALL
            SELECT r.id, CASE WHEN r.deleted_at IS NULL THEN 1 ELSE 2 END
              FROM repos r
             WHERE r.code_host_id = code_host AND lower(r.name) = lower(repo_name)) found
     ORDER BY found.preference, found.id
     LIMIT 1
$$;

COMMENT ON FUNCTION webhook_repo(bigint, text, text) IS
'The repository of code_host a webhook names (one row, or none): repos.external_id = repo_external_id, else the '
'repository whose name is repo_name (case-insensitive; a live one before a deleted one).';


-- The changesets a webhook is about. Each target is {repo_external_id, repo_name, number} (a pull
-- request by its number) or {repo_external_id, repo_name, head_sha} (every changeset of that
-- repository whose head commit it is). A single SELECT, so that Postgres inlines it and its plan
-- can be checked. The lookups are LATERAL and fenced (OFFSET 0): Postgres guesses a JSON array
-- holds 100 targets and would otherwise hash-join them against the whole changesets table.
CREATE OR REPLACE FUNCTION webhook_changesets(code_host bigint, targets jsonb)
    RETURNS TABLE (changeset_id bigint)
    LANGUAGE sql STABLE
AS $$
    SELECT DISTINCT m.id
      FROM jsonb_to_recordset(targets) AS t(repo_external_id text, repo_name text, number text, head_sha text)
     CROSS JOIN LATERAL webhook_repo(code_host, t.repo_external_id, t.repo_name) r
     CROSS JOIN LATERAL (
           SELECT c.id FROM changesets c WHERE c.repo_id = r.repo_id AND c.external_id = t.number
           UNION ALL
           SELECT c.id FROM changesets c WHERE c.repo_id = r.repo_id AND c.head_sha = t.head_sha AND t.number IS NULL
           OFFSET 0) m
$$;

COMMENT ON FUNCTION webhook_changesets(bigint, jsonb) IS
'The changesets of code_host that webhook targets name: [{repo_external_id, repo_name, number}] (by pull request '
'number) or [{repo_external_id, repo_name, head_sha}] (by head commit). Repositories as in webhook_repo().';


DROP FUNCTION IF EXISTS record_webhook_delivery(bigint, text, text, jsonb, jsonb, jsonb);

CREATE OR REPLACE FUNCTION record_webhook_delivery(
    code_host   bigint,
    delivery    text,
    event_kind  text,
    targets     jsonb,
    repo_change jsonb,
    summary     jsonb)
    RETURNS TABLE (outcome text, events_stored integer, repos_updated integer, woke_workers boolean)
    LANGUAGE plpgsql
AS $$
DECLARE
    matched    bigint[];
    locked     bigint[];
    due_before timestamptz[];
    repo       bigint;
    stored     integer := 0;
    updated    integer := 0;
    imported   integer := 0;
    earlier    boolean := false;
BEGIN
    IF targets IS NOT NULL AND repo_change IS NOT NULL THEN
        RAISE EXCEPTION 'a webhook delivery names changesets or a repository change, not both'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Delivery ids past their retention go, a few per delivery, so the table needs no sweeper.
    DELETE FROM webhook_deliveries d
     WHERE d.ctid = ANY (ARRAY(SELECT o.ctid FROM webhook_deliveries o
                                WHERE o.received_at < now() - webhook_delivery_retention()
                                ORDER BY o.received_at
                                LIMIT 10
                                  FOR UPDATE SKIP LOCKED));

    IF EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.code_host_id = code_host AND d.delivery_key = delivery) THEN
        RETURN QUERY SELECT 'duplicate'::text, 0, 0, false;
        RETURN;
    END IF;

    -- IMPORT: a pull request named by number that we do not have, in a repository whose pull requests
    -- are tracked (repos.track_changesets: all, or open when the payload says it is open), is inserted
    -- into changesets here (the insert trigger makes it due at once), then matched like the others.
    WITH wanted AS (
        SELECT DISTINCT r.id AS repo_id, t.number
          FROM jsonb_to_recordset(coalesce(targets, '[]'::jsonb))
                   AS t(repo_external_id text, repo_name text, number text, head_sha text, open boolean)
         CROSS JOIN LATERAL webhook_repo(code_host, t.repo_external_id, t.repo_name) w
          JOIN repos r ON r.id = w.repo_id
         WHERE t.number IS NOT NULL
           AND btrim(t.number) <> ''
           AND r.deleted_at IS NULL
           AND (r.track_changesets = 'all' OR (r.track_changesets = 'open' AND t.open))),
    inserted AS (
        INSERT INTO changesets (repo_id, external_id)
        SELECT wanted.repo_id, wanted.number FROM wanted ORDER BY wanted.repo_id, wanted.number
        ON CONFLICT ON CONSTRAINT changesets_external_id_unique DO NOTHING
        RETURNING id)
    SELECT count(*) INTO imported FROM inserted;

    SELECT array_agg(w.changeset_id ORDER BY w.changeset_id)
      INTO matched
      FROM webhook_changesets(code_host, coalesce(targets, '[]'::jsonb)) w;
    IF repo_change IS NOT NULL THEN
        SELECT w.repo_id INTO repo
          FROM webhook_repo(code_host, repo_change ->> 'repo_external_id', repo_change ->> 'repo_name') w;
    END IF;

    IF matched IS NULL AND repo IS NULL THEN
        -- Nothing we have (nor anything to import): answered 202, nothing stored.
        RETURN QUERY SELECT 'unmatched'::text, 0, 0, false;
        RETURN;
    END IF;

    -- The delivery id first: a concurrent copy of this delivery waits here, then finds it stored.
    INSERT INTO webhook_deliveries (code_host_id, delivery_key, event, changesets, repo_id)
    VALUES (code_host, delivery, event_kind, coalesce(cardinality(matched), 0), repo)
    ON CONFLICT ON CONSTRAINT webhook_deliveries_pkey DO NOTHING;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'duplicate'::text, 0, 0, false;
        RETURN;
    END IF;

    IF matched IS NOT NULL THEN
        -- Lock the queue rows in changeset order, like every multi-row writer of the queue (no
        -- deadlocks), and remember when each was due.
        SELECT array_agg(l.changeset_id ORDER BY l.changeset_id), array_agg(l.next_sync_at ORDER BY l.changeset_id)
          INTO locked, due_before
          FROM (SELECT s.changeset_id, s.next_sync_at
                  FROM changeset_sync_state s
                 WHERE s.changeset_id = ANY (matched)
                 ORDER BY s.changeset_id
                   FOR UPDATE) l;

        -- The events. The trigger on changeset_events moves latest_event_at, and through the rule
        -- next_sync_at. A delivery is news when it arrives: its time is ours, not the host's.
        INSERT INTO changeset_events (changeset_id, kind, source, occurred_at, dedupe_key, payload)
        SELECT m.id, event_kind, 'webhook', now(), 'delivery:' || delivery, coalesce(summary, '{}'::jsonb)
          FROM unnest(matched) AS m(id)
         ORDER BY m.id
        ON CONFLICT ON CONSTRAINT changeset_events_dedupe_key_unique DO NOTHING;
        GET DIAGNOSTICS stored = ROW_COUNT;

        -- Idle workers sleep until the earliest next_sync_at they know: wake them (once) when an
        -- event made a changeset due earlier than that.
        SELECT EXISTS (
                   SELECT 1
                     FROM unnest(locked, due_before) AS b(id, due)
                     JOIN changeset_sync_state s ON s.changeset_id = b.id
                    WHERE s.next_sync_at < b.due OR (b.due IS NULL AND s.next_sync_at IS NOT NULL))
                OR imported > 0 -- a changeset just imported is due now
          INTO earlier;
        IF earlier THEN
            PERFORM pg_notify(sync_wakeup_channel(), '');
        END IF;
    END IF;

    IF repo IS NOT NULL THEN
        -- The one UPDATE of a repository, shared with the repository syncs (apply_repo_change): only when
        -- something changes, so its triggers fire once (an archived flip requests a bulk sync of each of
        -- its changesets; deleted_at marks them gone).
        IF apply_repo_change(repo, repo_change) THEN
            updated := 1;
        END IF;
    END IF;

    RETURN QUERY SELECT 'stored'::text, stored, updated, earlier;
END
$$;

COMMENT ON FUNCTION record_webhook_delivery(bigint, text, text, jsonb, jsonb, jsonb) IS
'Stores one verified webhook delivery of code_host, in one transaction: '
'targets [{repo_external_id, repo_name, number | head_sha, open}] get a changeset_events row each (a pull request '
'by number that we do not have is imported first when its repository is tracked: track_changesets all, or open and '
'the target is open) (source webhook, kind '
'event_kind, dedupe_key delivery:<delivery>, payload summary), which moves their schedule, and a NOTIFY on '
'sync_wakeup_channel() when one became due earlier or was imported; or repo_change {repo_external_id, repo_name, '
'archived, renamed_to, deleted} updates that repository (apply_repo_change). Returns outcome stored, duplicate (delivery already stored: nothing '
'written) or unmatched (no such changeset or repository: nothing written).';
