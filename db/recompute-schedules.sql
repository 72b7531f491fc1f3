--liquibase formatted sql

--changeset changeset-syncer:recompute-schedules runOnChange:true splitStatements:false
--comment: Recomputes every stored next_sync_at and claim_at with the current rule. Stored values are
--  only recomputed when their row is next written, so a release that changes the rule (db/functions/
--  schedule.sql, or the schedule trigger) must also change the "rule version" line below: this file
--  then runs again, after the new functions and triggers are in place. Setting code_host_id to itself
--  fires the schedule trigger (reschedule_changesets() does it, row by row if one row fails). Narrow
--  the WHERE clause to the rows the change affects: rewriting every row of a large table takes a
--  while (and its dead tuples a vacuum).
-- rule version 4: the rule as designed (a change after the last sync is due min after it, never past the cap),
--  retries bounded, times added in UTC (claim keys of pending requests included); through
--  reschedule_changesets, so that a row the rule cannot compute does not stop the upgrade
SELECT reschedule_changesets(array(SELECT changeset_id FROM changeset_sync_state
                                    WHERE greatest(synced_updated_at, latest_event_at) > last_synced_at
                                       OR failures > 0
                                       OR requested_at IS NOT NULL
                                    ORDER BY changeset_id FOR UPDATE));
