--liquibase formatted sql

--changeset changeset-syncer:functions-queue-next-claim-delay runOnChange:true splitStatements:false
--comment: How long an idle worker may sleep: until the earliest changeset (or repository) it could claim.

DROP FUNCTION IF EXISTS next_claim_delay();
DROP FUNCTION IF EXISTS next_claim_delay(bigint[]);
DROP FUNCTION IF EXISTS next_claim_delay(bigint[], timestamptz);

CREATE OR REPLACE FUNCTION next_claim_delay(skip_hosts bigint[] DEFAULT '{}', now timestamptz DEFAULT now(),
                                            with_repos boolean DEFAULT false)
    RETURNS interval
    LANGUAGE plpgsql STABLE
AS $$
BEGIN
    now := coalesce(now, now()); -- null, like left out: the database's time
    RETURN (
        SELECT CASE WHEN min(ready.at) IS NOT NULL  -- (greatest() would turn NULL into 0)
                    THEN greatest(min(ready.at) - now, interval '0') END
          FROM code_hosts h
          JOIN code_host_budgets b ON b.code_host_id = h.id
          LEFT JOIN LATERAL (
               SELECT s.claim_at
                 FROM changeset_sync_state s
                WHERE s.code_host_id = h.id AND s.claim_token IS NULL AND s.claim_at IS NOT NULL
                ORDER BY s.claim_at
                LIMIT 1) first_changeset ON true
          LEFT JOIN LATERAL (
               SELECT r.next_sync_at,
                      least((SELECT repo_sync_cost(p.track_changesets) FROM repos p WHERE p.id = r.repo_id),
                            coalesce(code_host_burst(h.requests_per_hour, h.request_burst), 'infinity')) AS cost
                 FROM repo_sync_state r
                WHERE with_repos AND r.code_host_id = h.id AND r.claim_token IS NULL
                ORDER BY r.next_sync_at
                LIMIT 1) first_repo ON true
         -- what the host claims first (a repository due comes before routine changesets) and what it costs
         CROSS JOIN LATERAL (
               SELECT CASE WHEN first_repo.next_sync_at IS NOT NULL
                                AND (first_changeset.claim_at IS NULL
                                     OR first_changeset.claim_at > sync_claim_bound(2, now))
                                AND first_repo.next_sync_at <= greatest(first_changeset.claim_at, now)
                           THEN first_repo.next_sync_at ELSE first_changeset.claim_at END AS at,
                      CASE WHEN first_repo.next_sync_at IS NOT NULL
                                AND (first_changeset.claim_at IS NULL
                                     OR first_changeset.claim_at > sync_claim_bound(2, now))
                                AND first_repo.next_sync_at <= greatest(first_changeset.claim_at, now)
                           THEN first_repo.cost::real ELSE h.requests_per_sync END AS cost) first
         -- it can be claimed when it is due, the host is not paused, and its bucket holds its cost
         CROSS JOIN LATERAL (
               SELECT greatest(first.at, b.paused_until,
                               now + code_host_budget_wait(
                                   code_host_tokens(b.tokens, b.refilled_at, h.requests_per_hour, h.request_burst, now),
                                   h.requests_per_hour, first.cost)) AS at) ready
         WHERE h.id <> ALL (coalesce(skip_hosts, '{}'))
           AND first.at IS NOT NULL
           -- a host at its concurrency cap frees a slot only when a sync finishes, which wakes the claimers
           AND (h.max_in_flight IS NULL
                OR h.max_in_flight > (SELECT count(*) FROM changeset_sync_state f
                                       WHERE f.code_host_id = h.id AND f.claim_token IS NOT NULL)
                                     + (SELECT count(*) FROM repo_sync_state f
                                         WHERE f.code_host_id = h.id AND f.claim_token IS NOT NULL)));
END
$$;

COMMENT ON FUNCTION next_claim_delay(bigint[], timestamptz, boolean) IS
'How long after now until some changeset (with with_repos, or repository sync) can be claimed: due, its host not '
'paused, with budget for it and below its concurrency cap, and not in skip_hosts (0 if at once, NULL if never). now '
'is the database''s now() when left out or null. Idle workers sleep that long at most.';
