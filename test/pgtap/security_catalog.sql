-- Security, from the catalog: every function of schema roboto_orgs (those
-- added later too) is checked for SECURITY DEFINER without a pinned
-- search_path, volatility, argument names, overloads PostgREST could not
-- tell apart, and privileges: PUBLIC, PostgREST's anonymous role and the
-- authenticator get nothing; grant_api_access() grants exactly the API.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir postgrest_helpers.psql
SELECT plan(23);

CREATE TEMP TABLE fns AS
  SELECT p.oid, p.oid::regprocedure::text AS sig, p.proname, p.prosecdef, p.provolatile, p.proconfig,
         p.prorettype = 'trigger'::regtype AS is_trigger, pg_temp.pure(p.oid) AS is_pure,
         p.oid = ANY (roboto_orgs.api_functions()) AS is_api
  FROM pg_proc p WHERE p.pronamespace = 'roboto_orgs'::regnamespace;

--------------------------------------------------------------------------------
-- search_path
--------------------------------------------------------------------------------
SELECT is(ARRAY(SELECT sig FROM fns WHERE prosecdef
                AND NOT EXISTS (SELECT FROM unnest(proconfig) c WHERE c ~ '^search_path=.*\mpg_temp"?$')),
          '{}'::text[], 'no SECURITY DEFINER function lacks a search_path with pg_temp last');
SELECT is(ARRAY(SELECT sig FROM fns WHERE prosecdef ORDER BY 1), '{}'::text[],
          'no function is SECURITY DEFINER (the C functions switch to the extension owner around SPI instead)');
SELECT is(ARRAY(SELECT sig || ' ' || c FROM fns, unnest(proconfig) c
                WHERE c LIKE 'search_path=%' AND c <> 'search_path=pg_catalog, pg_temp'),
          '{}'::text[], 'every pinned search_path is exactly pg_catalog, pg_temp');
SELECT is(ARRAY(SELECT sig FROM fns
                WHERE NOT is_pure
                  AND proname NOT IN ('caller_id', 'is_trusted_service', 'is_member', 'has_role', 'caller_org_ids', 'has_permission', 'caller_org_ids_with', 'new_id')
                  AND NOT EXISTS (SELECT FROM unnest(proconfig) c WHERE c = 'search_path=pg_catalog, pg_temp')
                ORDER BY 1),
          '{}'::text[],
          'every function pins search_path, but the RLS helpers and settings readers (which qualify every name, see security_shadowing.sql)');

--------------------------------------------------------------------------------
-- Labels and arguments, as PostgREST needs them
--------------------------------------------------------------------------------
SELECT is((SELECT provolatile FROM fns WHERE proname = 'api_functions'), 's',
          'api_functions() is STABLE (its regprocedure lookups depend on the catalog)');
SELECT is(ARRAY(SELECT f.sig FROM fns f JOIN pg_proc p ON p.oid = f.oid
                WHERE (f.is_api OR NOT (f.is_trigger OR f.is_pure)) AND NOT pg_temp.callable(f.oid)),
          '{}'::text[], 'every argument of every API function is named (PostgREST passes arguments by name)');
SELECT is(ARRAY(SELECT a.sig || ' / ' || b.sig FROM fns a JOIN fns b ON a.proname = b.proname AND a.oid < b.oid
                WHERE NOT a.is_pure AND NOT b.is_pure
                  -- some set of sent keys would fit both: their required names fit in what both accept
                  AND ARRAY(SELECT name FROM pg_temp.pgrst_args(a.oid) WHERE NOT has_default
                            UNION SELECT name FROM pg_temp.pgrst_args(b.oid) WHERE NOT has_default)
                      <@ ARRAY(SELECT name FROM pg_temp.pgrst_args(a.oid)
                               INTERSECT SELECT name FROM pg_temp.pgrst_args(b.oid))),
          '{}'::text[], 'no two overloads accept the same argument names (PostgREST could not choose)');
