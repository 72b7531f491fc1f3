--liquibase formatted sql

--changeset changeset-syncer:001-types
--comment: Vocabularies shared by the tables below.
CREATE TYPE code_host_kind AS ENUM ('github', 'gitlab', 'bitbucket_server', 'simulated');
CREATE TYPE changeset_state AS ENUM ('open', 'draft', 'closed', 'merged', 'read_only');
CREATE TYPE review_state AS ENUM ('none', 'pending', 'approved', 'changes_requested');
CREATE TYPE check_state AS ENUM ('none', 'pending', 'passed', 'failed');
CREATE TYPE changeset_event_source AS ENUM ('webhook', 'sync');
CREATE TYPE sync_cadence AS ENUM ('active', 'checks_pending', 'finished');

COMMENT ON TYPE changeset_state IS 'Normalised state of a changeset; read_only means its repository is archived.';
COMMENT ON TYPE sync_cadence IS 'Which delay cap applies to a changeset: active (max_sync_delay), checks_pending (checks_pending_max_delay), finished (finished_max_delay). Derived by changeset_cadence(state, check_state).';

--changeset changeset-syncer:001-code-hosts
CREATE TABLE code_hosts (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                     text           NOT NULL,
    kind                     code_host_kind NOT NULL,
    base_url                 text           NOT NULL,
    min_sync_delay           interval       NOT NULL DEFAULT interval '2 minutes',
    max_sync_delay           interval       NOT NULL DEFAULT interval '8 hours',
    checks_pending_max_delay interval       NOT NULL DEFAULT interval '5 minutes',
    finished_max_delay       interval       NOT NULL DEFAULT interval '24 hours',
    created_at               timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT code_hosts_name_unique UNIQUE (name),
    CONSTRAINT code_hosts_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT code_hosts_base_url_is_http CHECK (base_url ~ '^https?://[^/]+'),
    CONSTRAINT code_hosts_min_sync_delay_positive CHECK (min_sync_delay > interval '0'),
    CONSTRAINT code_hosts_min_sync_delay_at_most_max CHECK (min_sync_delay <= max_sync_delay),
    CONSTRAINT code_hosts_max_sync_delay_at_most_a_year CHECK (max_sync_delay <= interval '365 days'),
    -- (min > max is reported by its own constraint, not by this one too)
    CONSTRAINT code_hosts_checks_pending_max_delay_between_min_and_max
        CHECK (min_sync_delay > max_sync_delay
               OR checks_pending_max_delay BETWEEN min_sync_delay AND max_sync_delay),
    CONSTRAINT code_hosts_finished_max_delay_between_min_and_a_year
        CHECK (finished_max_delay BETWEEN min_sync_delay AND interval '365 days')
);
COMMENT ON TABLE code_hosts IS 'A code host (GitHub, GitLab, Bitbucket Server or the simulator) and its schedule settings. Credentials are not stored here: they come from the worker''s configuration.';
COMMENT ON COLUMN code_hosts.min_sync_delay IS 'Shortest wait between syncs of one changeset, and the quiet period after a change.';
COMMENT ON COLUMN code_hosts.max_sync_delay IS 'Longest wait between syncs of an open changeset.';
COMMENT ON COLUMN code_hosts.checks_pending_max_delay IS 'Longest wait while a changeset''s checks are still running (CI results do not bump updated_at).';
COMMENT ON COLUMN code_hosts.finished_max_delay IS 'Longest wait for merged, closed and read-only changesets.';

--changeset changeset-syncer:001-repos
CREATE TABLE repos (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code_host_id bigint      NOT NULL CONSTRAINT repos_code_host_fk REFERENCES code_hosts (id),
    external_id  text        NOT NULL,
    name         text        NOT NULL,
    archived     boolean     NOT NULL DEFAULT false,
    deleted_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT repos_external_id_unique UNIQUE (code_host_id, external_id),
    CONSTRAINT repos_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT repos_external_id_not_blank CHECK (btrim(external_id) <> '')
);
COMMENT ON TABLE repos IS 'A repository on a code host. Flipping archived requests a sync of all its changesets; setting deleted_at stops their routine syncs.';

