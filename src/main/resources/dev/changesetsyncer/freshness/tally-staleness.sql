-- Staleness: for every change on the host during the run, the time until the sync that brought it into the
-- mirror started, per changeset class (class NULL: all).
WITH stale AS (
    SELECT ch.changeset_id, extract(epoch FROM a.at - ch.at)::double precision AS seconds
      FROM freshness.attempts a
      JOIN freshness.changes ch ON ch.changeset_id = a.changeset_id AND ch.at > a.prev_synced_at AND ch.at <= a.at
     WHERE a.covered
)
SELECT c.class,
       count(s.seconds) AS synced,
       percentile_disc(0.50) WITHIN GROUP (ORDER BY s.seconds) AS p50,
       percentile_disc(0.95) WITHIN GROUP (ORDER BY s.seconds) AS p95,
       percentile_disc(0.99) WITHIN GROUP (ORDER BY s.seconds) AS p99,
       max(s.seconds) AS max
  FROM stale s
  JOIN freshness.changesets c ON c.id = s.changeset_id
 GROUP BY ROLLUP (c.class);
