--liquibase formatted sql

--changeset changeset-syncer:functions-queue runOnChange:true splitStatements:false
--comment: The job-queue operations workers call: claim, complete, fail, heartbeat, release, sweep.
--  Each is one round trip. Multi-row writers lock queue rows in changeset_id order, so that they
--  cannot deadlock with each other or with the request trigger.

DROP FUNCTION IF EXISTS claim_changesets(text, integer, interval);
DROP FUNCTION IF EXISTS claim_changesets(text, integer, interval, bigint[]);
DROP FUNCTION IF EXISTS claim_changesets(text, integer, interval, bigint[], boolean);

CREATE OR REPLACE FUNCTION claim_changesets(worker text, max_rows integer, lease interval,
                                            skip_hosts bigint[] DEFAULT '{}',
                                            requested_only boolean DEFAULT false)
    RETURNS TABLE (
        changeset_id       bigint,
        claim_token        bigint,
        claimed_at         timestamptz,
        lease_until        timestamptz,
        priority           smallint,
        code_host_id       bigint,
        code_host_name     text,
        code_host_kind     code_host_kind,
        code_host_base_url text,
        repo_id            bigint,
        repo_external_id   text,
        repo_name          text,
        external_id        text,
        etags              jsonb,
        head_sha           text,
        review_state       review_state,
        check_state        check_state,
        repo_archived      boolean)
    LANGUAGE plpgsql
    -- One plan for every call: re-planning cost ~1 ms per claim, and this query's generic plan is
    -- as good as a custom one (the TID scan and the row-by-row lookups do not depend on max_rows).
    -- JIT would compile for hundreds of milliseconds on the large generic row estimates.
    SET plan_cache_mode = force_generic_plan
    SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    locked_hosts bigint[];