SELECT is(ARRAY(SELECT a.name || ' ' || format_type(a.typ, NULL) FROM fns f, pg_temp.pgrst_args(f.oid) a
                JOIN pg_type t ON t.oid = a.typ
                WHERE f.is_api AND t.typtype = 'p'),
          '{}'::text[], 'no API function takes a pseudo-type argument PostgREST cannot send');

--------------------------------------------------------------------------------
-- api_functions() is the whole API
--------------------------------------------------------------------------------
SELECT is(ARRAY(SELECT sig FROM fns WHERE NOT is_api AND NOT is_trigger AND NOT is_pure
                  AND proname NOT IN ('new_id', 'next_event_id', 'grant_api_access', 'api_functions') ORDER BY 1),
          '{}'::text[], 'every function of the schema but triggers, pure ones (type support, IMMUTABLE) and internals is in api_functions()');
SELECT is(ARRAY(SELECT f::text FROM unnest(roboto_orgs.api_functions()) f
                WHERE f NOT IN (SELECT oid FROM fns WHERE NOT is_trigger)),
          '{}'::text[], 'api_functions() lists only functions of the schema, no trigger function');
SELECT is((SELECT count(*) FROM unnest(roboto_orgs.api_functions()) f),
          (SELECT count(DISTINCT f) FROM unnest(roboto_orgs.api_functions()) f), 'api_functions() lists each once');

--------------------------------------------------------------------------------
-- PUBLIC, the anonymous role, the authenticator
--------------------------------------------------------------------------------
SELECT is(ARRAY(SELECT f.sig FROM fns f JOIN pg_proc p ON p.oid = f.oid, aclexplode(COALESCE(p.proacl, acldefault('f', p.proowner))) a
                WHERE a.grantee = 0 AND NOT f.is_pure ORDER BY 1),
          '{}'::text[], 'PUBLIC may execute no function of the schema (pure ones aside: type support, IMMUTABLE)');
SELECT is(ARRAY(SELECT c.oid::regclass::text || ' ' || a.privilege_type FROM pg_class c,
                       aclexplode(COALESCE(c.relacl, acldefault((CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END)::"char", c.relowner))) a
                WHERE c.relnamespace = 'roboto_orgs'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND a.grantee = 0),
          '{}'::text[], 'PUBLIC has no privilege on any table, view or sequence');
SELECT is(ARRAY(SELECT a.privilege_type FROM pg_namespace n,
                       aclexplode(COALESCE(n.nspacl, acldefault('n', n.nspowner))) a
                WHERE n.nspname = 'roboto_orgs' AND a.grantee = 0),
          '{}'::text[], 'PUBLIC has no privilege on the schema');
SELECT is(ARRAY(SELECT sig FROM fns WHERE NOT is_pure AND has_function_privilege('anon', oid, 'EXECUTE') ORDER BY 1),
          '{}'::text[], 'the anonymous role (USAGE on the schema only) may execute no function that reads or writes data');
SELECT is(ARRAY(SELECT sig FROM fns WHERE NOT is_pure AND has_function_privilege('authenticator', oid, 'EXECUTE') ORDER BY 1),
          '{}'::text[], 'the authenticator (NOINHERIT) may execute no function itself');
