-- The API calls of the attempts within the run, per changeset class (class NULL: all), counted the way the
-- GitHub client makes them (codehost/github/GitHubClient, docs/code-hosts.md):
--   the pull request, always; conditional on its ETag, so unchanged it answers 304 (free on GitHub's
--     primary limit);
--   its reviews, when the pull request changed; conditional, so without a new review a 304;
--   the check runs and the combined status of the head commit, when the head is new (both fetched outright)
--     or the mirror's checks were unsettled (none or pending: both conditional; when one changed, the other
--     is fetched again outright to combine them);
--   a failed attempt: one billable call.
-- Without conditional requests every call answers 200: the pull request and its reviews, and both checks
-- calls when the head is new or the checks unsettled. With hourly app tokens an ETag is void after the token
-- changes: a sync in another token hour than the one before costs what it costs without conditional requests.
SELECT c.class,
       sum(a.repeats) AS attempts,
       sum(a.repeats) FILTER (WHERE NOT a.ok) AS failed,
       sum(a.repeats * cost.billable) AS billable,
       sum(a.repeats * cost.conditional) AS conditional,
       sum(a.repeats * cost.unconditional) AS billable_without_conditional,
       sum(a.token_renewals * cost.unconditional + (a.repeats - a.token_renewals) * cost.billable)
           AS billable_app_token,
       sum((a.repeats - a.token_renewals) * cost.conditional) AS conditional_app_token
  FROM freshness.attempts a
  JOIN freshness.changesets c ON c.id = a.changeset_id
 CROSS JOIN LATERAL (
       SELECT CASE WHEN NOT a.ok THEN 1
                   ELSE a.pull_changed::integer + (a.pull_changed AND a.reviewed)::integer
                        + CASE WHEN a.pushed THEN 2 WHEN a.checks_unsettled AND a.checks_changed THEN 2 ELSE 0 END
              END AS billable,
              CASE WHEN NOT a.ok THEN 0
                   ELSE (NOT a.pull_changed)::integer + (a.pull_changed AND NOT a.reviewed)::integer
                        + CASE WHEN a.pushed THEN 0 WHEN a.checks_unsettled THEN 2 - a.checks_changed::integer ELSE 0 END
              END AS conditional,
              CASE WHEN NOT a.ok THEN 1
                   ELSE 2 + CASE WHEN a.pushed OR a.checks_unsettled THEN 2 ELSE 0 END
              END AS unconditional) cost
 WHERE a.at >= ${start} AND a.at < ${end}
 GROUP BY ROLLUP (c.class);
