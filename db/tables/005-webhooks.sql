--liquibase formatted sql

--changeset changeset-syncer:005-webhook-deliveries
--comment: Webhook deliveries that were stored, so that a redelivery is stored once.
CREATE TABLE webhook_deliveries (
    code_host_id bigint      NOT NULL
                             CONSTRAINT webhook_deliveries_code_host_fk REFERENCES code_hosts (id) ON DELETE CASCADE,
    delivery_key text        NOT NULL,
    event        text        NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    changesets   integer     NOT NULL DEFAULT 0,
    repo_id      bigint
                             CONSTRAINT webhook_deliveries_repo_fk REFERENCES repos (id) ON DELETE SET NULL,
    CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (code_host_id, delivery_key),
    CONSTRAINT webhook_deliveries_delivery_key_not_blank CHECK (btrim(delivery_key) <> ''),
    CONSTRAINT webhook_deliveries_delivery_key_at_most_200_characters CHECK (length(delivery_key) <= 200),
    CONSTRAINT webhook_deliveries_event_not_blank CHECK (btrim(event) <> ''),
    CONSTRAINT webhook_deliveries_changesets_not_negative CHECK (changesets >= 0)
);
COMMENT ON TABLE webhook_deliveries IS 'Webhook deliveries that were stored (written by record_webhook_delivery()): a redelivery of the same delivery_key is answered as a duplicate and stored once. Rows older than webhook_delivery_retention() are pruned by later deliveries.';
COMMENT ON COLUMN webhook_deliveries.delivery_key IS 'The host''s delivery id: GitHub X-GitHub-Delivery; GitLab Idempotency-Key, else X-Gitlab-Event-UUID; Bitbucket X-Request-Id; "sha256:<hex of the body>" when the host sent none.';
COMMENT ON COLUMN webhook_deliveries.event IS 'What was delivered, e.g. pull_request.opened, merge_request.update, pr:opened, repository.archived.';
COMMENT ON COLUMN webhook_deliveries.changesets IS 'Changesets the delivery was about (each got a changeset_events row).';
COMMENT ON COLUMN webhook_deliveries.repo_id IS 'The repository a repository event (archived, renamed, deleted) was about; null for changeset events.';

-- Pruning: the oldest first.
CREATE INDEX webhook_deliveries_received_idx ON webhook_deliveries (received_at);

--changeset changeset-syncer:005-changesets-by-head-sha
--comment: Webhooks that name a commit rather than a pull request (GitHub status and check events, pipelines) find their changesets by head commit.
CREATE INDEX changesets_head_sha_idx ON changesets (repo_id, head_sha) WHERE head_sha IS NOT NULL;

--changeset changeset-syncer:005-repos-by-name
--comment: Webhooks find a repository by the host's id first, else by its name (case-insensitive, as the hosts treat names).
CREATE INDEX repos_name_idx ON repos (code_host_id, lower(name));
