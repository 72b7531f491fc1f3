--liquibase formatted sql

--changeset changeset-syncer:triggers-requests-and-repos runOnChange:true splitStatements:false
--comment: Immediate syncs by plain INSERT, archived flips, deleted repositories, and the wake-up NOTIFY.

-- The channel idle workers LISTEN on. The payload is empty: Postgres folds identical
-- notifications of one transaction into one, so a transaction wakes the workers once.
CREATE OR REPLACE FUNCTION sync_wakeup_channel()
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN 'changeset_sync_due';

COMMENT ON FUNCTION sync_wakeup_channel() IS
'The NOTIFY channel (changeset_sync_due) signalled whenever a statement makes changesets due now.';


-- A request makes its changeset due now at the request's priority (0 bulk, 1 requested, 2 urgent;
-- the claim level follows from it: sync_claim_level). A changeset already pending at that priority
-- is left alone (repeated requests do not pile up work), except:
--  * a pending request that an attempt has since failed on is superseded, so a new request gets
--    a new attempt instead of waiting out the retry backoff;
--  * a row being synced right now is always written, which takes its row lock: the completion
--    locks the row before it reads sync_requests, so it either sees this request or this
--    statement waits for it and re-marks the row (see complete_syncs).
-- SECURITY DEFINER (run as the schema's owner, with a fixed search_path, set below), so that
-- a role that may only INSERT INTO sync_requests (the requester, docs/operations.md) need not be allowed to
-- update the queue, where it could set gone_at or failures.
CREATE OR REPLACE FUNCTION trg_sync_requests_mark_due()
    RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
AS $$
DECLARE
    touched integer;
BEGIN
    -- lock in changeset order, like every other multi-row writer of the queue: no deadlocks
    PERFORM 1
       FROM changeset_sync_state s
      WHERE s.changeset_id IN (SELECT changeset_id FROM new_requests WHERE served_at IS NULL)
      ORDER BY s.changeset_id
        FOR UPDATE;

    UPDATE changeset_sync_state s
       SET requested_at = CASE
               WHEN s.requested_at IS NULL OR (s.failures > 0 AND s.last_attempt_at >= s.requested_at)
                   THEN r.requested_at
               ELSE least(s.requested_at, r.requested_at) END,
           priority     = greatest(s.priority, r.priority)
      FROM (SELECT changeset_id, min(least(requested_at, now())) AS requested_at, max(priority) AS priority
              FROM new_requests
             WHERE served_at IS NULL
             GROUP BY changeset_id) r
     WHERE s.changeset_id = r.changeset_id
       AND (s.requested_at IS NULL
            OR r.requested_at < s.requested_at
            OR s.priority < r.priority
            OR (s.failures > 0 AND s.last_attempt_at >= s.requested_at)
            OR s.claim_token IS NOT NULL);
    GET DIAGNOSTICS touched = ROW_COUNT;
    IF touched > 0 THEN
        PERFORM pg_notify(sync_wakeup_channel(), '');
    END IF;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION trg_sync_requests_mark_due() IS
'Makes requested changesets due now (changeset_sync_state.requested_at, priority) and NOTIFYs changeset_sync_due once.';

-- It resolves names in the schema it was created in, then pg_temp (last: a caller's temporary table must
-- never stand in for the queue).
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION trg_sync_requests_mark_due() SET search_path = %I, pg_temp', current_schema());
END
$$;

CREATE OR REPLACE TRIGGER sync_requests_mark_due
    AFTER INSERT ON sync_requests
    REFERENCING NEW TABLE AS new_requests
    FOR EACH STATEMENT EXECUTE FUNCTION trg_sync_requests_mark_due();

COMMENT ON TRIGGER sync_requests_mark_due ON sync_requests IS
'INSERT INTO sync_requests makes those changesets due now; once per statement, so bulk INSERT ... SELECT is one update and one NOTIFY.';


-- A request is made now, by whoever makes it: the database sets requested_at (a backdated one would
-- jump the queue and skew the latency figures) and a sync serves it (served_* are the completion's).
-- requested_by stays the caller's to set (the admin page records the operator's name there).
CREATE OR REPLACE FUNCTION trg_sync_requests_check_new()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.requested_at < now() THEN
        RAISE EXCEPTION 'sync_requests.requested_at is set by the database: leave it out (got %, now is %)',
            NEW.requested_at, now() USING ERRCODE = 'check_violation', CONSTRAINT = 'sync_requests_requested_at_is_now';
    END IF;
    IF num_nonnulls(NEW.served_at, NEW.served_by_claim, NEW.served_by) > 0 THEN
        RAISE EXCEPTION 'a new sync request is not served yet: leave served_at, served_by_claim and served_by out'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'sync_requests_new_not_served';
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION trg_sync_requests_check_new() IS
'Refuses a new sync request with a backdated requested_at or with served_* set (the database and the completion set those).';

CREATE OR REPLACE TRIGGER sync_requests_check_new
    BEFORE INSERT ON sync_requests
    FOR EACH ROW EXECUTE FUNCTION trg_sync_requests_check_new();

COMMENT ON TRIGGER sync_requests_check_new ON sync_requests IS
'New requests: requested_at is now(), served_* are null.';


-- Flipping archived (and only that) requests a bulk sync (priority 0) of every changeset of the
-- repository: their state becomes or stops being read_only. Bulk, not urgent: a flip of a repository
-- with thousands of changesets must not hold up users' requests (claimed before it) nor the host's
-- routine syncs (claimed alternately with it): see claim_changesets().
CREATE OR REPLACE FUNCTION trg_repos_request_sync_on_archived_flip()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO sync_requests (changeset_id, reason, requested_by, priority)
    SELECT c.id,
           left(format('repository %s was %s', n.name, CASE WHEN n.archived THEN 'archived' ELSE 'unarchived' END), 1000),
           format('%s (trigger repos_request_sync_on_archived_flip)', current_user),
           0
      FROM new_repos n
      JOIN old_repos o ON o.id = n.id
      JOIN changesets c ON c.repo_id = n.id
     WHERE n.archived IS DISTINCT FROM o.archived
     ORDER BY c.id;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION trg_repos_request_sync_on_archived_flip() IS
'Inserts a bulk sync request (priority 0) for every changeset of each repository whose archived flag flipped.';

CREATE OR REPLACE TRIGGER repos_request_sync_on_archived_flip
    AFTER UPDATE ON repos
    REFERENCING OLD TABLE AS old_repos NEW TABLE AS new_repos
    FOR EACH STATEMENT EXECUTE FUNCTION trg_repos_request_sync_on_archived_flip();

COMMENT ON TRIGGER repos_request_sync_on_archived_flip ON repos IS
'archived flipped -> bulk sync requests for all changesets of the repository. Other updates do nothing.';


-- Remember when archived changed: a sync that fetched before that must not flip it back.
CREATE OR REPLACE FUNCTION trg_repos_stamp_archived_change()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.archived_changed_at := now();
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION trg_repos_stamp_archived_change() IS
'Sets repos.archived_changed_at to now() (record_archived_flags() compares it with a sync''s claim time).';

CREATE OR REPLACE TRIGGER repos_stamp_archived_change
    BEFORE UPDATE OF archived ON repos
    FOR EACH ROW
    WHEN (OLD.archived IS DISTINCT FROM NEW.archived)
    EXECUTE FUNCTION trg_repos_stamp_archived_change();

COMMENT ON TRIGGER repos_stamp_archived_change ON repos IS 'Sets archived_changed_at when archived flips.';


-- Deleting a repository (deleted_at) marks its changesets gone: no routine syncs. Restoring
-- it clears the mark so the next sync finds out what is there.
CREATE OR REPLACE FUNCTION trg_repos_mark_changesets_gone()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    -- lock in changeset order first, like every other multi-row writer of the queue: no deadlocks
    PERFORM 1
       FROM changeset_sync_state s
       JOIN changesets c ON c.id = s.changeset_id
      WHERE c.repo_id = NEW.id
      ORDER BY s.changeset_id
        FOR UPDATE OF s;
    UPDATE changeset_sync_state s
       SET gone_at = NEW.deleted_at
      FROM changesets c
     WHERE c.repo_id = NEW.id
       AND s.changeset_id = c.id
       AND s.gone_at IS DISTINCT FROM NEW.deleted_at;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION trg_repos_mark_changesets_gone() IS
'Copies repos.deleted_at into changeset_sync_state.gone_at of the repository''s changesets.';

CREATE OR REPLACE TRIGGER repos_mark_changesets_gone
    AFTER UPDATE OF deleted_at ON repos
    FOR EACH ROW
    WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION trg_repos_mark_changesets_gone();

COMMENT ON TRIGGER repos_mark_changesets_gone ON repos IS 'A deleted repository''s changesets stop being synced.';


-- Queue rows copy the repository's code host; a repository cannot move.
CREATE OR REPLACE FUNCTION trg_repos_code_host_is_fixed()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'repository % cannot move from code host % to %', OLD.id, OLD.code_host_id, NEW.code_host_id
        USING ERRCODE = 'check_violation',
              HINT = 'Create a new repository on the other code host instead.';
END
$$;

COMMENT ON FUNCTION trg_repos_code_host_is_fixed() IS
'Rejects a change of repos.code_host_id: the queue rows of its changesets copy it.';

CREATE OR REPLACE TRIGGER repos_code_host_is_fixed
    BEFORE UPDATE OF code_host_id ON repos
    FOR EACH ROW
    WHEN (OLD.code_host_id IS DISTINCT FROM NEW.code_host_id)
    EXECUTE FUNCTION trg_repos_code_host_is_fixed();

COMMENT ON TRIGGER repos_code_host_is_fixed ON repos IS 'Rejects moving a repository to another code host.';