BEGIN
    IF worker IS NULL OR btrim(worker) = '' THEN
        RAISE EXCEPTION 'claim_changesets: worker must be named' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF max_rows IS NULL OR max_rows < 1 THEN
        RAISE EXCEPTION 'claim_changesets: max_rows must be at least 1, got %', max_rows
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF lease IS NULL OR lease <= interval '0' THEN
        RAISE EXCEPTION 'claim_changesets: lease must be positive, got %', lease
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- 1. Hosts with a budget or a concurrency cap: lock their budget row, skipping it if another
    --    claim holds it, so that two replicas can never both spend the last token or the last slot.
    --    This is its own statement: the next one takes its snapshot after the locks, so it sees
    --    every lease and debit committed before them (a lock taken inside one statement would not).
    SELECT coalesce(array_agg(candidate.code_host_id), '{}') INTO locked_hosts
      FROM (SELECT b.code_host_id
              FROM code_host_budgets b
              JOIN code_hosts h ON h.id = b.code_host_id
             WHERE (h.requests_per_hour IS NOT NULL OR h.max_in_flight IS NOT NULL)
               AND (b.paused_until IS NULL OR b.paused_until <= now())
               AND h.id <> ALL (skip_hosts)
             ORDER BY b.code_host_id
               FOR UPDATE OF b SKIP LOCKED) candidate;

    RETURN QUERY
    WITH
    limited AS MATERIALIZED (
        SELECT h.id,
               h.requests_per_sync,
               code_host_tokens(b.tokens, b.refilled_at, h.requests_per_hour, h.request_burst, now()) AS tokens,
               least(
                   CASE WHEN h.requests_per_hour IS NULL THEN max_rows
                        ELSE floor(code_host_tokens(b.tokens, b.refilled_at, h.requests_per_hour, h.request_burst, now())
                                   / h.requests_per_sync)::integer END,
                   CASE WHEN h.max_in_flight IS NULL THEN max_rows
                        ELSE h.max_in_flight - (SELECT count(*)::integer FROM changeset_sync_state f
                                                 WHERE f.code_host_id = h.id AND f.claim_token IS NOT NULL) END,
                   max_rows) AS allowance
          FROM code_hosts h
          JOIN code_host_budgets b ON b.code_host_id = h.id
         WHERE h.id = ANY (locked_hosts)),
    -- Hosts without limits of ours: no lock, so replicas claim from them side by side.
    unlimited AS MATERIALIZED (
        SELECT h.id, max_rows AS allowance
          FROM code_hosts h
          JOIN code_host_budgets b ON b.code_host_id = h.id
         WHERE h.requests_per_hour IS NULL AND h.max_in_flight IS NULL
           AND (b.paused_until IS NULL OR b.paused_until <= now())
           AND h.id <> ALL (skip_hosts)),
    hosts AS (
        SELECT id, allowance FROM limited WHERE allowance > 0
        UNION ALL
        SELECT id, allowance FROM unlimited),
    -- Per host, its due unleased rows in claim order (urgent, requested, then routine by time),
    -- skipping rows another worker holds; then interleaved across hosts: requests first, then each
    -- host's earliest, then each host's second... so that no host's backlog crowds out another's.
    -- The MATERIALIZED fence keeps the planner from re-running the locking subquery.
    candidates AS MATERIALIZED (
        SELECT due.row_id, due.claim_at, h.id AS code_host_id
          FROM hosts h
         CROSS JOIN LATERAL (
               SELECT s.ctid AS row_id, s.claim_at
                 FROM changeset_sync_state s
                WHERE s.code_host_id = h.id
                  AND s.claim_token IS NULL
                  -- requested rows sit 1000+ years before routine ones (sync_claim_at)
                  AND s.claim_at <= CASE WHEN requested_only THEN now() - interval '500 years' ELSE now() END
                ORDER BY s.claim_at
                LIMIT h.allowance
                  FOR UPDATE SKIP LOCKED) due),
    picked AS MATERIALIZED (
        SELECT c.row_id, c.code_host_id
          FROM (SELECT c.*, row_number() OVER (PARTITION BY c.code_host_id ORDER BY c.claim_at) AS host_rank
                  FROM candidates c) c
         ORDER BY c.claim_at > now() - interval '500 years', c.host_rank, c.claim_at
         LIMIT max_rows),
    -- By ctid: a TID scan, no primary-key descent per row (~20 % fewer buffers per claim). A row
    -- changed and committed between this statement's snapshot and its lock is locked in a version
    -- the snapshot cannot see: the update skips it, so it is not claimed this time (nor paid for,
    -- below) and stays due for the next claim.
    claimed AS (
        UPDATE changeset_sync_state s
           SET claim_token  = nextval('sync_claim_tokens'),
               lease_holder = worker,
               claimed_at   = now(),
               lease_until  = now() + lease
         WHERE s.ctid = ANY (ARRAY(SELECT p.row_id FROM picked p))
        RETURNING s.changeset_id, s.claim_token, s.claimed_at, s.lease_until, s.priority, s.code_host_id),
    -- the budget pays for what was claimed, not for what was picked
    debited AS (
        UPDATE code_host_budgets b
           SET tokens = l.tokens - n.claimed * l.requests_per_sync,
               refilled_at = greatest(b.refilled_at, now())
          FROM (SELECT cl.code_host_id, count(*) AS claimed FROM claimed cl GROUP BY cl.code_host_id) n
          JOIN limited l ON l.id = n.code_host_id
         WHERE b.code_host_id = n.code_host_id
           AND l.tokens IS NOT NULL)
    SELECT cl.changeset_id, cl.claim_token, cl.claimed_at, cl.lease_until, cl.priority, h.id, h.name, h.kind, h.base_url,
           d.repo_id, d.repo_external_id, d.repo_name, d.external_id, d.etags, d.head_sha, d.review_state,
           d.check_state, d.repo_archived
      FROM claimed cl
      JOIN code_hosts h ON h.id = cl.code_host_id
     CROSS JOIN LATERAL (
           SELECT c.repo_id, r.external_id AS repo_external_id, r.name AS repo_name, c.external_id, c.etags,
                  c.head_sha, c.review_state, c.check_state, r.archived AS repo_archived
             FROM changesets c
             JOIN repos r ON r.id = c.repo_id
            WHERE c.id = cl.changeset_id
           OFFSET 0) d;
END
$$;

COMMENT ON FUNCTION claim_changesets(text, integer, interval, bigint[], boolean) IS
'Claims up to max_rows due changesets for worker: requests first, then each host''s due rows interleaved by time; rows '
'held by other workers are skipped (FOR UPDATE SKIP LOCKED). Paused hosts, hosts in skip_hosts, and hosts whose budget '
'or concurrency cap is spent are left out; the budget is debited in the same statement. Each row gets a fresh '
'claim_token and a lease until now() + lease. With requested_only, only changesets with a pending request. Returns '
'what a sync needs.';


