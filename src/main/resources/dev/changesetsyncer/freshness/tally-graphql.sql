-- The same attempts fetched with GitHub's GraphQL API instead: the attempts due within each 10 s are batched,
-- up to 100 pull requests per query (nodes(ids:)), each asking for its reviews (last: 100), its head commit
-- (commits(last: 1)) and that commit's checks and statuses (statusCheckRollup.contexts(first: 100)). By
-- GitHub's formula a query costs the requests its connections need (3 per pull request) divided by 100 and
-- rounded, and at least 1 point: 3 points for a full query. There is no 304 in GraphQL.
SELECT coalesce(sum(floor(n / 100) * 3
                    + CASE WHEN n % 100 > 0 THEN greatest(1, round(3 * (n % 100) / 100.0)) ELSE 0 END), 0) AS points,
       coalesce(sum(ceil(n / 100.0)), 0) AS queries
  FROM (SELECT sum(a.repeats) AS n
          FROM freshness.attempts a
         WHERE a.at >= ${start} AND a.at < ${end}
         GROUP BY date_bin('10 seconds', a.at, ${start})) buckets;
