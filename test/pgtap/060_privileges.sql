-- Privileges: API roles reach the data through the functions only;
-- grant_api_access() grants exactly the API functions; every API function
-- documents who may call it and what it raises.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
SELECT plan(49);

CREATE ROLE roboto_test_api NOLOGIN;
CREATE ROLE roboto_test_bare NOLOGIN;
SELECT roboto_orgs.create_user('alice') IS NOT NULL AS created \gset
SET roboto_orgs.user_id = 'alice';
SELECT (roboto_orgs.create_org('Acme')).org_id AS acme \gset
RESET roboto_orgs.user_id;

--------------------------------------------------------------------------------
-- Before grant_api_access(): nothing
--------------------------------------------------------------------------------
SELECT is(has_schema_privilege('roboto_test_bare', 'roboto_orgs', 'USAGE'), false, 'a new role has no USAGE on the schema');
-- The email_domain type's IMMUTABLE helpers touch no data and are PUBLIC,
-- like a built-in type's functions
SELECT is((SELECT count(*)::int FROM unnest(roboto_orgs.api_functions()) f JOIN pg_proc p ON p.oid = f
           WHERE p.provolatile <> 'i' AND has_function_privilege('roboto_test_bare', f, 'EXECUTE')), 0,
          'a new role may execute none of the API functions that touch data');
SET ROLE roboto_test_bare;
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok($$SELECT roboto_orgs.create_org('Bare')$$, '42501', NULL, 'a role without grant_api_access() cannot call create_org()');
RESET ROLE;
SELECT throws_ok($$SELECT roboto_orgs.grant_api_access('roboto_test_no_such_role')$$, '42704',
                 'role "roboto_test_no_such_role" does not exist', 'grant_api_access() of an unknown role: 42704');
SELECT throws_ok($$SELECT roboto_orgs.grant_api_access(NULL)$$, '42704', NULL, 'grant_api_access(NULL): 42704');
SELECT lives_ok($$SELECT roboto_orgs.grant_api_access('roboto_test_api')$$, 'grant_api_access() by a superuser');
SELECT lives_ok($$SELECT roboto_orgs.grant_api_access('roboto_test_api')$$, 'grant_api_access() twice');

--------------------------------------------------------------------------------
-- After: every API function, no table, no internal function
--------------------------------------------------------------------------------
SELECT is(has_schema_privilege('roboto_test_api', 'roboto_orgs', 'USAGE'), true, 'the API role has USAGE on the schema');
SELECT is(ARRAY(SELECT f::text FROM unnest(roboto_orgs.api_functions()) f
                WHERE NOT has_function_privilege('roboto_test_api', f, 'EXECUTE')), '{}'::text[],
          'the API role may execute every API function');
SELECT is(has_function_privilege('roboto_test_api', 'roboto_orgs.grant_api_access(name)', 'EXECUTE'), false,
          'the API role may not execute grant_api_access()');
SELECT is(has_function_privilege('roboto_test_api', 'roboto_orgs.api_functions()', 'EXECUTE'), false,
          'the API role may not execute api_functions()');
SELECT is(has_function_privilege('roboto_test_api', 'roboto_orgs.new_id(text)', 'EXECUTE'), false,
          'the API role may not execute new_id()');
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
                WHERE p.pronamespace = 'roboto_orgs'::regnamespace AND p.prorettype = 'trigger'::regtype
                  AND has_function_privilege('roboto_test_api', p.oid, 'EXECUTE')), '{}'::text[],
          'the API role may execute no trigger function');
