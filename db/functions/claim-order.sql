--liquibase formatted sql

--changeset changeset-syncer:functions-claim-order runOnChange:true splitStatements:false
--comment: The claim order key: a changeset's claim level folded into its due time, so that each level is one
--  range of one index, in one ascending order. Pure functions.

-- (sync_claim_at lived in schedule.sql before; its two-argument form is older still. sync_claim_at_bound took a
-- request priority; sync_claim_bound takes a claim level, which is not the same number.)
DROP FUNCTION IF EXISTS sync_claim_at(timestamptz, smallint);
DROP FUNCTION IF EXISTS sync_claim_at_bound(integer, timestamptz);

CREATE OR REPLACE FUNCTION sync_priority_shift()
    RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN interval '1000 years';

COMMENT ON FUNCTION sync_priority_shift() IS
'How far sync_claim_at() moves a changeset''s claim key earlier per claim level: 1000 years, so that the levels '
'never overlap in time.';


-- The levels, lowest first. A pending request sets the level only while it is what makes the row due
-- (not while a failed attempt backs off): see sync_claim_at().
CREATE OR REPLACE FUNCTION sync_claim_level(priority smallint, requested_at timestamptz)
    RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN requested_at IS NULL THEN 0 ELSE priority + 1 END;

COMMENT ON FUNCTION sync_claim_level(smallint, timestamptz) IS
'The claim level of a pending request: 0 routine (no request), 1 bulk (priority 0: archived flips, imports), '
'2 requested (priority 1), 3 urgent (priority 2).';


CREATE OR REPLACE FUNCTION sync_claim_at(next_sync_at timestamptz, priority smallint, requested_at timestamptz)
    RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN sync_time_after(next_sync_at,
    -(CASE WHEN next_sync_at <= requested_at THEN sync_claim_level(priority, requested_at) ELSE 0 END * sync_priority_shift()));

COMMENT ON FUNCTION sync_claim_at(timestamptz, smallint, timestamptz) IS
'Claim order key: next_sync_at moved sync_priority_shift() (1000 years) earlier per claim level (sync_claim_level: '
'1 bulk, 2 requested, 3 urgent) while a request is what makes the changeset due (not while a failed attempt backs '
'off). Each level is then one range of claim_at (sync_claim_bound), read in one ascending order. Computed in UTC '
'(sync_time_after): years ago, a session''s time zone had another offset.';


-- Halfway between two levels: a level-L row due at t has a key near t - L * 1000 years, so the bound
-- at - (L - 0.5) * 1000 years separates level L from level L - 1 for any t near at.
CREATE OR REPLACE FUNCTION sync_claim_bound(level integer, at timestamptz)
    RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN sync_time_after(at, -(greatest(level - 0.5, 0) * sync_priority_shift()));

COMMENT ON FUNCTION sync_claim_bound(integer, timestamptz) IS
'The claim key that separates claim levels at time at: unleased rows with claim_at <= sync_claim_bound(L, at) are due '
'by at and have level L or higher (0: every due row, at itself; 1: bulk and above, at - 500 years; 2: requested and '
'urgent, at - 1500 years; 3: urgent, at - 2500 years). Level L alone is the range (sync_claim_bound(L + 1, at), '
'sync_claim_bound(L, at)].';
