--liquibase formatted sql

--changeset changeset-syncer:012-sync-attempt-tallies
--comment: Syncs per minute per host from a tally the write-backs append to, instead of an index on last_attempt_at.
--  That index (011) cost every queue-row write an index entry: +20 % WAL per sync and +10-13 % buffers
--  per claim in bench (docs/benchmarks.md); the tally costs one row per host per write-back batch.
DROP INDEX changeset_sync_state_last_attempt_idx;

-- UNLOGGED: a rate, not a record; no WAL, and after a crash it starts again from nothing.
CREATE UNLOGGED TABLE sync_attempt_tallies (
    code_host_id bigint      NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    attempts     integer     NOT NULL,
    CONSTRAINT sync_attempt_tallies_attempts_positive CHECK (attempts > 0)
);
COMMENT ON TABLE sync_attempt_tallies IS 'Sync attempts written back, per code host and write-back: one row per host per batch, appended by complete_syncs() and end_claims() (failed attempts), pruned after an hour by release_expired_leases(). Sum the last minute for syncs per minute (the admin page''s overview). Unlogged: empty again after a crash. No foreign key, so that write-backs take no lock on code_hosts; join code_hosts to leave out deleted hosts.';
COMMENT ON COLUMN sync_attempt_tallies.code_host_id IS 'The code host of the changesets (code_hosts.id).';
COMMENT ON COLUMN sync_attempt_tallies.at IS 'When the write-back ran (the database''s now(), its transaction''s start).';
COMMENT ON COLUMN sync_attempt_tallies.attempts IS 'Attempts of the host''s changesets written back in that batch: completed syncs (changed, unchanged, gone) and failed attempts, expired leases included.';

CREATE INDEX sync_attempt_tallies_at_idx ON sync_attempt_tallies (at);
