-- The population, per changeset class (class NULL: all): how many changesets, and how many changes of each kind.
SELECT c.class,
       count(DISTINCT c.id) AS changesets,
       count(ch.changeset_id) AS changes,
       count(ch.changeset_id) FILTER (WHERE ch.kind = 'push') AS pushes,
       count(ch.changeset_id) FILTER (WHERE ch.kind = 'check') AS check_runs,
       count(ch.changeset_id) FILTER (WHERE ch.kind = 'review') AS reviews,
       count(ch.changeset_id) FILTER (WHERE ch.kind = 'comment') AS comments,
       count(ch.changeset_id) FILTER (WHERE ch.kind = 'merge') AS merges
  FROM freshness.changesets c
  LEFT JOIN freshness.changes ch ON ch.changeset_id = c.id
 GROUP BY ROLLUP (c.class);