CREATE OR REPLACE FUNCTION complete_syncs(results jsonb)
    RETURNS TABLE (changeset_id bigint)
    LANGUAGE plpgsql
    SET jit = off -- a batch of a thousand rows would otherwise be JIT-compiled, for no gain
AS $$
#variable_conflict use_column
BEGIN
    -- 1. Events the syncs found. First, before any queue row is locked: a webhook delivery inserts
    --    its event and then updates the queue row, so taking the locks in the same order (event key,
    --    then queue row) means the two can never deadlock. Found events are facts however the rest
    --    of the write-back goes, so a fenced-off result may record them too (dedupe_key keeps one).
    INSERT INTO changeset_events (changeset_id, kind, source, occurred_at, dedupe_key, payload)
    SELECT i.changeset_id, e.kind, 'sync', e.occurred_at, e.dedupe_key, coalesce(e.payload, '{}'::jsonb)
      FROM jsonb_to_recordset(results) AS i(changeset_id bigint, claim_token bigint, events jsonb)
      JOIN changeset_sync_state s ON s.changeset_id = i.changeset_id AND s.claim_token = i.claim_token
     CROSS JOIN LATERAL jsonb_to_recordset(i.events) AS e(kind text, occurred_at timestamptz, dedupe_key text, payload jsonb)
     WHERE jsonb_typeof(i.events) = 'array'
     ORDER BY i.changeset_id, e.dedupe_key
    ON CONFLICT (changeset_id, dedupe_key) DO NOTHING;

    -- 2. Lock the rows this batch still holds (claim_token matches: the fence). A request inserted
    --    meanwhile has either committed (statement 3 sees it: new snapshot) or waits for us.
    PERFORM 1
       FROM changeset_sync_state s
       JOIN jsonb_to_recordset(results) AS i(changeset_id bigint, claim_token bigint)
         ON s.changeset_id = i.changeset_id AND s.claim_token = i.claim_token
      ORDER BY s.changeset_id
        FOR UPDATE OF s;

    -- 3. Metadata, requests and the queue row, in one statement.
    RETURN QUERY
    WITH input AS MATERIALIZED (
        SELECT i.*, s.claimed_at, s.lease_holder, s.requested_at AS pending_since
          FROM jsonb_to_recordset(results) AS i(
                   changeset_id bigint, claim_token bigint, outcome text, state changeset_state, title text,
                   author text, url text, head_ref text, base_ref text, head_sha text, review_state review_state,
                   check_state check_state, updated_at timestamptz, etags jsonb, events jsonb, message text)
          JOIN changeset_sync_state s ON s.changeset_id = i.changeset_id AND s.claim_token = i.claim_token
    ),
    metadata AS (
        -- a field the result leaves out (null) was not fetched this time: keep what we have
        UPDATE changesets c
           SET state = coalesce(i.state, c.state), title = coalesce(i.title, c.title),
               author = coalesce(i.author, c.author), url = coalesce(i.url, c.url),
               head_ref = coalesce(i.head_ref, c.head_ref), base_ref = coalesce(i.base_ref, c.base_ref),
               head_sha = coalesce(i.head_sha, c.head_sha), review_state = coalesce(i.review_state, c.review_state),
               check_state = coalesce(i.check_state, c.check_state),
               external_updated_at = coalesce(i.updated_at, c.external_updated_at),
               etags = c.etags || coalesce(i.etags, '{}'::jsonb)
          FROM input i
         WHERE c.id = i.changeset_id
           AND i.outcome = 'changed'
    ),
    -- Requests made before this sync started are served by it; later ones stay pending.
    served AS (
        UPDATE sync_requests q
           SET served_at = now(), served_by_claim = i.claim_token, served_by = i.lease_holder
          FROM input i
         WHERE i.pending_since IS NOT NULL
           AND q.changeset_id = i.changeset_id
           AND q.served_at IS NULL
           AND q.requested_at <= i.claimed_at
    ),
    remaining AS (
        SELECT q.changeset_id, min(q.requested_at) AS requested_at, max(q.priority) AS priority
          FROM input i
          JOIN sync_requests q ON q.changeset_id = i.changeset_id
         WHERE i.pending_since IS NOT NULL
           AND q.served_at IS NULL
           AND q.requested_at > i.claimed_at
         GROUP BY q.changeset_id
    )
    UPDATE changeset_sync_state s
       SET last_synced_at    = i.claimed_at,
           last_attempt_at   = i.claimed_at,
           -- a host clock ahead of ours must not postpone the next sync: no change is later than now
           synced_updated_at = CASE WHEN i.outcome = 'changed' THEN least(coalesce(i.updated_at, s.synced_updated_at), now())
                                    ELSE s.synced_updated_at END,
           -- events the sync found count as changes, but never later than the sync started
           latest_event_at   = greatest(s.latest_event_at,
                                   (SELECT max(least((e ->> 'occurred_at')::timestamptz, i.claimed_at))
                                      FROM jsonb_array_elements(
                                               CASE WHEN jsonb_typeof(i.events) = 'array' THEN i.events END) e)),
           failures          = 0,
           last_error        = CASE WHEN i.outcome = 'gone' THEN left(i.message, 2000) END,
           gone_at           = CASE WHEN i.outcome = 'gone' THEN coalesce(s.gone_at, now()) END,
           requested_at      = r.requested_at,
           priority          = coalesce(r.priority, 0),
           claim_token       = NULL,
           lease_holder      = NULL,
           claimed_at        = NULL,
           lease_until       = NULL
      FROM input i
      LEFT JOIN remaining r ON r.changeset_id = i.changeset_id
     WHERE s.changeset_id = i.changeset_id
    RETURNING s.changeset_id;
