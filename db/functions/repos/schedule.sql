--liquibase formatted sql

--changeset changeset-syncer:functions-repos-schedule runOnChange:true splitStatements:false
--comment: When each repository is re-read, what a read costs, and when 404s mean "deleted". Pure functions.

CREATE OR REPLACE FUNCTION repo_sync_cost(track_changesets text)
    RETURNS real
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN track_changesets IN ('open', 'all') THEN 2 ELSE 1 END;

COMMENT ON FUNCTION repo_sync_cost(text) IS
'Tokens a repository sync takes from its host''s budget when claimed: the requests a quiet repository costs, 1 (the '
'repository) or 2 when its pull requests are tracked (and the first listing page). Answers the host did not count '
'(free 304s) are given back (refund_code_host_requests); further listing pages are counted when the host reports '
'its remaining quota.';


CREATE OR REPLACE FUNCTION repo_not_found_period()
    RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN interval '1 hour';

COMMENT ON FUNCTION repo_not_found_period() IS
'How long a repository must keep answering 404 before it is marked deleted (with at least repo_not_found_answers() '
'404s): a 404 can also mean the token lost access, which is often put right within the hour.';


CREATE OR REPLACE FUNCTION repo_not_found_answers()
    RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN 3;

COMMENT ON FUNCTION repo_not_found_answers() IS
'How many consecutive 404s (over at least repo_not_found_period()) mark a repository deleted.';


CREATE OR REPLACE FUNCTION repo_deleted_recheck_delay()
    RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN interval '1 day';

COMMENT ON FUNCTION repo_deleted_recheck_delay() IS
'How often a repository marked deleted is read again, so that one that comes back (access restored, or restored on '
'the host) is noticed.';


CREATE OR REPLACE FUNCTION repo_sync_jitter_fraction(repo_id bigint)
    RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (hashint8extended(repo_id, 7) & 1023)::double precision / 1024 * 0.1;

COMMENT ON FUNCTION repo_sync_jitter_fraction(bigint) IS
'Deterministic per-repository jitter in [0, 0.1): the fraction by which the wait between reads is shortened, so '
'that repositories created together drift apart.';


CREATE OR REPLACE FUNCTION repo_next_sync_at(
    repo_id            bigint,
    enqueued_at        timestamptz,
    last_attempt_at    timestamptz,
    failures           integer,
    deleted_at         timestamptz,
    track_changesets   text,
    listing_state      text,
    repo_sync_interval interval,
    max_delay          interval)
    RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE
    -- never read: due at once
    WHEN last_attempt_at IS NULL THEN enqueued_at
    -- failing (never a 404: that is an answer): exponential backoff from the interval, at most max_delay
    -- (sync_retry_delay: any number of failures is safe)
    WHEN failures > 0 THEN sync_time_after(last_attempt_at,
        greatest(repo_sync_interval, sync_retry_delay(failures, repo_sync_interval, max_delay))
          * (1 - repo_sync_jitter_fraction(repo_id)))
    -- marked deleted: read again now and then, to notice it coming back
    WHEN deleted_at IS NOT NULL THEN sync_time_after(last_attempt_at, repo_deleted_recheck_delay())
    -- just tracked (or tracked with another state): its pull requests are listed at once
    WHEN track_changesets IN ('open', 'all') AND listing_state IS DISTINCT FROM track_changesets THEN last_attempt_at
    ELSE sync_time_after(last_attempt_at, repo_sync_interval * (1 - repo_sync_jitter_fraction(repo_id)))
END;

COMMENT ON FUNCTION repo_next_sync_at(bigint, timestamptz, timestamptz, integer, timestamptz, text, text, interval, interval) IS
'When a repository is due for its next read: never read -> enqueued_at (at once); failing -> last attempt + '
'repo_sync_interval * 2^(failures - 1), at most max_delay; marked deleted -> last attempt + '
'repo_deleted_recheck_delay(); tracked but not listed in that state yet (track_changesets <> listing_state) -> at '
'once; else last attempt + repo_sync_interval. Waits are shortened by the repository''s '
'jitter (repo_sync_jitter_fraction). The trigger on repo_sync_state stores the result in next_sync_at.';
