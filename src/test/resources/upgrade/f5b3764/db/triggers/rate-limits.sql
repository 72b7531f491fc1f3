--liquibase formatted sql

--changeset changeset-syncer:triggers-rate-limits runOnChange:true splitStatements:false
--comment: New code hosts get their kind's default budget and a full bucket.

CREATE OR REPLACE FUNCTION trg_code_hosts_default_budget()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.requests_per_hour := coalesce(NEW.requests_per_hour, code_host_default_requests_per_hour(NEW.kind));
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION trg_code_hosts_default_budget() IS
'Fills requests_per_hour with the kind''s default when an INSERT leaves it out (set it to null afterwards for no budget).';

CREATE OR REPLACE TRIGGER code_hosts_default_budget
    BEFORE INSERT ON code_hosts
    FOR EACH ROW EXECUTE FUNCTION trg_code_hosts_default_budget();

COMMENT ON TRIGGER code_hosts_default_budget ON code_hosts IS 'Default request budget by kind for new code hosts.';


CREATE OR REPLACE FUNCTION trg_code_hosts_create_budget()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO code_host_budgets (code_host_id, tokens)
    SELECT n.id, coalesce(code_host_burst(n.requests_per_hour, n.request_burst), 0)
      FROM new_hosts n;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION trg_code_hosts_create_budget() IS 'Creates the budget row, with a full bucket, of each new code host.';

CREATE OR REPLACE TRIGGER code_hosts_create_budget
    AFTER INSERT ON code_hosts
    REFERENCING NEW TABLE AS new_hosts
    FOR EACH STATEMENT EXECUTE FUNCTION trg_code_hosts_create_budget();

COMMENT ON TRIGGER code_hosts_create_budget ON code_hosts IS 'Every code host has a code_host_budgets row.';


-- A host that gets a budget where it had none starts with a full bucket (rather than one filled
-- since the host was created, or an empty one).
CREATE OR REPLACE FUNCTION trg_code_hosts_fill_new_budget()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE code_host_budgets
       SET tokens = code_host_burst(NEW.requests_per_hour, NEW.request_burst), refilled_at = now()
     WHERE code_host_id = NEW.id;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION trg_code_hosts_fill_new_budget() IS 'Fills the bucket of a host that had no budget and now has one.';

CREATE OR REPLACE TRIGGER code_hosts_fill_new_budget
    AFTER UPDATE OF requests_per_hour ON code_hosts
    FOR EACH ROW
    WHEN (OLD.requests_per_hour IS NULL AND NEW.requests_per_hour IS NOT NULL)
    EXECUTE FUNCTION trg_code_hosts_fill_new_budget();

COMMENT ON TRIGGER code_hosts_fill_new_budget ON code_hosts IS 'A new budget starts full.';
