--liquibase formatted sql

--changeset changeset-syncer:functions-reschedule runOnChange:true splitStatements:false
--comment: Recomputing many rows' schedules without letting one row that the rule cannot compute stop the rest.

CREATE OR REPLACE FUNCTION reschedule_changesets(changeset_ids bigint[])
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    id      bigint;
    kept    integer := 0;
    problem text;
BEGIN
    -- One statement first: the common case, and the cheap one.
    BEGIN
        UPDATE changeset_sync_state SET code_host_id = code_host_id WHERE changeset_id = ANY (changeset_ids);
        RETURN 0;
    EXCEPTION WHEN OTHERS THEN
        NULL; -- a row the rule cannot compute (e.g. a time near the end of the timestamp range): row by row
    END;
    FOREACH id IN ARRAY changeset_ids LOOP
        BEGIN
            UPDATE changeset_sync_state SET code_host_id = code_host_id WHERE changeset_id = id;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS problem = MESSAGE_TEXT;
            -- last_error is no schedule input: this update does not run the rule again
            UPDATE changeset_sync_state
               SET last_error = left(format('its schedule could not be recomputed and keeps its former one: %s', problem),
                                     2000)
             WHERE changeset_id = id;
            RAISE WARNING 'changeset %: its schedule could not be recomputed and keeps its former one: %', id, problem;
            kept := kept + 1;
        END;
    END LOOP;
    RETURN kept;
END
$$;

COMMENT ON FUNCTION reschedule_changesets(bigint[]) IS
'Recomputes next_sync_at and claim_at of the given changesets (lock them in changeset_id order first) with the current '
'rule and their hosts'' settings, in one statement; if one row makes the rule fail, row by row: such a row keeps its '
'former schedule, and its last_error (and a WARNING) says why. Returns how many rows kept their former schedule.';
