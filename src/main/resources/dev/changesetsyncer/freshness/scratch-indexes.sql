-- After loading: the replay looks up a changeset's changes in time order.
CREATE INDEX changes_timeline_idx ON freshness.changes (changeset_id, at);
ANALYZE freshness.changesets;
ANALYZE freshness.changes;