END
$$;

COMMENT ON FUNCTION complete_syncs(jsonb) IS
'Writes back a batch of finished syncs: [{changeset_id, claim_token, outcome: changed|unchanged|gone, state, title, '
'author, url, head_ref, base_ref, head_sha, review_state, check_state, updated_at, etags, '
'(for changed: a null or missing field keeps its stored value; etags are merged into the stored ones) '
'events: [{kind, occurred_at, dedupe_key, payload}], message}]. Only rows whose claim_token still matches are written '
'(a worker whose lease expired and was re-claimed is fenced off); returns those. Serves the requests made before the '
'sync started; later ones stay pending. last_synced_at is the claim time. A repository''s archived flag is written '
'by record_archived_flags(), in its own transaction.';


CREATE OR REPLACE FUNCTION record_archived_flags(flags jsonb)
    RETURNS TABLE (repo_id bigint, archived boolean)
    LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    -- Called by the writer just before complete_syncs(), in its own transaction, for the claims it
    -- still holds (the fence): the flag was seen at the claim time. It is written only if it was
    -- seen after the flag last changed, so a sync that started before someone flipped the flag (by
    -- hand, or through another sync) cannot flip it back. Repositories are locked in id order. The
    -- archived-flip trigger then requests syncs of the repository's changesets.
    RETURN QUERY
    WITH seen AS MATERIALIZED (
        SELECT DISTINCT ON (c.repo_id) c.repo_id, f.archived, s.claimed_at AS seen_at
          FROM jsonb_to_recordset(flags) AS f(changeset_id bigint, claim_token bigint, archived boolean)
          JOIN changeset_sync_state s ON s.changeset_id = f.changeset_id AND s.claim_token = f.claim_token
          JOIN changesets c ON c.id = f.changeset_id
         WHERE f.archived IS NOT NULL
         ORDER BY c.repo_id, s.claimed_at DESC),
    locked AS MATERIALIZED (
        SELECT r.id, r.archived, r.archived_changed_at
          FROM repos r
          JOIN seen ON seen.repo_id = r.id
         ORDER BY r.id
           FOR UPDATE OF r)
    UPDATE repos r
       SET archived = seen.archived
      FROM seen
      JOIN locked l ON l.id = seen.repo_id
     WHERE r.id = seen.repo_id
       AND l.archived IS DISTINCT FROM seen.archived
       AND (l.archived_changed_at IS NULL OR l.archived_changed_at < seen.seen_at)
    RETURNING r.id, r.archived;

    -- The syncs that found the flip have seen the repository as it now is: the requests the flip
    -- just made for their own changesets are served by them (no second sync of the same state).
    UPDATE sync_requests q
       SET served_at = now(), served_by_claim = s.claim_token, served_by = s.lease_holder
      FROM jsonb_to_recordset(flags) AS f(changeset_id bigint, claim_token bigint, archived boolean)
      JOIN changeset_sync_state s ON s.changeset_id = f.changeset_id AND s.claim_token = f.claim_token
      JOIN changesets c ON c.id = f.changeset_id
      JOIN repos r ON r.id = c.repo_id
     WHERE q.changeset_id = f.changeset_id
       AND q.served_at IS NULL
       AND q.requested_at = now() -- made by this transaction's flip
       AND r.archived = f.archived;