SELECT is(ARRAY(SELECT c.oid::regclass::text FROM pg_class c
                WHERE c.relnamespace = 'roboto_orgs'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p', 'S')
                  AND (has_table_privilege('roboto_test_api', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                       OR has_table_privilege('public', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'))),
          '{}'::text[], 'neither the API role nor PUBLIC has any privilege on any table of the schema');
SELECT ok(roboto_orgs.api_functions() @> ARRAY[
            'roboto_orgs.caller_id()', 'roboto_orgs.is_trusted_service()',
            'roboto_orgs.create_user(text, text, text, text, boolean, boolean)',
            'roboto_orgs.create_org(text, boolean, roboto_orgs.roboto_region)', 'roboto_orgs.get_org(text)',
            'roboto_orgs.orgs_for_self()', 'roboto_orgs.orgs_for_user(text)',
            'roboto_orgs.update_org(text, text, roboto_orgs.org_status, jsonb, jsonb, text)', 'roboto_orgs.delete_org(text)',
            'roboto_orgs.org_users(text)', 'roboto_orgs.add_role_for_user(text, text, roboto_orgs.org_role_name)',
            'roboto_orgs.remove_role_from_user(text, text, roboto_orgs.org_role_name)',
            'roboto_orgs.update_org_user(text, text, roboto_orgs.org_role_name[], roboto_orgs.org_role_name[])',
            'roboto_orgs.modify_role_for_user(text, text, roboto_orgs.org_role_name)', 'roboto_orgs.remove_user(text, text)',
            'roboto_orgs.is_member(text)', 'roboto_orgs.has_role(text, roboto_orgs.org_role_name)']::regprocedure[],
          'api_functions() lists every core API function');

--------------------------------------------------------------------------------
-- The API role cannot touch the tables directly (42501)
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok($$SELECT * FROM roboto_orgs.users$$, '42501', NULL, 'API role: SELECT users: 42501');
SELECT throws_ok($$SELECT * FROM roboto_orgs.orgs$$, '42501', NULL, 'API role: SELECT orgs: 42501');
SELECT throws_ok($$SELECT * FROM roboto_orgs.org_members$$, '42501', NULL, 'API role: SELECT org_members: 42501');
SELECT throws_ok($$INSERT INTO roboto_orgs.users (user_id) VALUES ('mallory')$$, '42501', NULL, 'API role: INSERT users: 42501');
SELECT throws_ok($$INSERT INTO roboto_orgs.orgs (org_id, name) VALUES ('og_x', 'X')$$, '42501', NULL, 'API role: INSERT orgs: 42501');
SELECT throws_ok(format('INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, %L, %L)', :'acme', 'alice', '{admin}'),
                 '42501', NULL, 'API role: INSERT org_members: 42501');
SELECT throws_ok($$UPDATE roboto_orgs.org_members SET roles = '{owner}'$$, '42501', NULL, 'API role: UPDATE org_members: 42501');
SELECT throws_ok($$UPDATE roboto_orgs.orgs SET tier = 'premium'$$, '42501', NULL, 'API role: UPDATE orgs: 42501');
SELECT throws_ok($$DELETE FROM roboto_orgs.orgs$$, '42501', NULL, 'API role: DELETE orgs: 42501');
SELECT throws_ok($$DELETE FROM roboto_orgs.users$$, '42501', NULL, 'API role: DELETE users: 42501');
SELECT throws_ok($$TRUNCATE roboto_orgs.org_members$$, '42501', NULL, 'API role: TRUNCATE org_members: 42501');
SELECT throws_ok($$SELECT roboto_orgs.new_id('og')$$, '42501', NULL, 'API role: new_id(): 42501');
SELECT throws_ok($$SELECT roboto_orgs.grant_api_access('roboto_test_bare')$$, '42501', NULL, 'API role: grant_api_access(): 42501');
SELECT throws_ok($$SELECT roboto_orgs.members_keep_owner()$$, '42501', NULL, 'API role: a trigger function: 42501');
-- ... while the functions work for it
SELECT is((roboto_orgs.get_org(:'acme')).name, 'Acme', 'API role: get_org() reads the table it cannot read itself');
SELECT is((roboto_orgs.create_org('Made by API')).created_by, 'alice', 'API role: create_org() writes the tables it cannot write itself');
SELECT is(current_user::text, 'roboto_test_api', 'the API role is still current_user after the calls');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false, 'and it is not a superuser');
RESET ROLE;

--------------------------------------------------------------------------------
-- The catalogue: pg_dump keeps the data, functions are labelled and documented
--------------------------------------------------------------------------------
SELECT is(ARRAY(SELECT c::regclass::text FROM pg_extension e, unnest(e.extconfig) c WHERE e.extname = 'roboto_orgs' ORDER BY 1),
          ARRAY['roboto_orgs.event_id_seq', 'roboto_orgs.events', 'roboto_orgs.org_email_domains',
                'roboto_orgs.org_invites', 'roboto_orgs.org_members', 'roboto_orgs.orgs',
                'roboto_orgs.role_permissions', 'roboto_orgs.tier_limits', 'roboto_orgs.users', 'roboto_orgs.webmail_domains'],
          'the tables are registered with pg_extension_config_dump');
SELECT is(ARRAY(SELECT f::text FROM unnest(roboto_orgs.api_functions()) f WHERE obj_description(f, 'pg_proc') IS NULL),
          '{}'::text[], 'every API function has a COMMENT');
SELECT is(ARRAY(SELECT f::text FROM unnest(roboto_orgs.api_functions()) f JOIN pg_proc p ON p.oid = f
                WHERE p.provolatile <> 'i' AND f::text NOT IN ('roboto_orgs.caller_id()', 'roboto_orgs.is_trusted_service()',
                                      'roboto_orgs.is_member(text)', 'roboto_orgs.has_role(text,roboto_orgs.org_role_name)',
                                      'roboto_orgs.caller_org_ids(roboto_orgs.org_role_name)',
                                      'roboto_orgs.has_permission(text,text)', 'roboto_orgs.caller_org_ids_with(text)',
                                      'roboto_orgs.my_permissions(text)')
                  AND obj_description(f, 'pg_proc') !~ '42501'),
          '{}'::text[], 'every API function that may refuse a caller documents 42501');
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
                WHERE p.pronamespace = 'roboto_orgs'::regnamespace AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
                  AND p.prorettype <> 'trigger'::regtype AND p.provolatile <> 'i'
                  AND p.proname NOT IN ('new_id', 'caller_id', 'is_trusted_service', 'is_member', 'has_role', 'caller_org_ids', 'has_permission', 'caller_org_ids_with')
                  AND NOT ('search_path=pg_catalog, pg_temp' = ANY (coalesce(p.proconfig, '{}')))),
          '{}'::text[], 'every C API function runs with SET search_path = pg_catalog, pg_temp');
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p
                WHERE p.pronamespace = 'roboto_orgs'::regnamespace AND p.prosecdef), '{}'::text[],
          'no function is SECURITY DEFINER');
