--liquibase formatted sql

--changeset changeset-syncer:functions-repos-changes runOnChange:true splitStatements:false
--comment: The one UPDATE of a repository's archived flag, name and deletion, whoever found the change (a webhook, a
--  repository sync), so that its triggers fire once per change.

CREATE OR REPLACE FUNCTION apply_repo_change(repo bigint, change jsonb, seen_at timestamptz DEFAULT NULL)
    RETURNS boolean
    LANGUAGE plpgsql
AS $$
DECLARE
    updated integer;
BEGIN
    -- One plain UPDATE, only when something changes: the repos triggers then do the rest, once (an
    -- archived flip requests a bulk sync of every changeset; deleted_at marks them gone, clearing it
    -- restores them). A change already made (by a webhook, or by another sync) is not made again.
    UPDATE repos r
       SET archived   = n.archived,
           name       = n.name,
           deleted_at = n.deleted_at
      FROM (SELECT x.id,
                   -- a sync reports what it saw at seen_at (its claim time): never undo a newer flip
                   CASE WHEN change ->> 'archived' IS NOT NULL
                             AND (seen_at IS NULL OR x.archived_changed_at IS NULL OR x.archived_changed_at < seen_at)
                        THEN (change ->> 'archived')::boolean
                        ELSE x.archived END AS archived,
                   -- a rename reported by a sync applies to the name it saw (compare and set)
                   CASE WHEN change ->> 'renamed_to' IS NOT NULL
                             AND (change ->> 'expected_name' IS NULL OR x.name = change ->> 'expected_name')
                        THEN change ->> 'renamed_to'
                        ELSE x.name END AS name,
                   CASE WHEN coalesce((change ->> 'deleted')::boolean, false) THEN coalesce(x.deleted_at, now())
                        -- back: only a deletion made before the sync saw the repository is undone
                        WHEN coalesce((change ->> 'restored')::boolean, false)
                             AND (seen_at IS NULL OR x.deleted_at < seen_at) THEN NULL
                        ELSE x.deleted_at END AS deleted_at
              FROM repos x
             WHERE x.id = repo
               FOR NO KEY UPDATE) n
     WHERE r.id = n.id
       AND (r.archived, r.name, r.deleted_at) IS DISTINCT FROM (n.archived, n.name, n.deleted_at);
    GET DIAGNOSTICS updated = ROW_COUNT;
    RETURN updated > 0;
END
$$;

COMMENT ON FUNCTION apply_repo_change(bigint, jsonb, timestamptz) IS
'Applies what a webhook or a repository sync found about a repository, in one UPDATE and only when something '
'changes: change {archived, renamed_to, expected_name, deleted, restored}. archived is written unless seen_at (a '
'sync''s claim time; null for a webhook) is older than the last flip; renamed_to only while the name is still '
'expected_name (when given); deleted marks it deleted (now, unless it already was); restored clears deleted_at set '
'before seen_at. Returns whether the row changed.';
