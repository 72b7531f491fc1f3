--liquibase formatted sql

--changeset changeset-syncer:views-repos runOnChange:true splitStatements:false
--comment: The repositories' syncs, for DBAs: visible or not, tracked or not, when read and when next.

DROP VIEW IF EXISTS repo_sync_schedule;

CREATE VIEW repo_sync_schedule AS
SELECT r.id                                   AS repo_id,
       r.name                                 AS repo_name,
       r.external_id,
       r.code_host_id,
       h.name                                 AS code_host_name,
       h.kind                                 AS code_host_kind,
       r.track_changesets,
       r.archived,
       r.deleted_at,
       CASE WHEN r.deleted_at IS NOT NULL THEN 'deleted'
            WHEN s.not_found_count > 0 THEN format('not visible: %s answers 404 since %s', s.not_found_count,
                                                   s.not_found_since)
            WHEN s.last_synced_at IS NULL THEN 'not read yet'
            ELSE 'visible' END                AS visibility,
       s.not_found_since,
       s.not_found_count,
       s.last_synced_at,
       s.last_attempt_at,
       s.next_sync_at,
       s.next_sync_at <= now()                AS due,
       s.failures,
       s.last_error,
       s.listed_until,
       s.imported,
       s.lease_holder,
       s.lease_until
  FROM repos r
  JOIN repo_sync_state s ON s.repo_id = r.id
  JOIN code_hosts h ON h.id = r.code_host_id;

COMMENT ON VIEW repo_sync_schedule IS
'One row per repository: whether the host still shows it (visibility: visible, not visible (answering 404, not yet '
'long enough to be marked deleted), deleted, not read yet), whether its pull requests are tracked, when it was last '
'read and is next due, failures, the listing''s high-water mark and how many changesets it imported.';
COMMENT ON COLUMN repo_sync_schedule.visibility IS
'visible; "not visible: N answers 404 since T" (deleted, or our token lost access: marked deleted after '
'repo_not_found_answers() 404s over repo_not_found_period()); deleted; not read yet.';
