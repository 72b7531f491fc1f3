--liquibase formatted sql

--changeset changeset-syncer:functions-rate-limits runOnChange:true splitStatements:false
--comment: The per-host token bucket, as pure functions of its stored state and a time.

CREATE OR REPLACE FUNCTION code_host_default_requests_per_hour(kind code_host_kind)
    RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE kind
    WHEN 'github' THEN 5000            -- a personal or app token's primary limit
    WHEN 'gitlab' THEN 7200            -- self-managed default for authenticated API requests
    WHEN 'bitbucket_server' THEN 18000 -- Data Center default: 5 requests/s per user
END;

COMMENT ON FUNCTION code_host_default_requests_per_hour(code_host_kind) IS
'The request budget a new code host of this kind gets when none is given; null (no budget) for the simulator.';


CREATE OR REPLACE FUNCTION code_host_burst(requests_per_hour integer, request_burst integer)
    RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(request_burst, greatest(1, requests_per_hour / 60.0));

COMMENT ON FUNCTION code_host_burst(integer, integer) IS
'Bucket size: request_burst, or a minute''s worth of requests_per_hour (at least 1).';


CREATE OR REPLACE FUNCTION code_host_tokens(
    tokens            double precision,
    refilled_at       timestamptz,
    requests_per_hour integer,
    request_burst     integer,
    at                timestamptz)
    RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE
-- Within [0, burst] whatever is stored (the claim divides this by requests_per_sync and casts to integer:
-- with the bounds on code_hosts, the quotient stays far inside the integer range).
RETURN CASE WHEN requests_per_hour IS NULL THEN NULL
            ELSE greatest(0, least(code_host_burst(requests_per_hour, request_burst),
                       -- epochs subtracted, not timestamps: an infinite refilled_at is a full (or an
                       -- empty) bucket, not an error that would fail the claim for every host
                       tokens + greatest(extract(epoch FROM at) - extract(epoch FROM refilled_at), 0)
                                * requests_per_hour / 3600.0))
       END;

COMMENT ON FUNCTION code_host_tokens(double precision, timestamptz, integer, integer, timestamptz) IS
'The bucket level at a time: the stored tokens refilled at requests_per_hour since refilled_at, between 0 and the '
'burst. Null when the host has no budget.';


CREATE OR REPLACE FUNCTION code_host_budget_wait(
    tokens            double precision,
    requests_per_hour integer,
    requests_per_sync real)
    RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- At most a day: the seconds are bounded before they become an interval, so no setting can make the
-- interval overflow (which would fail next_claim_delay() for every host).
RETURN CASE WHEN requests_per_hour IS NULL OR tokens >= requests_per_sync THEN interval '0'
            ELSE least((requests_per_sync - tokens) * 3600.0 / requests_per_hour, 86400) * interval '1 second'
       END;

COMMENT ON FUNCTION code_host_budget_wait(double precision, integer, real) IS
'How long until the bucket holds the tokens of one sync (at most a day).';


CREATE OR REPLACE FUNCTION code_host_max_pause()
    RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN interval '1 hour';

COMMENT ON FUNCTION code_host_max_pause() IS
'The longest pause a code host can impose on itself (Retry-After, or a spent quota until x-ratelimit-reset): 1 hour. '
'A host that still refuses after it is paused again. Operators'' pauses (pause_code_host()) are not bound by it.';