END
$$;

COMMENT ON FUNCTION record_archived_flags(jsonb) IS
'Records the archived flags syncs found: [{changeset_id, claim_token, archived}], for claims still held. Writes a '
'repository''s flag only if it differs and the claim was made after the flag last changed (repos.archived_changed_at), '
'so a slow sync never undoes a newer change; the flip''s requests for the reporting changesets are served by their '
'syncs. Returns the repositories whose flag flipped.';


DROP FUNCTION IF EXISTS fail_syncs(jsonb);

CREATE OR REPLACE FUNCTION fail_syncs(attempts jsonb)
    RETURNS TABLE (changeset_id bigint)
    LANGUAGE plpgsql
    SET jit = off -- a batch of a thousand rows would otherwise be JIT-compiled, for no gain
AS $$
#variable_conflict use_column
BEGIN
    PERFORM 1
       FROM changeset_sync_state s
       JOIN jsonb_to_recordset(attempts) AS i(changeset_id bigint, claim_token bigint)
         ON s.changeset_id = i.changeset_id AND s.claim_token = i.claim_token
      ORDER BY s.changeset_id
        FOR UPDATE OF s;

    RETURN QUERY
    UPDATE changeset_sync_state s
       SET failures        = s.failures + 1,
           last_attempt_at = s.claimed_at,
           last_error      = left(i.message, 2000),
           claim_token     = NULL,
           lease_holder    = NULL,
           claimed_at      = NULL,
           lease_until     = NULL
      FROM jsonb_to_recordset(attempts) AS i(changeset_id bigint, claim_token bigint, message text)
     WHERE s.changeset_id = i.changeset_id
       AND s.claim_token = i.claim_token
    RETURNING s.changeset_id;
END
$$;

COMMENT ON FUNCTION fail_syncs(jsonb) IS
'Records failed attempts: [{changeset_id, claim_token, message}]. failures + 1, so the retry backs off exponentially '
'from last_attempt_at (the claim time); pending requests stay pending. Fenced like complete_syncs; returns the rows written.';


CREATE OR REPLACE FUNCTION extend_leases(worker text, changeset_ids bigint[], claim_tokens bigint[], lease interval)
    RETURNS TABLE (changeset_id bigint, lease_until timestamptz)
    LANGUAGE plpgsql
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH held AS MATERIALIZED (
        SELECT s.changeset_id
          FROM changeset_sync_state s
          JOIN unnest(changeset_ids, claim_tokens) AS i(changeset_id, claim_token)
            ON s.changeset_id = i.changeset_id AND s.claim_token = i.claim_token
         WHERE s.lease_holder = worker
         ORDER BY s.changeset_id
           FOR UPDATE OF s)
    UPDATE changeset_sync_state s
       SET lease_until = now() + lease
      FROM held h
     WHERE s.changeset_id = h.changeset_id
    RETURNING s.changeset_id, s.lease_until;
END
$$;

COMMENT ON FUNCTION extend_leases(text, bigint[], bigint[], interval) IS
'Heartbeat: pushes the leases worker still holds to now() + lease. Claims not returned were lost (expired and swept).';


CREATE OR REPLACE FUNCTION release_claims(changeset_ids bigint[], claim_tokens bigint[])
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    released integer;
BEGIN
    WITH held AS MATERIALIZED (
        SELECT s.changeset_id
          FROM changeset_sync_state s
          JOIN unnest(changeset_ids, claim_tokens) AS i(changeset_id, claim_token)
            ON s.changeset_id = i.changeset_id AND s.claim_token = i.claim_token
         ORDER BY s.changeset_id
           FOR UPDATE OF s)
    UPDATE changeset_sync_state s
       SET claim_token = NULL, lease_holder = NULL, claimed_at = NULL, lease_until = NULL
      FROM held h
     WHERE s.changeset_id = h.changeset_id;
    GET DIAGNOSTICS released = ROW_COUNT;
    RETURN released;
