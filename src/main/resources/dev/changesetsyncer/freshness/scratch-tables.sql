-- The freshness simulation's scratch tables (changeset-syncer simulate). They live in their own schema of
-- the simulation's own database, beside the project's migrated schema whose rule functions they feed, and
-- are recreated by every run. Unlogged: nothing here needs to survive a crash.
DROP SCHEMA IF EXISTS freshness CASCADE;
CREATE SCHEMA freshness;
COMMENT ON SCHEMA freshness IS 'Scratch tables of the freshness simulation (changeset-syncer simulate); recreated by every run.';

CREATE UNLOGGED TABLE freshness.changesets (
    id         bigint           PRIMARY KEY,
    class      text             NOT NULL CHECK (class IN ('finished', 'open_idle', 'active')),
    has_ci     boolean          NOT NULL,
    phase      double precision NOT NULL CHECK (phase >= 0 AND phase < 1),
    updated_at timestamptz      NOT NULL
);
COMMENT ON TABLE freshness.changesets IS 'The simulated changesets, as they are on the host and in the mirror at the start of the run.';
COMMENT ON COLUMN freshness.changesets.phase IS 'Uniform in [0, 1): where the last sync before the start falls within the wait the rule gives (and every_2_min''s offset).';
COMMENT ON COLUMN freshness.changesets.updated_at IS 'The host''s updated_at at the start: when it last changed.';

CREATE UNLOGGED TABLE freshness.changes (
    changeset_id         bigint           NOT NULL,
    at                   timestamptz      NOT NULL,
    kind                 text             NOT NULL CHECK (kind IN ('push', 'check', 'review', 'comment', 'merge')),
    moves_updated_at     boolean          NOT NULL,
    found_as_event       boolean          NOT NULL,
    webhook_draw         double precision NOT NULL CHECK (webhook_draw >= 0 AND webhook_draw < 1),
    checks_pending_until timestamptz
);
COMMENT ON TABLE freshness.changes IS 'Every change on the host during the run. Staleness is measured for each.';
COMMENT ON COLUMN freshness.changes.moves_updated_at IS 'The pull request''s updated_at (and so its ETag) moves: everything but a check run.';
COMMENT ON COLUMN freshness.changes.found_as_event IS 'A sync records it as an event (reviews, check runs, the merge), which moves latest_event_at.';
COMMENT ON COLUMN freshness.changes.webhook_draw IS 'Uniform in [0, 1): the change also arrives as a webhook when below the run''s webhook share.';
COMMENT ON COLUMN freshness.changes.checks_pending_until IS 'For a push with CI: its checks run until then (their last completion, or the next push).';

CREATE UNLOGGED TABLE freshness.attempts (
    changeset_id     bigint      NOT NULL,
    at               timestamptz NOT NULL,
    ok               boolean     NOT NULL,
    prev_synced_at   timestamptz,
    covered          boolean     NOT NULL,
    pull_changed     boolean     NOT NULL,
    reviewed         boolean     NOT NULL,
    pushed           boolean     NOT NULL,
    checks_changed   boolean     NOT NULL,
    checks_unsettled boolean     NOT NULL,
    repeats          integer     NOT NULL CHECK (repeats >= 1),
    token_renewals   integer     NOT NULL CHECK (token_renewals BETWEEN 0 AND repeats)
);
COMMENT ON TABLE freshness.attempts IS 'The sync attempts of one strategy at one webhook share (emptied before each), with what each found: enough to count its API calls.';
COMMENT ON COLUMN freshness.attempts.prev_synced_at IS 'The last successful sync before this attempt: the changes in (prev_synced_at, at] are what a successful attempt brings in.';
COMMENT ON COLUMN freshness.attempts.covered IS 'Successful, and there were changes since the last sync.';
COMMENT ON COLUMN freshness.attempts.checks_unsettled IS 'The mirror''s check state before this sync was none or pending: the client fetches the checks.';
COMMENT ON COLUMN freshness.attempts.repeats IS 'How many identical syncs this row stands for (every_2_min''s quiet stretches, in closed form); 1 otherwise.';
COMMENT ON COLUMN freshness.attempts.token_renewals IS 'Of those, how many fall in another token hour than the sync before: with hourly app tokens their ETags are void.';

CREATE UNLOGGED TABLE freshness.attempts_without_webhooks (LIKE freshness.attempts INCLUDING ALL);
COMMENT ON TABLE freshness.attempts_without_webhooks IS 'One rule strategy''s attempts with no webhooks at all. A changeset with no webhook at some share has exactly these attempts at that share too, so only the others are replayed again.';
