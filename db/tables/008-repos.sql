--liquibase formatted sql

--changeset changeset-syncer:008-repos-track-changesets
--comment: Tracking a repository: its pull requests are imported as changesets by its repository syncs.
ALTER TABLE repos
    ADD COLUMN track_changesets text NOT NULL DEFAULT 'none',
    ADD CONSTRAINT repos_track_changesets_is_none_open_or_all CHECK (track_changesets IN ('none', 'open', 'all'));
COMMENT ON COLUMN repos.track_changesets IS 'Which of the repository''s pull requests its repository syncs import as changesets: none (the default: only the changesets inserted by hand), open, or all.';

--changeset changeset-syncer:008-code-hosts-repo-sync-interval
--comment: How often each repository of a host is re-read (archived, renamed, deleted, new pull requests).
ALTER TABLE code_hosts
    ADD COLUMN repo_sync_interval interval NOT NULL DEFAULT interval '5 minutes',
    ADD CONSTRAINT code_hosts_repo_sync_interval_between_a_second_and_a_day
        CHECK (repo_sync_interval BETWEEN interval '1 second' AND interval '1 day');
COMMENT ON COLUMN code_hosts.repo_sync_interval IS 'How often each repository of the host is re-read (shortened by a per-repository jitter of up to 10 %); failures back off from it exponentially.';

--changeset changeset-syncer:008-repo-sync-state
--comment: The repository sync queue: one row per repository, claimed by the workers like changesets, from the same budget.
CREATE TABLE repo_sync_state (
    repo_id         bigint      PRIMARY KEY
                                CONSTRAINT repo_sync_state_repo_fk REFERENCES repos (id) ON DELETE CASCADE,
    code_host_id    bigint      NOT NULL CONSTRAINT repo_sync_state_code_host_fk REFERENCES code_hosts (id),
    enqueued_at     timestamptz NOT NULL DEFAULT now(),
    last_synced_at  timestamptz,
    last_attempt_at timestamptz,
    failures        integer     NOT NULL DEFAULT 0,
    last_error      text,
    not_found_since timestamptz,
    not_found_count integer     NOT NULL DEFAULT 0,
    change_markers  jsonb       NOT NULL DEFAULT '{}'::jsonb,
    listed_until    timestamptz,
    listing_state   text,
    imported        bigint      NOT NULL DEFAULT 0,
    lease_holder    text,
    claim_token     bigint,
    claimed_at      timestamptz,
    lease_until     timestamptz,
    next_sync_at    timestamptz,
    CONSTRAINT repo_sync_state_failures_not_negative CHECK (failures >= 0),
    CONSTRAINT repo_sync_state_not_found_count_not_negative CHECK (not_found_count >= 0),
    CONSTRAINT repo_sync_state_not_found_since_iff_counted CHECK ((not_found_count = 0) = (not_found_since IS NULL)),
    CONSTRAINT repo_sync_state_change_markers_is_object CHECK (jsonb_typeof(change_markers) = 'object'),
    CONSTRAINT repo_sync_state_listing_state_is_open_or_all CHECK (listing_state IN ('open', 'all')),
    CONSTRAINT repo_sync_state_lease_complete
        CHECK (num_nulls(lease_holder, claim_token, claimed_at, lease_until) IN (0, 4))
) WITH (fillfactor = 80);

COMMENT ON TABLE repo_sync_state IS 'The repository sync queue: one row per repository, claimed by the same workers and from the same per-host budget as changesets (claim_changesets with max_repos). next_sync_at is computed by trigger; never write it directly.';
COMMENT ON COLUMN repo_sync_state.code_host_id IS 'Copied from the repository so that claims need no join.';
COMMENT ON COLUMN repo_sync_state.last_synced_at IS 'When the last sync that found the repository started (its claim time); a 404 does not count.';
COMMENT ON COLUMN repo_sync_state.last_attempt_at IS 'When the last attempt started, answered or not. The next sync counts from here.';
COMMENT ON COLUMN repo_sync_state.failures IS 'Consecutive failed attempts (network, 5xx, 401/403, unreadable answers); reset by an answer. Drives the exponential backoff. A failure never marks the repository deleted.';
COMMENT ON COLUMN repo_sync_state.not_found_since IS 'First 404 of the current run of 404s: the repository is not visible to our token (deleted, or access lost). It is marked deleted after repo_not_found_answers() 404s spanning repo_not_found_period().';
COMMENT ON COLUMN repo_sync_state.not_found_count IS 'Consecutive 404s; reset by any other answer.';
COMMENT ON COLUMN repo_sync_state.change_markers IS 'What the last reads saw, by resource: the ETag of the repository and of the first listing page (sent back as If-None-Match), or a digest of our own where the host gives none.';
COMMENT ON COLUMN repo_sync_state.listed_until IS 'High-water mark of the pull request listing: the newest updated_at it has seen. The next listing reads pages (newest first) until it reaches it.';
COMMENT ON COLUMN repo_sync_state.listing_state IS 'The track_changesets value (open or all) listed_until belongs to; a listing of another state starts again from the newest.';
COMMENT ON COLUMN repo_sync_state.imported IS 'Changesets the listings of this repository have imported, all told.';
COMMENT ON COLUMN repo_sync_state.claim_token IS 'Fencing token of the current claim (from the same sequence as changeset claims); null when not leased.';
COMMENT ON COLUMN repo_sync_state.next_sync_at IS 'When the repository is due, by repo_next_sync_at(). Maintained by trigger.';

