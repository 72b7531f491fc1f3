--liquibase formatted sql

--changeset changeset-syncer:002-rate-limit-settings
--comment: Per-host request budget and concurrency cap, enforced by the claim for all replicas.
ALTER TABLE code_hosts
    ADD COLUMN requests_per_hour integer,
    ADD COLUMN request_burst     integer,
    ADD COLUMN requests_per_sync real    NOT NULL DEFAULT 1,
    ADD COLUMN max_in_flight     integer,
    ADD CONSTRAINT code_hosts_requests_per_hour_positive CHECK (requests_per_hour > 0),
    ADD CONSTRAINT code_hosts_request_burst_positive CHECK (request_burst > 0),
    ADD CONSTRAINT code_hosts_requests_per_sync_positive CHECK (requests_per_sync > 0),
    ADD CONSTRAINT code_hosts_max_in_flight_positive CHECK (max_in_flight > 0);

COMMENT ON COLUMN code_hosts.requests_per_hour IS 'Request budget shared by all replicas (a token bucket refilled at this rate); null: no budget of ours. Defaults by kind when a host is created: github 5000, gitlab 7200, bitbucket_server 18000, simulated none.';
COMMENT ON COLUMN code_hosts.request_burst IS 'Bucket size: most requests spent at once; null: a minute''s worth of requests_per_hour (at least 1).';
COMMENT ON COLUMN code_hosts.requests_per_sync IS 'Requests a sync is expected to cost; each claimed changeset takes this many tokens.';
COMMENT ON COLUMN code_hosts.max_in_flight IS 'Most syncs of this host running at once, across all replicas; null: no cap.';

--changeset changeset-syncer:002-code-host-budgets
CREATE TABLE code_host_budgets (
    code_host_id       bigint           PRIMARY KEY
                                        CONSTRAINT code_host_budgets_code_host_fk REFERENCES code_hosts (id) ON DELETE CASCADE,
    tokens             double precision NOT NULL,
    refilled_at        timestamptz      NOT NULL DEFAULT now(),
    paused_until       timestamptz,
    pause_reason       text,
    reported_limit     bigint,
    reported_remaining bigint,
    reported_reset_at  timestamptz,
    reported_at        timestamptz
) WITH (fillfactor = 50);

COMMENT ON TABLE code_host_budgets IS 'The live token bucket and pause of each code host. Written by claims (debit) and by write-backs (what the host reported about its limits).';
COMMENT ON COLUMN code_host_budgets.tokens IS 'Tokens as of refilled_at; code_host_tokens() gives the current level.';
COMMENT ON COLUMN code_host_budgets.paused_until IS 'No claims for this host before then (the host said so: 429, Retry-After, or its quota is spent until its reset).';
COMMENT ON COLUMN code_host_budgets.reported_remaining IS 'The host''s own remaining quota, from the last response that said.';

INSERT INTO code_host_budgets (code_host_id, tokens) SELECT id, 0 FROM code_hosts;
