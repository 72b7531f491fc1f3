--liquibase formatted sql

--changeset changeset-syncer:003-repos-archived-changed-at
--comment: When repos.archived last changed, so that a sync that fetched before the change cannot flip it back.
ALTER TABLE repos ADD COLUMN archived_changed_at timestamptz;
COMMENT ON COLUMN repos.archived_changed_at IS 'When archived last changed (set by trigger). A sync reports the flag only if it started later.';