-- The claim: per code host, unleased repositories by due time.
CREATE INDEX repo_sync_state_claim_idx ON repo_sync_state (code_host_id, next_sync_at) WHERE claim_token IS NULL;
-- Lease sweep and in-flight counts: only leased rows.
CREATE INDEX repo_sync_state_leased_idx ON repo_sync_state (code_host_id, lease_until) WHERE claim_token IS NOT NULL;
-- Failing and not visible counts per host: rare rows.
CREATE INDEX repo_sync_state_troubled_idx ON repo_sync_state (code_host_id) WHERE failures > 0 OR not_found_count > 0;

-- Repositories that exist already are due at once (never read): next_sync_at is their enqueued_at,
-- as repo_next_sync_at() would compute it (the trigger that computes it is created later).
INSERT INTO repo_sync_state (repo_id, code_host_id, enqueued_at, next_sync_at)
SELECT id, code_host_id, now(), now() FROM repos;

--changeset changeset-syncer:008-bulk-requests
--comment: Sync requests of priority 0, "bulk": made by archived flips and imports (or by hand for mass re-syncs),
--  claimed alongside routine syncs (never more than half of a host's claims while routine syncs are due) and
--  after every requested one. In changeset_sync_state, priority 0 with a requested_at is a bulk request.
ALTER TABLE sync_requests
    DROP CONSTRAINT sync_requests_priority_is_1_or_2,
    ADD CONSTRAINT sync_requests_priority_between_0_and_2 CHECK (priority BETWEEN 0 AND 2);
COMMENT ON COLUMN sync_requests.priority IS '0 bulk (archived flips, imports, mass re-syncs: at most half of a host''s claims while routine syncs are due), 1 requested (default), 2 urgent. Requested and urgent go before everything else.';

ALTER TABLE changeset_sync_state
    DROP CONSTRAINT changeset_sync_state_priority_iff_requested,
    ADD CONSTRAINT changeset_sync_state_priority_needs_a_request CHECK (priority = 0 OR requested_at IS NOT NULL);
COMMENT ON COLUMN changeset_sync_state.priority IS 'Highest priority of the pending requests (0 bulk, 1 requested, 2 urgent); 0 when none is pending (requested_at null: routine).';

-- Pending requests made by archived flips were urgent (2); they are bulk now.
UPDATE sync_requests
   SET priority = 0
 WHERE served_at IS NULL
   AND priority = 2
   AND requested_by LIKE '%(trigger repos_request_sync_on_archived_flip)';
-- Which of a host's two fair lanes goes first in its next claim: bulk requests or routine syncs. The claim
-- alternates them, across claims too, so that a claim of one row (a short budget) does not always go to
-- the same lane.
ALTER TABLE code_host_budgets ADD COLUMN bulk_next boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN code_host_budgets.bulk_next IS 'Whether the host''s next claim begins its alternation of routine and bulk changesets with a bulk one (the last one claimed was routine). Kept for hosts with a budget or a concurrency cap, whose claims lock this row; others begin with routine.';

UPDATE changeset_sync_state s
   SET priority = p.priority
  FROM (SELECT q.changeset_id, max(q.priority) AS priority
          FROM sync_requests q
         WHERE q.served_at IS NULL
         GROUP BY q.changeset_id) p
 WHERE s.changeset_id = p.changeset_id
   AND s.requested_at IS NOT NULL
   AND s.priority <> p.priority;
