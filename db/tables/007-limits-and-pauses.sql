--liquibase formatted sql

--changeset changeset-syncer:007-operator-pauses
--comment: Who paused a host: an operator (pause_code_host()) or the host itself (its rate limit). A host's own
--  pause is capped (code_host_max_pause(), one hour): pauses stored before the cap are cut down to it.
ALTER TABLE code_host_budgets
    ADD COLUMN paused_by text,
    ADD CONSTRAINT code_host_budgets_paused_until_finite CHECK (isfinite(paused_until)),
    ADD CONSTRAINT code_host_budgets_paused_by_only_while_paused CHECK (paused_by IS NULL OR paused_until IS NOT NULL);

COMMENT ON COLUMN code_host_budgets.paused_by IS 'The log-in role (session_user) of the operator who paused the host (pause_code_host()); null when the host paused itself (its rate limit) or is not paused.';
COMMENT ON COLUMN code_host_budgets.paused_until IS 'No claims for this host before then: the host said so (429, Retry-After, or its quota is spent until its reset; at most code_host_max_pause() ahead), or an operator paused it (pause_code_host(); resume_code_host() ends either).';

-- Every pause so far came from a host: none may last longer than the cap (a Retry-After of 999999999
-- seconds paused a host until 2058).
UPDATE code_host_budgets
   SET paused_until = now() + interval '1 hour'
 WHERE paused_until > now() + interval '1 hour';

--changeset changeset-syncer:007-rate-limit-bounds
--comment: Rate limits within bounds that keep the claim's arithmetic in range: NaN or Infinity requests per sync, or a
--  tiny one with a huge budget, made claim_changesets() fail with "integer out of range" for every host.
-- Values outside the bounds (only reachable before them) are brought within them first.
UPDATE code_hosts
   SET requests_per_sync = CASE WHEN requests_per_sync = 'NaN'::real THEN 1
                                ELSE least(greatest(requests_per_sync, real '0.01'), real '10000') END
 WHERE NOT (requests_per_sync BETWEEN real '0.01' AND real '10000');
UPDATE code_hosts SET requests_per_hour = 100000000 WHERE requests_per_hour > 100000000;
UPDATE code_hosts SET request_burst = 10000000 WHERE request_burst > 10000000;
UPDATE code_hosts SET max_in_flight = 100000 WHERE max_in_flight > 100000;

ALTER TABLE code_hosts
    -- (NaN compares greater than every number in Postgres, so the upper bound refuses it too)
    ADD CONSTRAINT code_hosts_requests_per_sync_between_1_100th_and_10000 CHECK (requests_per_sync BETWEEN real '0.01' AND real '10000'),
    ADD CONSTRAINT code_hosts_requests_per_hour_at_most_100_million CHECK (requests_per_hour <= 100000000),
    ADD CONSTRAINT code_hosts_request_burst_at_most_10_million CHECK (request_burst <= 10000000),
    ADD CONSTRAINT code_hosts_max_in_flight_at_most_100000 CHECK (max_in_flight <= 100000);

-- What hosts report goes into the bucket: never below zero, whatever a host said.
UPDATE code_host_budgets SET tokens = 0 WHERE tokens < 0 OR tokens = 'NaN'::double precision;

--changeset changeset-syncer:007-sync-request-sizes
--comment: A request's reason and author within bounds (a 100 MB reason took 10 s to store and burdened every read
--  of the schedule view). Longer ones stored before are cut to the bound first.
UPDATE sync_requests SET reason = left(reason, 999) || '…' WHERE length(reason) > 1000;
UPDATE sync_requests SET requested_by = left(requested_by, 199) || '…' WHERE length(requested_by) > 200;
ALTER TABLE sync_requests
    ADD CONSTRAINT sync_requests_reason_at_most_1000_characters CHECK (length(reason) <= 1000),
    ADD CONSTRAINT sync_requests_requested_by_at_most_200_characters CHECK (length(requested_by) <= 200);

--changeset changeset-syncer:007-code-host-urls
--comment: A code host's token goes wherever its base_url points: only https (plain http on loopback, and for the
--  simulator, whose hosts are not contacted), and no credentials in the URL. NOT VALID: rows stored before are
--  checked when next changed (their replicas refuse to send a token to such a URL meanwhile).
ALTER TABLE code_hosts
    ADD CONSTRAINT code_hosts_base_url_http_only_on_loopback
        CHECK (base_url !~* '^http://'
               OR kind = 'simulated'
               OR base_url ~* '^http://(localhost|127(\.[0-9]{1,3}){3}|\[::1\])(:[0-9]+)?(/|$)') NOT VALID,
    ADD CONSTRAINT code_hosts_base_url_without_credentials CHECK (base_url !~ '^[a-zA-Z]+://[^/?#]*@') NOT VALID;

--changeset changeset-syncer:007-syncer-roles
--comment: The roles created by "changeset-syncer roles --create" (docs/operations.md), by prefix; each migration
--  grants them what this version needs (grant_syncer_roles()).
CREATE TABLE syncer_roles (
    prefix     text        PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text        NOT NULL DEFAULT current_user,
    CONSTRAINT syncer_roles_prefix_is_an_identifier CHECK (prefix ~ '^[a-z_][a-z0-9_]{0,40}$')
);
COMMENT ON TABLE syncer_roles IS 'Prefixes of the role sets (<prefix>migrator, <prefix>worker, <prefix>requester, <prefix>reader) created by "changeset-syncer roles --create"; every migration grants each set what this version needs (grant_syncer_roles()).';
