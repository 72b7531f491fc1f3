--liquibase formatted sql

--changeset changeset-syncer:triggers-sync-state runOnChange:true splitStatements:false
--comment: Keep changeset_sync_state's computed columns and copies in step with their inputs.

-- next_sync_at and claim_at, computed from the row's inputs and its code host's settings.
CREATE OR REPLACE FUNCTION trg_sync_state_compute_schedule()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    host record;
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.next_sync_at IS DISTINCT FROM OLD.next_sync_at OR NEW.claim_at IS DISTINCT FROM OLD.claim_at) THEN
        RAISE EXCEPTION 'next_sync_at and claim_at of changeset % are computed by the schedule and cannot be set',
                NEW.changeset_id
            USING ERRCODE = 'check_violation',
                  HINT = 'To sync it now: INSERT INTO sync_requests (changeset_id, reason) VALUES (...).';
    END IF;

    SELECT h.min_sync_delay, h.max_sync_delay, h.checks_pending_max_delay, h.finished_max_delay, h.event_quiet_period
      INTO host
      FROM code_hosts h
     WHERE h.id = NEW.code_host_id;

    NEW.next_sync_at := changeset_next_sync_at(
        NEW.changeset_id, NEW.cadence, NEW.enqueued_at, NEW.last_synced_at, NEW.last_attempt_at,
        NEW.synced_updated_at, NEW.latest_event_at, NEW.failures, NEW.gone_at, NEW.requested_at,
        host.min_sync_delay, host.max_sync_delay, host.checks_pending_max_delay, host.finished_max_delay,
        host.event_quiet_period);
    NEW.claim_at := sync_claim_at(NEW.next_sync_at, NEW.priority, NEW.requested_at);
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION trg_sync_state_compute_schedule() IS
'Stores changeset_next_sync_at() and sync_claim_at() in the row; rejects direct writes to them.';

CREATE OR REPLACE TRIGGER sync_state_compute_schedule_on_insert
    BEFORE INSERT ON changeset_sync_state
    FOR EACH ROW EXECUTE FUNCTION trg_sync_state_compute_schedule();

-- Fires only when an UPDATE names a schedule input in its SET list, so claims and lease
-- renewals (which touch lease columns only) pay nothing. Setting code_host_id to itself
-- forces a recomputation (used when a host's settings change).
CREATE OR REPLACE TRIGGER sync_state_compute_schedule_on_update
    BEFORE UPDATE OF code_host_id, cadence, enqueued_at, last_synced_at, last_attempt_at, synced_updated_at,
        latest_event_at, failures, gone_at, priority, requested_at, next_sync_at, claim_at
    ON changeset_sync_state
    FOR EACH ROW EXECUTE FUNCTION trg_sync_state_compute_schedule();

COMMENT ON TRIGGER sync_state_compute_schedule_on_insert ON changeset_sync_state IS
'Computes next_sync_at and claim_at for a new queue row.';
COMMENT ON TRIGGER sync_state_compute_schedule_on_update ON changeset_sync_state IS
'Recomputes next_sync_at and claim_at when an input column is written.';


-- Every changeset gets its queue row, in the same statement that inserts it.
CREATE OR REPLACE FUNCTION trg_changesets_enqueue()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO changeset_sync_state (changeset_id, code_host_id, cadence, gone_at)
    SELECT c.id, r.code_host_id, changeset_cadence(c.state, c.check_state), r.deleted_at
      FROM new_changesets c
      JOIN repos r ON r.id = c.repo_id;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION trg_changesets_enqueue() IS 'Creates the changeset_sync_state row of each new changeset.';

CREATE OR REPLACE TRIGGER changesets_enqueue
    AFTER INSERT ON changesets
    REFERENCING NEW TABLE AS new_changesets
    FOR EACH STATEMENT EXECUTE FUNCTION trg_changesets_enqueue();

COMMENT ON TRIGGER changesets_enqueue ON changesets IS 'Creates the queue rows of inserted changesets, once per statement.';


-- A state or check-state change moves the changeset to another delay cap.
CREATE OR REPLACE FUNCTION trg_changesets_update_cadence()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE changeset_sync_state
       SET cadence = changeset_cadence(NEW.state, NEW.check_state)
     WHERE changeset_id = NEW.id
       AND cadence IS DISTINCT FROM changeset_cadence(NEW.state, NEW.check_state);
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION trg_changesets_update_cadence() IS 'Copies changeset_cadence(state, check_state) into the queue row.';

CREATE OR REPLACE TRIGGER changesets_update_cadence
    AFTER UPDATE OF state, check_state ON changesets
    FOR EACH ROW
    WHEN (changeset_cadence(OLD.state, OLD.check_state) IS DISTINCT FROM changeset_cadence(NEW.state, NEW.check_state))
    EXECUTE FUNCTION trg_changesets_update_cadence();

COMMENT ON TRIGGER changesets_update_cadence ON changesets IS 'Keeps changeset_sync_state.cadence in step with state and check_state.';


-- Events move latest_event_at, never past the time they were received (a host clock in the
-- future must not postpone syncs), and never backwards.
CREATE OR REPLACE FUNCTION trg_changeset_events_record_latest()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    -- Events found by a sync are already in its snapshot; complete_syncs() accounts for them.
    UPDATE changeset_sync_state s
       SET latest_event_at = e.latest_at
      FROM (SELECT changeset_id, max(least(occurred_at, received_at)) AS latest_at
              FROM new_events
             WHERE source = 'webhook'
             GROUP BY changeset_id
             ORDER BY changeset_id) e
     WHERE s.changeset_id = e.changeset_id
       AND (s.latest_event_at IS NULL OR s.latest_event_at < e.latest_at);
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION trg_changeset_events_record_latest() IS 'Moves changeset_sync_state.latest_event_at forward to the newest inserted webhook event.';

CREATE OR REPLACE TRIGGER changeset_events_record_latest
    AFTER INSERT ON changeset_events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION trg_changeset_events_record_latest();

COMMENT ON TRIGGER changeset_events_record_latest ON changeset_events IS 'Feeds new events into the schedule, once per statement.';


-- New schedule settings apply to every changeset of the host at once.
CREATE OR REPLACE FUNCTION trg_code_hosts_reschedule()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    -- Locked in the queue's lock order; a row the rule cannot compute with the new settings keeps its
    -- former schedule (reschedule_changesets says which) rather than refusing the settings for every row.
    PERFORM reschedule_changesets(array(SELECT changeset_id FROM changeset_sync_state WHERE code_host_id = NEW.id
                                         ORDER BY changeset_id FOR UPDATE));
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION trg_code_hosts_reschedule() IS 'Recomputes next_sync_at of all changesets of a host whose schedule settings changed (reschedule_changesets: a row the rule cannot compute keeps its former schedule).';

CREATE OR REPLACE TRIGGER code_hosts_reschedule
    AFTER UPDATE OF min_sync_delay, max_sync_delay, checks_pending_max_delay, finished_max_delay, event_quiet_period
    ON code_hosts
    FOR EACH ROW
    WHEN ((OLD.min_sync_delay, OLD.max_sync_delay, OLD.checks_pending_max_delay, OLD.finished_max_delay,
           OLD.event_quiet_period)
          IS DISTINCT FROM (NEW.min_sync_delay, NEW.max_sync_delay, NEW.checks_pending_max_delay, NEW.finished_max_delay,
           NEW.event_quiet_period))
    EXECUTE FUNCTION trg_code_hosts_reschedule();

COMMENT ON TRIGGER code_hosts_reschedule ON code_hosts IS 'Reschedules a host''s changesets when its delay settings (or its event quiet period) change.';
