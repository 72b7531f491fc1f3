--liquibase formatted sql

--changeset changeset-syncer:functions-queue-claim runOnChange:true splitStatements:false
--comment: The claim: due changesets (and repository syncs), leased to a worker, within each host's budget and
--  concurrency cap, in claim-level order with bulk work interleaved with routine work.

DROP FUNCTION IF EXISTS claim_changesets(text, integer, interval);
DROP FUNCTION IF EXISTS claim_changesets(text, integer, interval, bigint[]);
DROP FUNCTION IF EXISTS claim_changesets(text, integer, interval, bigint[], boolean);
DROP FUNCTION IF EXISTS claim_changesets(text, integer, interval, bigint[], boolean, timestamptz);
-- its result gained requested_at: a changed result type needs a DROP (CREATE OR REPLACE refuses it)
DO $drop$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_proc p
                WHERE p.proname = 'claim_changesets' AND p.pronamespace = current_schema()::regnamespace
                  AND NOT 'requested_at' = ANY (p.proargnames)) THEN
        DROP FUNCTION claim_changesets(text, integer, interval, bigint[], boolean, timestamptz, integer);
    END IF;
END
$drop$;

CREATE OR REPLACE FUNCTION claim_changesets(worker text, max_rows integer, lease interval,
                                            skip_hosts bigint[] DEFAULT '{}',
                                            requested_only boolean DEFAULT false,
                                            now timestamptz DEFAULT now(),
                                            max_repos integer DEFAULT 0)
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
        change_markers     jsonb,
        head_sha           text,
        review_state       review_state,
        check_state        check_state,
        repo_archived      boolean,
        claim_kind         text,
        claim_level        smallint,
        claim_cost         real,
        repo_deleted_at    timestamptz,
        repo_track         text,
        repo_listed_until  timestamptz,
        repo_listing_state text,
        requested_at       timestamptz)
    LANGUAGE plpgsql
    -- One plan for every call: re-planning cost ~1 ms per claim, and this query's generic plan is
    -- as good as a custom one (the TID scans and the row-by-row lookups do not depend on max_rows).
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
    IF max_rows IS NULL OR max_rows < 0 OR (max_rows = 0 AND coalesce(max_repos, 0) = 0) THEN
        RAISE EXCEPTION 'claim_changesets: max_rows must be at least 1 (or 0 with max_repos), got %', max_rows
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF lease IS NULL OR lease <= interval '0' THEN
        RAISE EXCEPTION 'claim_changesets: lease must be positive, got %', lease
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF max_repos < 0 THEN
        RAISE EXCEPTION 'claim_changesets: max_repos must not be negative, got %', max_repos
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    now := coalesce(now, now()); -- null, like left out: the database's time
    -- express claims take requested changesets only
    max_repos := CASE WHEN requested_only THEN 0 ELSE coalesce(max_repos, 0) END;

    -- 1. Hosts with a budget or a concurrency cap: lock their budget row, skipping it if another
    --    claim holds it, so that two replicas can never both spend the last token or the last slot.
    --    This is its own statement: the next one takes its snapshot after the locks, so it sees
    --    every lease and debit committed before them (a lock taken inside one statement would not).
    SELECT coalesce(array_agg(candidate.code_host_id), '{}') INTO locked_hosts
      FROM (SELECT b.code_host_id
              FROM code_host_budgets b
              JOIN code_hosts h ON h.id = b.code_host_id
             WHERE (h.requests_per_hour IS NOT NULL OR h.max_in_flight IS NOT NULL)
               AND (b.paused_until IS NULL OR b.paused_until <= now)
               AND h.id <> ALL (skip_hosts)
             ORDER BY b.code_host_id
               FOR UPDATE OF b SKIP LOCKED) candidate;

    RETURN QUERY
    WITH
    -- What each host can pay for: tokens left (null: no budget) and free slots under its concurrency
    -- cap (null: no cap); repository syncs and changeset syncs share both.
    limited AS MATERIALIZED (
        SELECT h.id,
               h.requests_per_sync,
               b.bulk_next,
               code_host_tokens(b.tokens, b.refilled_at, h.requests_per_hour, h.request_burst, now) AS tokens,
               code_host_burst(h.requests_per_hour, h.request_burst) AS burst,
               h.max_in_flight
                   - (SELECT count(*)::integer FROM changeset_sync_state f
                       WHERE f.code_host_id = h.id AND f.claim_token IS NOT NULL)
                   - (SELECT count(*)::integer FROM repo_sync_state f
                       WHERE f.code_host_id = h.id AND f.claim_token IS NOT NULL) AS slots
          FROM code_hosts h
          JOIN code_host_budgets b ON b.code_host_id = h.id
         WHERE h.id = ANY (locked_hosts)),
    -- units: the most rows worth locking per lane (what the budget pays at the cheapest cost, 1 token
    -- for a repository read). Hosts without limits of ours are not locked, so replicas claim from them
    -- side by side.
    hosts AS MATERIALIZED (
        SELECT l.id, l.requests_per_sync, l.tokens, l.burst, l.slots, l.bulk_next,
               least(coalesce(l.slots, max_rows + max_repos),
                     coalesce(floor(l.tokens / least(l.requests_per_sync, 1))::integer, max_rows + max_repos),
                     max_rows + max_repos) AS units
          FROM limited l
        UNION ALL
        SELECT h.id, h.requests_per_sync, NULL, NULL, NULL, false, max_rows + max_repos
          FROM code_hosts h
          JOIN code_host_budgets b ON b.code_host_id = h.id
         WHERE h.requests_per_hour IS NULL AND h.max_in_flight IS NULL
           AND (b.paused_until IS NULL OR b.paused_until <= now)
           AND h.id <> ALL (skip_hosts)),
    -- The lanes, each one range of one index in ascending order, skipping rows another worker holds
    -- (sync_claim_bound splits the claim levels). The MATERIALIZED fences keep the planner from
    -- re-running a locking subquery.
    -- Lane 0: requested and urgent changesets (claim levels 2 and 3), urgent first.
    requested AS MATERIALIZED (
        SELECT h.id AS code_host_id, 0 AS lane, d.changeset_id AS id, d.row_id, d.claim_at AS at, NULL::real AS cost
          FROM hosts h
         CROSS JOIN LATERAL (
               SELECT s.changeset_id, s.ctid AS row_id, s.claim_at
                 FROM changeset_sync_state s
                WHERE s.code_host_id = h.id
                  AND s.claim_token IS NULL
                  AND s.claim_at <= sync_claim_bound(2, now)
                ORDER BY s.claim_at
                LIMIT least(h.units, max_rows)
                  FOR UPDATE SKIP LOCKED) d
         WHERE h.units > 0),
    -- Lane 1: repositories due for their sync, each costing the requests it will make (never more than
    -- the bucket can hold, or it could never be claimed).
    repositories AS MATERIALIZED (
        SELECT h.id AS code_host_id, 1 AS lane, d.repo_id AS id, d.row_id, d.next_sync_at AS at, d.cost
          FROM hosts h
         CROSS JOIN LATERAL (
               SELECT r.repo_id, r.ctid AS row_id, r.next_sync_at,
                      least((SELECT repo_sync_cost(p.track_changesets) FROM repos p WHERE p.id = r.repo_id),
                            coalesce(h.burst, 'infinity')) AS cost
                 FROM repo_sync_state r
                WHERE r.code_host_id = h.id
                  AND r.claim_token IS NULL
                  AND r.next_sync_at <= now
                ORDER BY r.next_sync_at
                LIMIT least(h.units, max_repos)
                  FOR UPDATE SKIP LOCKED) d
         WHERE h.units > 0 AND max_repos > 0),
    -- Lane 2: routine changesets (claim level 0) due by now.
    routine AS MATERIALIZED (
        SELECT h.id AS code_host_id, 2 AS lane, d.changeset_id AS id, d.row_id, d.claim_at AS at, NULL::real AS cost
          FROM hosts h
         CROSS JOIN LATERAL (
               SELECT s.changeset_id, s.ctid AS row_id, s.claim_at
                 FROM changeset_sync_state s
                WHERE s.code_host_id = h.id
                  AND s.claim_token IS NULL
                  AND s.claim_at > sync_claim_bound(1, now)
                  AND s.claim_at <= now
                ORDER BY s.claim_at
                LIMIT least(h.units, max_rows)
                  FOR UPDATE SKIP LOCKED) d
         WHERE h.units > 0 AND NOT requested_only),
    -- Lane 3: bulk requests (claim level 1: archived flips, imports), oldest first.
    bulk AS MATERIALIZED (
        SELECT h.id AS code_host_id, 3 AS lane, d.changeset_id AS id, d.row_id, d.claim_at AS at, NULL::real AS cost
          FROM hosts h
         CROSS JOIN LATERAL (
               SELECT s.changeset_id, s.ctid AS row_id, s.claim_at
                 FROM changeset_sync_state s
                WHERE s.code_host_id = h.id
                  AND s.claim_token IS NULL
                  AND s.claim_at > sync_claim_bound(2, now)
                  AND s.claim_at <= sync_claim_bound(1, now)
                ORDER BY s.claim_at
                LIMIT least(h.units, max_rows)
                  FOR UPDATE SKIP LOCKED) d
         WHERE h.units > 0 AND NOT requested_only),
    candidates AS (
        SELECT * FROM requested
        UNION ALL SELECT * FROM repositories
        UNION ALL SELECT * FROM routine
        UNION ALL SELECT * FROM bulk),
    -- Each host's order: requests, then repositories, then routine and bulk rows alternately (so while
    -- both are due, half of the host's claims are routine, whatever the flip's size). The alternation goes
    -- on across claims (code_host_budgets.bulk_next), so that claims of one row alternate too. A replica
    -- takes at most max_repos repositories, the earliest due across hosts. The running cost is summed in
    -- the same window as the host's order: one sort.
    ranked AS (
        SELECT c.code_host_id, c.lane, c.id, c.row_id, c.at, h.tokens, h.slots,
               coalesce(c.cost, h.requests_per_sync) AS cost,
               row_number() OVER host_order AS host_rank,
               sum(coalesce(c.cost, h.requests_per_sync)) OVER host_order AS spent
          FROM (SELECT c.*,
                       row_number() OVER (PARTITION BY c.code_host_id, c.lane ORDER BY c.at) AS lane_rank,
                       CASE WHEN c.lane = 1 THEN row_number() OVER (PARTITION BY c.lane ORDER BY c.at) END AS repo_rank
                  FROM candidates c) c
          JOIN hosts h ON h.id = c.code_host_id
         WHERE c.repo_rank IS NULL OR c.repo_rank <= max_repos
        WINDOW host_order AS (PARTITION BY c.code_host_id
                              ORDER BY least(c.lane, 2), c.lane_rank,
                                       c.lane = CASE WHEN h.bulk_next THEN 2 ELSE 3 END, c.at)),
    -- A prefix of each host's order that its budget and its free slots pay for: a row that does not
    -- fit stops the host's claim there (a repository read costing 2 is not overtaken by cheaper rows).
    affordable AS MATERIALIZED (
        SELECT r.*
          FROM ranked r
         WHERE (r.tokens IS NULL OR r.spent <= r.tokens)
           AND (r.slots IS NULL OR r.host_rank <= r.slots)),
    -- Across hosts: the requests of every host first, then each host's first, each host's
    -- second... so that no host's backlog crowds out another's.
    picked AS MATERIALIZED (
        SELECT a.code_host_id, a.lane, a.id, a.row_id, a.cost, a.tokens,
               row_number() OVER (ORDER BY a.lane <> 0, a.host_rank, a.at) AS pick
          FROM affordable a
         WHERE a.lane <> 1
         ORDER BY a.lane <> 0, a.host_rank, a.at
         LIMIT max_rows),
    picked_repos AS MATERIALIZED (
        SELECT a.code_host_id, a.lane, a.id, a.row_id, a.cost, a.tokens,
               row_number() OVER (ORDER BY a.at) AS pick
          FROM affordable a
         WHERE a.lane = 1),
    -- By ctid: a TID scan, no primary-key descent per row (~20 % fewer buffers per claim). A row
    -- changed and committed between this statement's snapshot and its lock is locked in a version
    -- the snapshot cannot see: the update skips it, so it is not claimed this time (nor paid for,
    -- below) and stays due for the next claim.
    claimed AS (
        UPDATE changeset_sync_state s
           SET claim_token  = nextval('sync_claim_tokens'),
               lease_holder = worker,
               claimed_at   = now,
               lease_until  = now + lease
         WHERE s.ctid = ANY (ARRAY(SELECT p.row_id FROM picked p))
        RETURNING s.changeset_id, s.claim_token, s.claimed_at, s.lease_until, s.priority, s.claim_at, s.requested_at),
    claimed_repos AS (
        UPDATE repo_sync_state r
           SET claim_token  = nextval('sync_claim_tokens'),
               lease_holder = worker,
               claimed_at   = now,
               lease_until  = now + lease
         -- by key: repositories are few, and a row locked by its lane is claimable (its lock re-checked it)
         WHERE r.repo_id = ANY (ARRAY(SELECT p.id FROM picked_repos p))
        RETURNING r.repo_id, r.claim_token, r.claimed_at, r.lease_until, r.change_markers, r.listed_until,
                  r.listing_state),
    -- the budget pays for what was claimed, not for what was picked; the lane that follows the last
    -- routine or bulk changeset claimed goes first next time
    debited AS (
        UPDATE code_host_budgets b
           SET tokens = CASE WHEN l.tokens IS NOT NULL THEN l.tokens - n.spent ELSE b.tokens END,
               refilled_at = CASE WHEN l.tokens IS NOT NULL THEN greatest(b.refilled_at, now) ELSE b.refilled_at END,
               bulk_next = coalesce(n.last_lane = 2, b.bulk_next)
          FROM (SELECT x.code_host_id, sum(x.cost) AS spent,
                       (array_agg(x.lane ORDER BY x.pick DESC) FILTER (WHERE x.lane IN (2, 3)))[1] AS last_lane
                  FROM (SELECT p.code_host_id, p.cost, p.lane, p.pick
                          FROM picked p JOIN claimed c ON c.changeset_id = p.id
                        UNION ALL
                        SELECT p.code_host_id, p.cost, p.lane, 0
                          FROM picked_repos p JOIN claimed_repos c ON c.repo_id = p.id) x
                 GROUP BY x.code_host_id) n
          JOIN limited l ON l.id = n.code_host_id
         WHERE b.code_host_id = n.code_host_id)
    SELECT out.changeset_id, out.claim_token, out.claimed_at, out.lease_until, out.priority, h.id, h.name, h.kind,
           h.base_url, out.repo_id, out.repo_external_id, out.repo_name, out.external_id, out.change_markers,
           out.head_sha, out.review_state, out.check_state, out.repo_archived, out.claim_kind, out.claim_level,
           out.claim_cost, out.repo_deleted_at, out.repo_track, out.repo_listed_until, out.repo_listing_state,
           out.requested_at
      FROM (SELECT cl.changeset_id, cl.claim_token, cl.claimed_at, cl.lease_until, cl.priority, p.code_host_id,
                   d.repo_id, d.repo_external_id, d.repo_name, d.external_id, d.change_markers, d.head_sha,
                   d.review_state, d.check_state, d.repo_archived, 'changeset'::text AS claim_kind,
                   (CASE WHEN cl.claim_at <= sync_claim_bound(3, now) THEN 3
                         WHEN cl.claim_at <= sync_claim_bound(2, now) THEN 2
                         WHEN cl.claim_at <= sync_claim_bound(1, now) THEN 1
                         ELSE 0 END)::smallint AS claim_level,
                   (CASE WHEN p.tokens IS NOT NULL THEN p.cost END)::real AS claim_cost,
                   NULL::timestamptz AS repo_deleted_at, d.repo_track, NULL::timestamptz AS repo_listed_until,
                   NULL::text AS repo_listing_state, cl.requested_at, 0 AS kind_order, p.pick
              FROM claimed cl
              JOIN picked p ON p.id = cl.changeset_id
             CROSS JOIN LATERAL (
                   SELECT c.repo_id, r.external_id AS repo_external_id, r.name AS repo_name, c.external_id,
                          c.change_markers, c.head_sha, c.review_state, c.check_state, r.archived AS repo_archived,
                          r.track_changesets AS repo_track
                     FROM changesets c
                     JOIN repos r ON r.id = c.repo_id
                    WHERE c.id = cl.changeset_id
                   OFFSET 0) d
            UNION ALL
            SELECT NULL::bigint, cr.claim_token, cr.claimed_at, cr.lease_until, NULL::smallint, p.code_host_id,
                   r.id, r.external_id, r.name, NULL::text, cr.change_markers, NULL::text, NULL::review_state,
                   NULL::check_state, r.archived, 'repository'::text, NULL::smallint,
                   (CASE WHEN p.tokens IS NOT NULL THEN p.cost END)::real, r.deleted_at, r.track_changesets,
                   cr.listed_until, cr.listing_state, NULL::timestamptz, 1, p.pick
              FROM claimed_repos cr
              JOIN picked_repos p ON p.id = cr.repo_id
             CROSS JOIN LATERAL (SELECT x.* FROM repos x WHERE x.id = cr.repo_id OFFSET 0) r) out
      JOIN code_hosts h ON h.id = out.code_host_id
     ORDER BY out.kind_order, out.pick;
END
$$;

COMMENT ON FUNCTION claim_changesets(text, integer, interval, bigint[], boolean, timestamptz, integer) IS
'Claims up to max_rows due changesets for worker, and up to max_repos due repository syncs (claim_kind '
'''repository'', changeset_id null), in claim order: per host, requested and urgent changesets first, then '
'repositories, then routine changesets and bulk requests (archived flips, imports) alternately, routine first; '
'across hosts, every host''s requests first, then the hosts'' rows interleaved. Rows held by other workers are '
'skipped (FOR UPDATE SKIP LOCKED). Paused hosts, hosts in skip_hosts, and hosts whose budget or concurrency cap is '
'spent are left out; each claim takes its cost from the budget in the same statement (claim_cost: '
'requests_per_sync for a changeset, repo_sync_cost() for a repository; null without a budget). Each row gets a '
'fresh claim_token and a lease until now + lease. With requested_only, only requested and urgent changesets. now is '
'the database''s now() when left out or null (tests set the clock with it). Rows come in claim order (changesets, '
'then repositories); claim_level is 0 routine, 1 bulk, 2 requested, 3 urgent; requested_at is the changeset''s '
'earliest pending request (null: none), so a replica can measure request -> sync-start latency.';
