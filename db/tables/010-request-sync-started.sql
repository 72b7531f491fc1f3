--liquibase formatted sql

--changeset changeset-syncer:010-sync-requests-sync-started-at
--comment: When the sync that served a request started (its claim), so that SQL can report request -> sync-start latency.
ALTER TABLE sync_requests
    ADD COLUMN sync_started_at timestamptz,
    ADD CONSTRAINT sync_requests_sync_started_only_when_served CHECK (sync_started_at IS NULL OR served_at IS NOT NULL),
    ADD CONSTRAINT sync_requests_sync_started_not_before_request CHECK (sync_started_at >= requested_at);
COMMENT ON COLUMN sync_requests.sync_started_at IS 'When the sync that served this request was claimed (database time), set with served_at; sync_started_at - requested_at is the request''s wait for its sync to start (docs/operations.md has the percentiles). Null while pending, and for requests served before this column existed.';
