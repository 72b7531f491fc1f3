--liquibase formatted sql

--changeset changeset-syncer:functions-roles runOnChange:true splitStatements:false
--comment: Least privilege: the roles changeset-syncer's parts run as, and exactly what each may do.
--  syncer_role_grants() is the one place that says it: a branch that adds a table, or a part that
--  writes, adds its rows there (and a role that is new adds its purpose to syncer_role_purposes()).

CREATE OR REPLACE FUNCTION syncer_role_purposes()
    RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY['migrator', 'worker', 'requester', 'reader'];

COMMENT ON FUNCTION syncer_role_purposes() IS
'The roles "changeset-syncer roles --create --prefix P" creates, each named P||purpose: migrator (owns the schema, runs '
'the migrations), worker (run, its HTTP server included; run --no-migrate), requester (asks for syncs, reads the views), '
'reader (the views only).';


CREATE OR REPLACE FUNCTION syncer_role_grants()
    RETURNS TABLE (purpose text, privileges text, on_object text, why text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    VALUES
    -- the worker: claims, write-backs, leases and pauses (the queue's functions are SECURITY INVOKER)
    ('worker', 'SELECT', 'TABLE code_hosts', 'claims and clients read the hosts and their limits'),
    ('worker', 'SELECT, UPDATE', 'TABLE code_host_budgets', 'claims debit the bucket; refusals pause the host'),
    ('worker', 'SELECT, INSERT, UPDATE', 'TABLE changeset_sync_state',
        'claims, leases, write-backs, the sweep; a changeset imported by a repository sync gets its queue row'),
    ('worker', 'SELECT, INSERT, UPDATE', 'TABLE changesets',
        'write-backs store what a sync fetched; repository syncs and webhooks import tracked pull requests'),
    ('worker', 'SELECT, UPDATE', 'TABLE repo_sync_state',
        'repository syncs: claims, leases, write-backs, the sweep (the changeset claim counts their slots)'),
    ('worker', 'SELECT, UPDATE', 'TABLE repos', 'archived flags found by syncs and by webhooks, renames, deletions'),
    ('worker', 'SELECT, INSERT, UPDATE', 'TABLE sync_requests',
        'completions mark requests served; an archived flip requests syncs (its trigger inserts as the worker)'),
    ('worker', 'SELECT, INSERT', 'TABLE changeset_events', 'events found by syncs and received by webhooks'),
    ('worker', 'SELECT, INSERT, DELETE', 'TABLE sync_attempt_tallies',
        'write-backs tally attempts per host, the sweep prunes the tally, the admin page sums the last minute'),
    ('worker', 'SELECT, INSERT, UPDATE, DELETE', 'TABLE webhook_deliveries',
        'the HTTP server stores deliveries and prunes old ones (locking them FOR UPDATE, which needs UPDATE)'),
    ('worker', 'USAGE', 'SEQUENCE sync_claim_tokens', 'each claim takes a fresh claim token'),
    ('worker', 'SELECT', 'TABLE databasechangelog', 'run --no-migrate checks the schema is this version''s'),
    ('worker', 'SELECT', 'TABLE changeset_schedule, code_host_sync_summary, repo_sync_schedule', 'the views, as everyone'),
    -- the admin page (served by the worker's HTTP server): its actions are the SQL a DBA would write
    ('worker', 'UPDATE (requests_per_hour)', 'TABLE code_hosts',
        'the admin page changes a host''s rate limit, as limits --requests-per-hour does (no other setting)'),
    ('worker', 'SELECT, INSERT', 'TABLE admin_audit', 'every admin action and log-in is recorded; the page lists the latest'),
    -- the requester: INSERT INTO sync_requests (its trigger updates the queue as the schema's owner) and the
    -- columns the request command looks repositories up by; never requested_at or served_*
    ('requester', 'INSERT (changeset_id, reason, requested_by, priority)', 'TABLE sync_requests', 'asks for syncs'),
    ('requester', 'SELECT (id, name)', 'TABLE code_hosts', 'request --code-host'),
    ('requester', 'SELECT (id, code_host_id, name)', 'TABLE repos', 'request --repo'),
    ('requester', 'SELECT (id, repo_id)', 'TABLE changesets', 'request --repo, request --code-host'),
    ('requester', 'SELECT', 'TABLE changeset_schedule, code_host_sync_summary, repo_sync_schedule', 'the views'),
    -- the reader: the views only
    ('reader', 'SELECT', 'TABLE changeset_schedule, code_host_sync_summary, repo_sync_schedule', 'the views')
$$;

COMMENT ON FUNCTION syncer_role_grants() IS
'Every privilege of the roles changeset-syncer creates, besides the migrator (which owns the schema): one row per '
'GRANT privileges ON on_object TO prefix||purpose, and why. grant_syncer_roles() applies exactly these.';


CREATE OR REPLACE FUNCTION grant_syncer_roles(prefix text)
    RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    purpose text;
    grant_  record;
BEGIN
    FOREACH purpose IN ARRAY syncer_role_purposes() LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = grant_syncer_roles.prefix || purpose) THEN
            RAISE EXCEPTION 'role % does not exist', grant_syncer_roles.prefix || purpose
                USING ERRCODE = 'undefined_object', HINT = 'changeset-syncer roles --create creates the roles.';
        END IF;
        IF purpose <> 'migrator' THEN
            -- from nothing, so that a privilege this version no longer lists is taken away
            EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', current_schema(), grant_syncer_roles.prefix || purpose);
            EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', current_schema(),
                grant_syncer_roles.prefix || purpose);
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), grant_syncer_roles.prefix || purpose);
        END IF;
    END LOOP;
    FOR grant_ IN SELECT * FROM syncer_role_grants() LOOP
        EXECUTE format('GRANT %s ON %s TO %I', grant_.privileges, grant_.on_object, grant_syncer_roles.prefix || grant_.purpose);
    END LOOP;
