--liquibase formatted sql

--changeset changeset-syncer:functions-claim-order runOnChange:true splitStatements:false
--comment: The claim order key: a changeset's priority folded into its due time, so that one ascending
--  index range yields urgent, then requested, then routine rows. Pure functions.

-- (sync_claim_at lived in schedule.sql before; its two-argument form is older still)
DROP FUNCTION IF EXISTS sync_claim_at(timestamptz, smallint);

CREATE OR REPLACE FUNCTION sync_priority_shift()
    RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN interval '1000 years';

COMMENT ON FUNCTION sync_priority_shift() IS
'How far sync_claim_at() moves a changeset''s claim key earlier per priority level: 1000 years, so that the levels '
'never overlap in time.';


CREATE OR REPLACE FUNCTION sync_claim_at(next_sync_at timestamptz, priority smallint, requested_at timestamptz)
    RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN next_sync_at - CASE WHEN next_sync_at <= requested_at THEN priority ELSE 0 END * sync_priority_shift();

COMMENT ON FUNCTION sync_claim_at(timestamptz, smallint, timestamptz) IS
'Claim order key: next_sync_at moved sync_priority_shift() (1000 years) earlier per priority level while a request is '
'what makes the changeset due (not while a failed attempt backs off), so one ascending index scan yields urgent, then '
'requested, then routine rows.';


-- Halfway between two levels: a requested row due at t has a key near t - 1000 years, an urgent one
-- near t - 2000 years, so the bounds at - 500 and at - 1500 years separate them for any t near at.
CREATE OR REPLACE FUNCTION sync_claim_at_bound(priority integer, at timestamptz)
    RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN at - greatest(priority - 0.5, 0) * sync_priority_shift();

COMMENT ON FUNCTION sync_claim_at_bound(integer, timestamptz) IS
'The claim key that separates priority levels at time at: unleased rows with claim_at <= sync_claim_at_bound(p, at) '
'are due by at and have priority p or higher (0: every due row, at itself; 1: requested and urgent rows, at - 500 '
'years; 2: urgent rows, at - 1500 years).';