--changeset changeset-syncer:001-changesets
CREATE TABLE changesets (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repo_id             bigint      NOT NULL CONSTRAINT changesets_repo_fk REFERENCES repos (id) ON DELETE CASCADE,
    external_id         text        NOT NULL,
    state               changeset_state,
    title               text,
    author              text,
    url                 text,
    head_ref            text,
    base_ref            text,
    head_sha            text,
    review_state        review_state,
    check_state         check_state,
    external_updated_at timestamptz,
    etags               jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT changesets_external_id_unique UNIQUE (repo_id, external_id),
    CONSTRAINT changesets_external_id_not_blank CHECK (btrim(external_id) <> ''),
    CONSTRAINT changesets_etags_is_object CHECK (jsonb_typeof(etags) = 'object')
);
COMMENT ON TABLE changesets IS 'A pull/merge request and the metadata fetched by its last sync. Metadata columns are null until the first successful sync.';
COMMENT ON COLUMN changesets.external_id IS 'The host''s identifier within the repository, e.g. the pull request number.';
COMMENT ON COLUMN changesets.external_updated_at IS 'The host''s updated_at as last seen. The schedule uses changeset_sync_state.synced_updated_at instead.';
COMMENT ON COLUMN changesets.etags IS 'ETag of each fetched resource (e.g. {"pull": "W/\"abc\""}), sent back as If-None-Match.';

--changeset changeset-syncer:001-sync-state
CREATE SEQUENCE sync_claim_tokens AS bigint CACHE 100;
COMMENT ON SEQUENCE sync_claim_tokens IS 'Claim tokens: each claim of a changeset takes a fresh one; write-backs are fenced by it.';

CREATE TABLE changeset_sync_state (
    changeset_id      bigint       PRIMARY KEY
                                   CONSTRAINT changeset_sync_state_changeset_fk REFERENCES changesets (id) ON DELETE CASCADE,
    code_host_id      bigint       NOT NULL CONSTRAINT changeset_sync_state_code_host_fk REFERENCES code_hosts (id),
    cadence           sync_cadence NOT NULL DEFAULT 'active',
    enqueued_at       timestamptz  NOT NULL DEFAULT now(),
    last_synced_at    timestamptz,
    last_attempt_at   timestamptz,
    synced_updated_at timestamptz,
    latest_event_at   timestamptz,
    failures          integer      NOT NULL DEFAULT 0,
    last_error        text,
    gone_at           timestamptz,
    priority          smallint     NOT NULL DEFAULT 0,
    requested_at      timestamptz,
    lease_holder      text,
    claim_token       bigint,
    claimed_at        timestamptz,
    lease_until       timestamptz,
    next_sync_at      timestamptz,
    claim_at          timestamptz,
    CONSTRAINT changeset_sync_state_failures_not_negative CHECK (failures >= 0),
    CONSTRAINT changeset_sync_state_priority_in_range CHECK (priority BETWEEN 0 AND 2),
    CONSTRAINT changeset_sync_state_priority_iff_requested CHECK ((priority = 0) = (requested_at IS NULL)),
    CONSTRAINT changeset_sync_state_lease_complete
        CHECK (num_nulls(lease_holder, claim_token, claimed_at, lease_until) IN (0, 4))
) WITH (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);

COMMENT ON TABLE changeset_sync_state IS 'The sync queue: one narrow row per changeset. next_sync_at and claim_at are computed by trigger from the input columns; never write them directly.';
COMMENT ON COLUMN changeset_sync_state.code_host_id IS 'Copied from the repository so that claims and settings need no join.';
COMMENT ON COLUMN changeset_sync_state.enqueued_at IS 'When the changeset entered the queue; a never-synced changeset is due from then.';
COMMENT ON COLUMN changeset_sync_state.last_synced_at IS 'When the last successful sync started (its claim time): changes after it may be missing from the stored snapshot.';
COMMENT ON COLUMN changeset_sync_state.last_attempt_at IS 'When the last attempt started, successful or not. Failure backoff counts from here.';
COMMENT ON COLUMN changeset_sync_state.synced_updated_at IS 'The host''s updated_at as of the last successful sync.';
COMMENT ON COLUMN changeset_sync_state.latest_event_at IS 'Newest event received (webhook or sync), never later than when it was received.';
COMMENT ON COLUMN changeset_sync_state.failures IS 'Consecutive failed attempts; reset by a successful sync. Drives the exponential retry backoff.';
COMMENT ON COLUMN changeset_sync_state.gone_at IS 'Set when the host said the changeset or its repository no longer exists: no routine syncs, requests still work.';
COMMENT ON COLUMN changeset_sync_state.priority IS '0 routine, 1 requested, 2 urgent (archived flip). Non-zero exactly while a request is pending.';
COMMENT ON COLUMN changeset_sync_state.requested_at IS 'Earliest pending sync request (see sync_requests), null when none.';
COMMENT ON COLUMN changeset_sync_state.claim_token IS 'Fencing token of the current claim; null when not leased.';
COMMENT ON COLUMN changeset_sync_state.next_sync_at IS 'When the changeset is due, by changeset_next_sync_at(); null: never (gone). Maintained by trigger.';
COMMENT ON COLUMN changeset_sync_state.claim_at IS 'Claim order key: next_sync_at, moved 1000 years earlier per priority level. Maintained by trigger.';

