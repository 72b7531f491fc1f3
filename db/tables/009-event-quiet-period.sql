--liquibase formatted sql

--changeset changeset-syncer:009-code-hosts-event-quiet-period
--comment: An optional quiet period after an event, per host, for hosts whose events come in bursts. The default, zero,
--  is the rule as designed: a change after the last sync is synced min_sync_delay after that sync (at once if that
--  has passed). Bounded: whatever it is, a changeset is never synced later than its last sync plus its cadence's cap.
ALTER TABLE code_hosts
    ADD COLUMN event_quiet_period interval NOT NULL DEFAULT interval '0',
    ADD CONSTRAINT code_hosts_event_quiet_period_between_0_and_a_day
        CHECK (event_quiet_period BETWEEN interval '0' AND interval '1 day');
COMMENT ON COLUMN code_hosts.event_quiet_period IS 'Quiet period after a change seen after the last sync (default 0): the next sync waits until the change is this old, at least min_sync_delay after the last sync, at most the cadence''s cap after it. Within [0, 1 day].';

--changeset changeset-syncer:009-deleted-repos-changesets-gone
--comment: A sync served on request used to clear gone_at of a changeset whose repository is deleted (repos.deleted_at),
--  so its routine syncs resumed. Such changesets are gone again, as the repository's deletion says.
UPDATE changeset_sync_state s
   SET gone_at = r.deleted_at
  FROM changesets c
  JOIN repos r ON r.id = c.repo_id
 WHERE c.id = s.changeset_id
   AND r.deleted_at IS NOT NULL
   AND s.gone_at IS NULL;

--changeset changeset-syncer:009-code-hosts-min-sync-delay-comment
--comment: min_sync_delay is no longer a quiet period after a change (event_quiet_period is).
COMMENT ON COLUMN code_hosts.min_sync_delay IS 'Shortest wait between syncs of one changeset: a change after the last sync is synced this long after that sync (at once if that has passed).';

--changeset changeset-syncer:009-code-hosts-new-defaults
--comment: Defaults chosen with the freshness simulation (docs/freshness.md): open changesets at least every 5 hours (was 8),
--  finished ones at least every 7 days (was 24 hours). New hosts get them; existing hosts keep their settings (an
--  operator adopts them with one UPDATE, docs/freshness.md): a default cannot tell a deliberate 8 hours from an
--  untouched one, and a shorter open cap costs more API calls on a host whose budget was sized for the old one.
ALTER TABLE code_hosts
    ALTER COLUMN max_sync_delay SET DEFAULT interval '5 hours',
    ALTER COLUMN finished_max_delay SET DEFAULT interval '7 days';
COMMENT ON COLUMN code_hosts.max_sync_delay IS 'Longest wait between syncs of an open changeset (default 5 hours, from the freshness simulation: docs/freshness.md).';
COMMENT ON COLUMN code_hosts.finished_max_delay IS 'Longest wait for merged, closed and read-only changesets (default 7 days: they are most changesets and see few changes; a webhook or a sync request brings a late change in at once).';