SELECT is(ARRAY(SELECT c.oid::regclass::text FROM pg_class c
                WHERE c.relnamespace = 'roboto_orgs'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                  AND (has_table_privilege('anon', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                       OR has_table_privilege('authenticated', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                       OR has_table_privilege('authenticator', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))),
          '{}'::text[], 'neither anon, authenticated nor authenticator has a privilege on a table or sequence');

-- What the API role can do to the tables directly: nothing (every statement 42501)
CREATE FUNCTION pg_temp.direct_access(r name) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
  t regclass;
  stmt text;
  done text[] := '{}';
BEGIN
  FOR t IN SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'roboto_orgs'::regnamespace AND c.relkind = 'r' ORDER BY c.relname LOOP
    FOREACH stmt IN ARRAY ARRAY[format('SELECT * FROM %s', t), format('INSERT INTO %s DEFAULT VALUES', t),
                                format('UPDATE %s SET %I = %I', t, (SELECT attname FROM pg_attribute WHERE attrelid = t AND attnum = 1),
                                       (SELECT attname FROM pg_attribute WHERE attrelid = t AND attnum = 1)),
                                format('DELETE FROM %s', t), format('TRUNCATE %s', t)] LOOP
      BEGIN
        PERFORM set_config('role', r, true);
        EXECUTE stmt;
        RAISE SQLSTATE 'PGRSR';
      EXCEPTION
        WHEN insufficient_privilege THEN NULL;
        WHEN OTHERS THEN done := done || (stmt || ': ' || SQLSTATE);
      END;
    END LOOP;
  END LOOP;
  FOREACH stmt IN ARRAY ARRAY['SELECT pg_catalog.nextval(''roboto_orgs.event_id_seq'')', 'SELECT * FROM roboto_orgs.event_id_seq'] LOOP
    BEGIN
      PERFORM set_config('role', r, true);
      EXECUTE stmt;
      RAISE SQLSTATE 'PGRSR';
    EXCEPTION
      WHEN insufficient_privilege THEN NULL;
      WHEN OTHERS THEN done := done || (stmt || ': ' || SQLSTATE);
    END;
  END LOOP;
  RETURN done;
END
$$;
SELECT is(pg_temp.direct_access('authenticated'), '{}'::text[],
          'an API role cannot SELECT, INSERT, UPDATE, DELETE or TRUNCATE any table, nor use the sequence: 42501');
SELECT is(pg_temp.direct_access('anon'), '{}'::text[], 'nor can the anonymous role');

--------------------------------------------------------------------------------
-- grant_api_access() grants exactly the API
--------------------------------------------------------------------------------
CREATE ROLE "api ""role""; --" NOLOGIN;
SELECT lives_ok($$SELECT roboto_orgs.grant_api_access('api "role"; --')$$, 'grant_api_access() of a role with a quoted name');
SELECT lives_ok($$SELECT roboto_orgs.grant_api_access('api "role"; --')$$, 'grant_api_access() again: idempotent');
-- Every privilege the role holds in the database, from the catalogs that hold ACLs
CREATE FUNCTION pg_temp.privileges_of(r regrole) RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(
    SELECT x FROM (
      SELECT 'EXECUTE ' || p.oid::regprocedure::text AS x FROM pg_proc p, aclexplode(p.proacl) a WHERE a.grantee = r
      UNION ALL SELECT a.privilege_type || ' ' || c.oid::regclass::text FROM pg_class c, aclexplode(c.relacl) a WHERE a.grantee = r
      UNION ALL SELECT a.privilege_type || ' column ' || t.attrelid::regclass::text || '.' || t.attname
        FROM pg_attribute t, aclexplode(t.attacl) a WHERE a.grantee = r
      UNION ALL SELECT a.privilege_type || ' schema ' || n.nspname FROM pg_namespace n, aclexplode(n.nspacl) a WHERE a.grantee = r
      UNION ALL SELECT a.privilege_type || ' type ' || y.oid::regtype::text FROM pg_type y, aclexplode(y.typacl) a WHERE a.grantee = r
      UNION ALL SELECT 'member of ' || m.roleid::regrole::text FROM pg_auth_members m WHERE m.member = r
    ) s ORDER BY x)
$$;
SELECT is(pg_temp.privileges_of('"api ""role""; --"'),
          ARRAY(SELECT x FROM (SELECT 'EXECUTE ' || f::text AS x FROM unnest(roboto_orgs.api_functions()) f
                               UNION ALL SELECT 'USAGE schema roboto_orgs') s ORDER BY x),
          'grant_api_access() grants USAGE on the schema and EXECUTE on api_functions(), nothing else');
SELECT is(pg_temp.privileges_of('anon'), ARRAY['USAGE schema roboto_orgs'],
          'the anonymous role as the README sets it up: USAGE on the schema, nothing else');

SELECT * FROM finish();
ROLLBACK;