-- The claim: per code host, unleased rows in claim order. Priority is folded into claim_at so
-- that one index range serves both requested and routine rows.
CREATE INDEX changeset_sync_state_claim_idx
    ON changeset_sync_state (code_host_id, claim_at) WHERE claim_token IS NULL;
-- The schedule view's "due, ordered by next_sync_at".
CREATE INDEX changeset_sync_state_next_sync_idx ON changeset_sync_state (next_sync_at);
-- Lease sweep and in-flight counts: only leased rows, so it stays small.
CREATE INDEX changeset_sync_state_leased_idx
    ON changeset_sync_state (code_host_id, lease_until) WHERE claim_token IS NOT NULL;
-- Failing and gone counts per host: rare rows.
CREATE INDEX changeset_sync_state_troubled_idx
    ON changeset_sync_state (code_host_id) WHERE failures > 0 OR gone_at IS NOT NULL;

--changeset changeset-syncer:001-sync-requests
CREATE TABLE sync_requests (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    changeset_id    bigint      NOT NULL
                                CONSTRAINT sync_requests_changeset_must_exist REFERENCES changesets (id) ON DELETE CASCADE,
    reason          text        NOT NULL,
    requested_by    text        NOT NULL DEFAULT current_user,
    priority        smallint    NOT NULL DEFAULT 1,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    served_at       timestamptz,
    served_by_claim bigint,
    served_by       text,
    CONSTRAINT sync_requests_reason_not_blank CHECK (btrim(reason) <> ''),
    CONSTRAINT sync_requests_priority_is_1_or_2 CHECK (priority IN (1, 2)),
    CONSTRAINT sync_requests_requested_at_not_in_future CHECK (requested_at <= now()),
    CONSTRAINT sync_requests_served_completely CHECK (num_nulls(served_at, served_by_claim, served_by) IN (0, 3))
);
COMMENT ON TABLE sync_requests IS 'Ask for an immediate sync with a plain INSERT (changeset_id, reason). Rows stay as a record: served_at and served_by_claim say which sync served them.';
COMMENT ON COLUMN sync_requests.priority IS '1 requested (default), 2 urgent. Both go before routine syncs.';
COMMENT ON COLUMN sync_requests.served_by_claim IS 'claim_token of the sync that served this request.';

CREATE INDEX sync_requests_pending_idx ON sync_requests (changeset_id, requested_at) WHERE served_at IS NULL;
CREATE INDEX sync_requests_changeset_idx ON sync_requests (changeset_id);

--changeset changeset-syncer:001-changeset-events
CREATE TABLE changeset_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    changeset_id bigint                 NOT NULL
                                        CONSTRAINT changeset_events_changeset_fk REFERENCES changesets (id) ON DELETE CASCADE,
    kind         text                   NOT NULL,
    source       changeset_event_source NOT NULL,
    occurred_at  timestamptz            NOT NULL,
    received_at  timestamptz            NOT NULL DEFAULT now(),
    dedupe_key   text,
    payload      jsonb                  NOT NULL DEFAULT '{}'::jsonb,
    CONSTRAINT changeset_events_kind_not_blank CHECK (btrim(kind) <> ''),
    CONSTRAINT changeset_events_dedupe_key_unique UNIQUE (changeset_id, dedupe_key)
);
COMMENT ON TABLE changeset_events IS 'What happened to a changeset (reviews, state changes, check results), from webhooks or found by a sync. Inserting one moves changeset_sync_state.latest_event_at.';
COMMENT ON COLUMN changeset_events.dedupe_key IS 'Stable id of the host''s item; an event already recorded under the same key is a duplicate.';

CREATE INDEX changeset_events_timeline_idx ON changeset_events (changeset_id, occurred_at);
