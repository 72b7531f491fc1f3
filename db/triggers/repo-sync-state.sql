--liquibase formatted sql

--changeset changeset-syncer:triggers-repo-sync-state runOnChange:true splitStatements:false
--comment: Every repository has its sync queue row; its next_sync_at is computed from its inputs and its host's settings.

CREATE OR REPLACE FUNCTION trg_repo_sync_state_compute_schedule()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    settings record;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.next_sync_at IS DISTINCT FROM OLD.next_sync_at THEN
        RAISE EXCEPTION 'next_sync_at of repository % is computed by the schedule and cannot be set', NEW.repo_id
            USING ERRCODE = 'check_violation',
                  HINT = 'To read it sooner, lower code_hosts.repo_sync_interval.';
    END IF;
    SELECT h.repo_sync_interval, h.max_sync_delay, r.deleted_at, r.track_changesets
      INTO settings
      FROM code_hosts h, repos r
     WHERE h.id = NEW.code_host_id AND r.id = NEW.repo_id;
    NEW.next_sync_at := repo_next_sync_at(NEW.repo_id, NEW.enqueued_at, NEW.last_attempt_at, NEW.failures,
        settings.deleted_at, settings.track_changesets, NEW.listing_state, settings.repo_sync_interval,
        settings.max_sync_delay);
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION trg_repo_sync_state_compute_schedule() IS
'Stores repo_next_sync_at() in repo_sync_state.next_sync_at; rejects direct writes to it.';

CREATE OR REPLACE TRIGGER repo_sync_state_compute_schedule_on_insert
    BEFORE INSERT ON repo_sync_state
    FOR EACH ROW EXECUTE FUNCTION trg_repo_sync_state_compute_schedule();

-- Only when an input is named in the SET list: claims and lease renewals pay nothing. Setting
-- code_host_id to itself forces a recomputation (a host's settings or the repository's deleted_at changed).
CREATE OR REPLACE TRIGGER repo_sync_state_compute_schedule_on_update
    BEFORE UPDATE OF code_host_id, enqueued_at, last_attempt_at, failures, listing_state, next_sync_at ON repo_sync_state
    FOR EACH ROW EXECUTE FUNCTION trg_repo_sync_state_compute_schedule();

COMMENT ON TRIGGER repo_sync_state_compute_schedule_on_insert ON repo_sync_state IS
'Computes next_sync_at for a new repository queue row.';
COMMENT ON TRIGGER repo_sync_state_compute_schedule_on_update ON repo_sync_state IS
'Recomputes next_sync_at when an input column is written.';


-- Every repository gets its queue row, due at once, in the statement that inserts it.
CREATE OR REPLACE FUNCTION trg_repos_enqueue_sync()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO repo_sync_state (repo_id, code_host_id)
    SELECT n.id, n.code_host_id FROM new_repos n ORDER BY n.id;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION trg_repos_enqueue_sync() IS 'Creates the repo_sync_state row of each new repository.';

CREATE OR REPLACE TRIGGER repos_enqueue_sync
    AFTER INSERT ON repos
    REFERENCING NEW TABLE AS new_repos
    FOR EACH STATEMENT EXECUTE FUNCTION trg_repos_enqueue_sync();

COMMENT ON TRIGGER repos_enqueue_sync ON repos IS 'New repositories are due for their first read at once, once per statement.';


-- A repository marked deleted is read less often; one that came back at the usual interval; one just
-- tracked at once.
CREATE OR REPLACE FUNCTION trg_repos_reschedule_sync()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE repo_sync_state SET code_host_id = code_host_id WHERE repo_id = NEW.id;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION trg_repos_reschedule_sync() IS 'Recomputes the next read of a repository whose deleted_at or track_changesets changed.';

CREATE OR REPLACE TRIGGER repos_reschedule_sync
    AFTER UPDATE OF deleted_at, track_changesets ON repos
    FOR EACH ROW
    WHEN ((OLD.deleted_at, OLD.track_changesets) IS DISTINCT FROM (NEW.deleted_at, NEW.track_changesets))
    EXECUTE FUNCTION trg_repos_reschedule_sync();

COMMENT ON TRIGGER repos_reschedule_sync ON repos IS 'deleted_at or track_changesets changed: the repository''s next read is recomputed (a repository just tracked is '
'read at once).';


-- New repository settings of a host apply to its repositories at once.
CREATE OR REPLACE FUNCTION trg_code_hosts_reschedule_repos()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM 1 FROM repo_sync_state WHERE code_host_id = NEW.id ORDER BY repo_id FOR UPDATE;
    UPDATE repo_sync_state SET code_host_id = code_host_id WHERE code_host_id = NEW.id;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION trg_code_hosts_reschedule_repos() IS
'Recomputes next_sync_at of all repositories of a host whose repo_sync_interval or max_sync_delay changed.';

CREATE OR REPLACE TRIGGER code_hosts_reschedule_repos
    AFTER UPDATE OF repo_sync_interval, max_sync_delay ON code_hosts
    FOR EACH ROW
    WHEN ((OLD.repo_sync_interval, OLD.max_sync_delay) IS DISTINCT FROM (NEW.repo_sync_interval, NEW.max_sync_delay))
    EXECUTE FUNCTION trg_code_hosts_reschedule_repos();

COMMENT ON TRIGGER code_hosts_reschedule_repos ON code_hosts IS
'Reschedules a host''s repository reads when its repo_sync_interval (or max_sync_delay, the backoff cap) changes.';
