--liquibase formatted sql

--changeset changeset-syncer:011-admin-audit
--comment: What operators did on the admin page: every action, with who, on what, and what came of it.
CREATE TABLE admin_audit (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    who     text        NOT NULL,
    action  text        NOT NULL,
    target  text        NOT NULL,
    details text,
    at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT admin_audit_who_not_blank CHECK (btrim(who) <> ''),
    CONSTRAINT admin_audit_who_at_most_200_characters CHECK (length(who) <= 200),
    CONSTRAINT admin_audit_action_is_known
        CHECK (action IN ('sync-now', 'sync-repository', 'pause', 'resume', 'rate-limit', 'login')),
    CONSTRAINT admin_audit_target_at_most_500_characters CHECK (length(target) <= 500),
    CONSTRAINT admin_audit_details_at_most_2000_characters CHECK (length(details) <= 2000)
);
COMMENT ON TABLE admin_audit IS 'Every action taken on the admin page (sync now, sync a repository, pause, resume, rate limit) and every log-in: who, what, on what, the outcome, and when (the database''s now()). Insert-only.';
COMMENT ON COLUMN admin_audit.who IS 'The operator: SYNCER_ADMIN_USER, or the name given at a token log-in ("bearer token" for an Authorization header).';
COMMENT ON COLUMN admin_audit.action IS 'sync-now, sync-repository, pause, resume, rate-limit or login.';
COMMENT ON COLUMN admin_audit.target IS 'What the action was on: changeset 42, repository acme/api on github.com, code host github.com.';
COMMENT ON COLUMN admin_audit.details IS 'The outcome as shown to the operator: the request made, the pause''s end, the old and new limit, or why it was refused.';

CREATE INDEX admin_audit_at_idx ON admin_audit (at);

--changeset changeset-syncer:011-last-attempt-index
--comment: The admin page's syncs per minute per host: one index range of the last minute's attempts.
CREATE INDEX changeset_sync_state_last_attempt_idx ON changeset_sync_state (code_host_id, last_attempt_at);