SELECT is(ARRAY(SELECT f::text FROM unnest(roboto_orgs.api_functions()) f JOIN pg_proc p ON p.oid = f
                WHERE p.provolatile = 'v' AND p.proparallel <> 'u'), '{}'::text[],
          'every VOLATILE API function is PARALLEL UNSAFE');
SELECT is(ARRAY(SELECT f::text FROM unnest(ARRAY[
                  'roboto_orgs.create_user(text, text, text, text, boolean, boolean)',
                  'roboto_orgs.create_org(text, boolean, roboto_orgs.roboto_region)',
                  'roboto_orgs.update_org(text, text, roboto_orgs.org_status, jsonb, jsonb, text)', 'roboto_orgs.delete_org(text)',
                  'roboto_orgs.add_role_for_user(text, text, roboto_orgs.org_role_name)',
                  'roboto_orgs.remove_role_from_user(text, text, roboto_orgs.org_role_name)',
                  'roboto_orgs.update_org_user(text, text, roboto_orgs.org_role_name[], roboto_orgs.org_role_name[])',
                  'roboto_orgs.modify_role_for_user(text, text, roboto_orgs.org_role_name)',
                  'roboto_orgs.remove_user(text, text)']::regprocedure[]) f JOIN pg_proc p ON p.oid = f
                WHERE p.provolatile <> 'v'), '{}'::text[],
          'every function that writes is VOLATILE');
SELECT is((SELECT count(*)::int FROM pg_proc p WHERE p.pronamespace = 'roboto_orgs'::regnamespace AND p.prorettype = 'trigger'::regtype
           AND (p.proconfig IS NULL OR p.prosecdef)), 0, 'trigger functions set their search_path and are not SECURITY DEFINER');


--------------------------------------------------------------------------------
-- new_id(): the internal id maker behind the column default
--------------------------------------------------------------------------------
SELECT matches(roboto_orgs.new_id('iv'), '^iv_[0-9a-f]{32}$', 'new_id(iv): iv_ and 32 hex digits');
SELECT is((SELECT count(DISTINCT roboto_orgs.new_id('og'))::int FROM generate_series(1, 1000)), 1000, 'new_id() gives no repeats in 1000 calls');
SELECT is(roboto_orgs.new_id(NULL), NULL, 'new_id(NULL) is NULL (STRICT)');
SELECT throws_ok($$SELECT roboto_orgs.new_id('')$$, '22023', 'id prefix must have 1 to 8 characters', 'new_id(''''): 22023');
SELECT throws_ok($$SELECT roboto_orgs.new_id('abcdefghi')$$, '22023', NULL, 'new_id() with a prefix over 8 characters: 22023');
SELECT throws_ok($$SELECT roboto_orgs.new_id('Og')$$, '22023', 'id prefix must be lower-case ASCII letters', 'new_id() with an upper-case prefix: 22023');
SELECT throws_ok($$SELECT roboto_orgs.new_id('o_g')$$, '22023', NULL, 'new_id() with a non-letter prefix: 22023');
SELECT matches((SELECT org_id FROM roboto_orgs.orgs WHERE name = 'Acme'), '^og_[0-9a-f]{32}$', 'create_org() ids come from new_id(og)');

SELECT * FROM finish();
ROLLBACK;