END
$$;

COMMENT ON FUNCTION release_claims(bigint[], bigint[]) IS
'Gives claims back unfinished (graceful shutdown): the rows are claimable again at once, no failure counted.';


CREATE OR REPLACE FUNCTION release_expired_leases()
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    released integer;
BEGIN
    WITH expired AS MATERIALIZED (
        SELECT s.changeset_id
          FROM changeset_sync_state s
         WHERE s.claim_token IS NOT NULL
           AND s.lease_until < now()
         ORDER BY s.changeset_id
           FOR UPDATE OF s SKIP LOCKED)
    UPDATE changeset_sync_state s
       SET failures        = s.failures + 1,
           last_attempt_at = s.claimed_at,
           last_error      = format('lease of %s expired at %s: the worker stopped or hung', s.lease_holder,
                                    s.lease_until),
           claim_token     = NULL,
           lease_holder    = NULL,
           claimed_at      = NULL,
           lease_until     = NULL
      FROM expired e
     WHERE s.changeset_id = e.changeset_id;
    GET DIAGNOSTICS released = ROW_COUNT;
    RETURN released;
END
$$;

COMMENT ON FUNCTION release_expired_leases() IS
'Sweep: returns rows whose lease expired (a worker crashed or hung) to the queue, counting a failed attempt so that '
'a changeset that keeps killing workers backs off. Cheap (partial index on leased rows), idempotent, safe from any '
'number of workers at once. Returns how many it released.';


DROP FUNCTION IF EXISTS next_claim_delay();

CREATE OR REPLACE FUNCTION next_claim_delay(skip_hosts bigint[] DEFAULT '{}')
    RETURNS interval
    LANGUAGE sql STABLE
RETURN (SELECT CASE WHEN min(ready.at) IS NOT NULL  -- (greatest() would turn NULL into 0)
                    THEN greatest(min(ready.at) - now(), interval '0') END
          FROM code_hosts h
          JOIN code_host_budgets b ON b.code_host_id = h.id
         CROSS JOIN LATERAL (
               SELECT s.claim_at
                 FROM changeset_sync_state s
                WHERE s.code_host_id = h.id AND s.claim_token IS NULL AND s.claim_at IS NOT NULL
                ORDER BY s.claim_at
                LIMIT 1) first
         -- a host's first row can be claimed when it is due, the host is not paused, and its bucket holds a sync
         CROSS JOIN LATERAL (
               SELECT greatest(first.claim_at, b.paused_until,
                               now() + code_host_budget_wait(
                                   code_host_tokens(b.tokens, b.refilled_at, h.requests_per_hour, h.request_burst, now()),
                                   h.requests_per_hour, h.requests_per_sync)) AS at) ready
         WHERE h.id <> ALL (coalesce(skip_hosts, '{}'))
           -- a host at its concurrency cap frees a slot only when a sync finishes, which wakes the claimers
           AND (h.max_in_flight IS NULL
                OR h.max_in_flight > (SELECT count(*) FROM changeset_sync_state f
                                       WHERE f.code_host_id = h.id AND f.claim_token IS NOT NULL)));

COMMENT ON FUNCTION next_claim_delay(bigint[]) IS
'How long until some changeset can be claimed: due, its host not paused, with budget and below its concurrency cap, '
'and not in skip_hosts (0 if now, NULL if never). Idle workers sleep that long at most.';


CREATE OR REPLACE FUNCTION defer_syncs(deferrals jsonb)
    RETURNS TABLE (changeset_id bigint)
    LANGUAGE plpgsql
    SET jit = off
