--liquibase formatted sql

--changeset changeset-syncer:functions-pauses runOnChange:true splitStatements:false
--comment: Operators pause a code host and end any pause: the limits command and the admin page call these.

CREATE OR REPLACE FUNCTION code_host_max_operator_pause()
    RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN interval '30 days';

COMMENT ON FUNCTION code_host_max_operator_pause() IS
'The longest pause pause_code_host() sets at once: 30 days (pause again to extend it).';


CREATE OR REPLACE FUNCTION pause_code_host(name text, until timestamptz, reason text)
    RETURNS timestamptz
    LANGUAGE plpgsql
AS $$
DECLARE
    host    bigint;
    cleaned text := left(btrim(regexp_replace(coalesce(pause_code_host.reason, ''), '[[:cntrl:]]+', ' ', 'g')), 500);
BEGIN
    SELECT h.id INTO host FROM code_hosts h WHERE h.name = pause_code_host.name;
    IF host IS NULL THEN
        RAISE EXCEPTION 'no code host named "%"', pause_code_host.name USING ERRCODE = 'no_data_found';
    END IF;
    IF pause_code_host.until IS NULL OR NOT isfinite(pause_code_host.until) THEN
        RAISE EXCEPTION 'a pause needs an end, got %', coalesce(pause_code_host.until::text, 'none')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pause_code_host.until <= now() THEN
        RAISE EXCEPTION 'a pause must end in the future, got % (now is %)', pause_code_host.until, now()
            USING ERRCODE = 'invalid_parameter_value', HINT = 'resume_code_host() ends a pause.';
    END IF;
    IF pause_code_host.until > now() + code_host_max_operator_pause() THEN
        RAISE EXCEPTION 'a pause may last at most %, got until %', code_host_max_operator_pause(), pause_code_host.until
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Pause again later to extend it.';
    END IF;

    PERFORM lock_code_host_budgets(ARRAY[host]);
    -- The operator decides: this pause replaces any other, longer or shorter.
    UPDATE code_host_budgets b
       SET paused_until = pause_code_host.until,
           pause_reason = CASE WHEN cleaned = '' THEN 'paused by ' || session_user
                               ELSE cleaned || ' (paused by ' || session_user || ')' END,
           paused_by = session_user
     WHERE b.code_host_id = host;
    RETURN pause_code_host.until;
END
$$;

COMMENT ON FUNCTION pause_code_host(text, timestamptz, text) IS
'An operator pauses the code host named name until until (in the future, at most code_host_max_operator_pause() ahead) '
'for every replica: no claims of it meanwhile, syncs in flight finish. Replaces any pause, the host''s own included; '
'a host''s later rate-limit pause only lengthens it. The reason (control characters removed, at most 500 '
'characters) and the operator''s log-in role (session_user) show in code_host_sync_summary.pause_reason. Returns until.';


CREATE OR REPLACE FUNCTION resume_code_host(name text)
    RETURNS timestamptz
    LANGUAGE plpgsql
AS $$
DECLARE
    host  bigint;
    ended timestamptz;
BEGIN
    SELECT h.id INTO host FROM code_hosts h WHERE h.name = resume_code_host.name;
    IF host IS NULL THEN
        RAISE EXCEPTION 'no code host named "%"', resume_code_host.name USING ERRCODE = 'no_data_found';
    END IF;

    PERFORM lock_code_host_budgets(ARRAY[host]);
    SELECT CASE WHEN b.paused_until > now() THEN b.paused_until END INTO ended
      FROM code_host_budgets b WHERE b.code_host_id = host;
    UPDATE code_host_budgets b
       SET paused_until = NULL, pause_reason = NULL, paused_by = NULL
     WHERE b.code_host_id = host;
    IF ended IS NOT NULL THEN
        PERFORM pg_notify(sync_wakeup_channel(), ''); -- idle replicas may be asleep until the pause's end
    END IF;
    RETURN ended;
END
$$;

COMMENT ON FUNCTION resume_code_host(text) IS
'Ends the pause of the code host named name, whoever set it (an operator, or the host for its rate limit): replicas '
'claim its changesets again at once (idle ones are woken), within its budget. Returns when the pause would have '
'ended, or null if it was not paused.';
