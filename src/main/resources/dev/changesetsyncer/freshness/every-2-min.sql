-- every_2_min, in closed form: each changeset is synced every 2 minutes, its last sync before the start phase × 2 min
-- before it (as the replay places it), so the sync that brings in a change is the first one at or after it. Rows are written for the syncs that bring
-- in changes, and one row per quiet stretch between them (repeats = its number of identical syncs): 100,000
-- changesets make 72 million syncs a day, which no replay needs to enumerate.
INSERT INTO freshness.attempts (changeset_id, at, ok, prev_synced_at, covered, pull_changed, reviewed, pushed,
                                checks_changed, checks_unsettled, repeats, token_renewals)
WITH cs AS (
    SELECT c.id, c.has_ci, (1 - c.phase) * 120 AS offset_s,
           -- syncs k = 0 .. syncs - 1, at start + offset_s + 120 k, fall within the run
           ceil((${days} * 86400 - (1 - c.phase) * 120) / 120)::integer AS syncs
      FROM freshness.changesets c
),
windows AS (
    SELECT ch.changeset_id AS id, ceil((extract(epoch FROM ch.at - ${start}) - cs.offset_s) / 120)::integer AS k,
           bool_or(ch.moves_updated_at) AS pull_changed, bool_or(ch.kind = 'review') AS reviewed,
           bool_or(ch.kind = 'push') AS pushed, bool_or(ch.kind = 'check') AS checks_changed
      FROM freshness.changes ch
      JOIN cs ON cs.id = ch.changeset_id
     GROUP BY 1, 2
),
-- quiet stretches: before the first window with changes, between two, and after the last (or the whole run)
bounds AS (
    SELECT cs.id, cs.has_ci, cs.offset_s, cs.syncs, w.k
      FROM cs
      LEFT JOIN windows w ON w.id = cs.id
),
stretches AS (
    SELECT id, has_ci, offset_s, coalesce(lag(k) OVER (PARTITION BY id ORDER BY k), -1) + 1 AS first_k,
           least(coalesce(k, syncs), syncs) AS end_k
      FROM bounds
    UNION ALL
    SELECT id, has_ci, offset_s, max(k) + 1, min(syncs)
      FROM bounds
     WHERE k IS NOT NULL
     GROUP BY id, has_ci, offset_s
),
syncs AS (
    SELECT w.id, ${start} + make_interval(secs => cs.offset_s + 120 * w.k) AS at, 1 AS repeats, true AS covered,
           w.pull_changed, w.reviewed, w.pushed, w.checks_changed, cs.has_ci
      FROM windows w
      JOIN cs ON cs.id = w.id
    UNION ALL
    SELECT s.id, ${start} + make_interval(secs => s.offset_s + 120 * s.first_k), s.end_k - s.first_k, false,
           false, false, false, false, s.has_ci
      FROM stretches s
     WHERE s.end_k > s.first_k
)
SELECT s.id, s.at, true, s.at - interval '2 minutes', s.covered, s.pull_changed, s.reviewed, s.pushed,
       s.checks_changed,
       -- the mirror's check state as of the sync before: running checks of the latest push then, or no CI at all
       NOT s.has_ci OR coalesce((SELECT p.checks_pending_until > s.at - interval '2 minutes'
                                   FROM freshness.changes p
                                  WHERE p.changeset_id = s.id AND p.kind = 'push'
                                    AND p.at <= s.at - interval '2 minutes'
                                  ORDER BY p.at DESC
                                  LIMIT 1), false),
       s.repeats,
       -- hours started between the sync before this row's first and its last
       (extract(epoch FROM date_bin('1 hour', s.at + (s.repeats - 1) * interval '2 minutes', ${start})
                           - date_bin('1 hour', s.at - interval '2 minutes', ${start})) / 3600)::integer
  FROM syncs s;