AS $$
#variable_conflict use_column
BEGIN
    -- Budget rows in host order, like observe_rate_limits(): two replicas never deadlock on them.
    PERFORM 1
       FROM code_host_budgets b
      WHERE b.code_host_id IN (SELECT d.code_host_id FROM jsonb_to_recordset(deferrals) AS d(code_host_id bigint))
      ORDER BY b.code_host_id
        FOR UPDATE OF b;

    -- The host refused for its rate limit: pause it for every replica (never shortening a pause),
    -- until Retry-After, or until its reset when it said no quota remains; empty its bucket.
    -- (refilled_at never moves back: a replica's older transaction must not refill tokens twice.)
    UPDATE code_host_budgets b
       SET paused_until = greatest(b.paused_until, p.until),
           pause_reason = p.reason,
           tokens = least(b.tokens, 0),
           refilled_at = greatest(b.refilled_at, now())
      FROM (SELECT DISTINCT ON (d.code_host_id) d.code_host_id,
                   greatest(now() + coalesce(d.retry_after_seconds, 0) * interval '1 second',
                            CASE WHEN d.remaining = 0 THEN d.reset_at END) AS until,
                   left(d.message, 500) AS reason
              FROM jsonb_to_recordset(deferrals) AS d(code_host_id bigint, retry_after_seconds double precision,
                                                      remaining bigint, reset_at timestamptz, message text)
             ORDER BY d.code_host_id, 2 DESC) p
     WHERE b.code_host_id = p.code_host_id;

    -- The changesets themselves did nothing wrong: give the claims back without a failure. They stay
    -- due, and are claimed again once the pause is over.
    RETURN QUERY
    WITH held AS MATERIALIZED (
        SELECT s.changeset_id
          FROM changeset_sync_state s
          JOIN jsonb_to_recordset(deferrals) AS i(changeset_id bigint, claim_token bigint)
            ON s.changeset_id = i.changeset_id AND s.claim_token = i.claim_token
         ORDER BY s.changeset_id
           FOR UPDATE OF s)
    UPDATE changeset_sync_state s
       SET claim_token = NULL, lease_holder = NULL, claimed_at = NULL, lease_until = NULL
      FROM held h
     WHERE s.changeset_id = h.changeset_id
    RETURNING s.changeset_id;
END
$$;

COMMENT ON FUNCTION defer_syncs(jsonb) IS
'Syncs refused by their host''s rate limit: [{changeset_id, claim_token, code_host_id, retry_after_seconds, remaining, '
'reset_at, message}]. Pauses each host for all replicas (code_host_budgets.paused_until, pause_reason) and gives the '
'claims back without counting a failure. Returns the claims that were still held.';


CREATE OR REPLACE FUNCTION observe_rate_limits(observations jsonb)
    RETURNS void
    LANGUAGE plpgsql
    SET jit = off
AS $$
BEGIN
    PERFORM 1
       FROM code_host_budgets b
      WHERE b.code_host_id IN (SELECT o.code_host_id FROM jsonb_to_recordset(observations) AS o(code_host_id bigint))
      ORDER BY b.code_host_id
        FOR UPDATE OF b;

    -- What a host said about its quota wins over our estimate: the bucket never holds more than the
    -- host says remains, and a spent quota pauses the host until its reset.
    UPDATE code_host_budgets b
       SET reported_limit = o.limit_value,
           reported_remaining = o.remaining,
           reported_reset_at = o.reset_at,
           reported_at = now(),
           tokens = CASE WHEN o.remaining IS NULL OR h.requests_per_hour IS NULL THEN b.tokens
                         ELSE least(code_host_tokens(b.tokens, b.refilled_at, h.requests_per_hour, h.request_burst, now()),
                                    o.remaining) END,
           refilled_at = CASE WHEN o.remaining IS NULL OR h.requests_per_hour IS NULL THEN b.refilled_at
                               ELSE greatest(b.refilled_at, now()) END,
           paused_until = CASE WHEN o.remaining = 0 AND o.reset_at > now() THEN greatest(b.paused_until, o.reset_at)
                               ELSE b.paused_until END,
           pause_reason = CASE WHEN o.remaining = 0 AND o.reset_at > now()
                               THEN 'the host reports no requests left until ' || o.reset_at
                               ELSE b.pause_reason END
      FROM (SELECT DISTINCT ON (i.code_host_id) i.code_host_id, i.limit_value, i.remaining, i.reset_at
              FROM jsonb_to_recordset(observations) AS i(code_host_id bigint, limit_value bigint, remaining bigint,
                                                         reset_at timestamptz, seen integer)
             ORDER BY i.code_host_id, i.seen DESC) o
      JOIN code_hosts h ON h.id = o.code_host_id
     WHERE b.code_host_id = o.code_host_id;
END
$$;

COMMENT ON FUNCTION observe_rate_limits(jsonb) IS
'Records what hosts reported about their rate limits: [{code_host_id, limit_value, remaining, reset_at, seen}] (the '
'highest seen per host wins). Brings the bucket down to the remaining quota, and pauses a host whose quota is spent '
'until its reset.';