END
$$;

COMMENT ON FUNCTION grant_syncer_roles(text) IS
'Grants the roles prefix||purpose exactly syncer_role_grants() (after revoking what they had). Run by the schema''s '
'owner: by "roles --create", and by every migration that applied something, for each prefix in syncer_roles.';


CREATE OR REPLACE FUNCTION create_syncer_roles(prefix text)
    RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    purpose  text;
    migrator text := create_syncer_roles.prefix || 'migrator';
    object   record;
BEGIN
    IF create_syncer_roles.prefix IS NULL OR create_syncer_roles.prefix !~ '^[a-z_][a-z0-9_]{0,40}$' THEN
        RAISE EXCEPTION 'a role prefix is lower-case letters, digits and underscores, starting with a letter or '
            'underscore, at most 41 characters: got "%"', create_syncer_roles.prefix USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOREACH purpose IN ARRAY syncer_role_purposes() LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = create_syncer_roles.prefix || purpose) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', create_syncer_roles.prefix || purpose);
        END IF;
    END LOOP;

    -- The migrator owns the schema's objects (it replaces functions and views, adds tables) and may create in it;
    -- no one else may (an object someone else creates in the schema could stand in for one of ours).
    EXECUTE format('GRANT USAGE, CREATE ON SCHEMA %I TO %I', current_schema(), migrator);
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', current_schema());
    FOR object IN
        SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind,
               format('%I.%I', n.nspname, c.relname) AS name
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v')
           AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = migrator)
        UNION ALL
        SELECT 'SEQUENCE', format('%I.%I', n.nspname, c.relname)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind = 'S'
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
           AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = migrator)
        UNION ALL
        SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
               format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = current_schema()
           AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = migrator)
        UNION ALL
        SELECT 'TYPE', format('%I.%I', n.nspname, t.typname)
          FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname = current_schema() AND t.typtype = 'e'
           AND t.typowner <> (SELECT oid FROM pg_roles WHERE rolname = migrator)
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO %I', object.kind, object.name, migrator);
    END LOOP;

    INSERT INTO syncer_roles (prefix) VALUES (create_syncer_roles.prefix) ON CONFLICT DO NOTHING;
    PERFORM grant_syncer_roles(create_syncer_roles.prefix);
END
$$;

COMMENT ON FUNCTION create_syncer_roles(text) IS
'Creates (if missing) the NOLOGIN roles prefix||purpose for each of syncer_role_purposes(), makes the migrator the '
'owner of every object of this schema and the only role that may create in it, records the prefix in syncer_roles and '
'grants the others syncer_role_grants(). Run once by a superuser (or a role with CREATEROLE that owns the schema); '
'idempotent. Log-in roles are then made members: CREATE ROLE a LOGIN IN ROLE prefix||''worker''.';


CREATE OR REPLACE FUNCTION drop_syncer_roles(prefix text)
    RETURNS void
    LANGUAGE plpgsql
AS $$
DECLARE
    purpose text;
BEGIN
    FOREACH purpose IN ARRAY syncer_role_purposes() LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = drop_syncer_roles.prefix || purpose) THEN
            EXECUTE format('REASSIGN OWNED BY %I TO %I', drop_syncer_roles.prefix || purpose, current_user);
            EXECUTE format('DROP OWNED BY %I', drop_syncer_roles.prefix || purpose);
            EXECUTE format('DROP ROLE %I', drop_syncer_roles.prefix || purpose);
        END IF;
    END LOOP;
    DELETE FROM syncer_roles r WHERE r.prefix = drop_syncer_roles.prefix;
END
$$;

COMMENT ON FUNCTION drop_syncer_roles(text) IS
'Undoes create_syncer_roles(prefix) in this database: the migrator''s objects go to the caller, the roles are dropped '
'(which fails, saying where, while they hold anything in another database). Log-in members are not dropped.';
