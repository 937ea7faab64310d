-- Permissions (0.2.0): role_permissions, has_permission, caller_org_ids_with,
-- my_permissions. Every rule, as an API role. (Hostile search_path:
-- security_shadowing.sql; a mapping committed by another session before a
-- statement: test/specs/permissions_seen.spec.)
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(43);

CREATE ROLE roboto_test_perm_service NOLOGIN;
SELECT roboto_orgs.grant_api_access('roboto_test_perm_service');
GRANT SELECT, INSERT, UPDATE, DELETE ON roboto_orgs.role_permissions TO roboto_test_perm_service;
SET LOCAL roboto_orgs.service_role = 'roboto_test_perm_service';
SELECT count(roboto_orgs.create_user(u)) FROM unnest(ARRAY['pm_owner', 'pm_admin', 'pm_user', 'pm_out']) u;
SET roboto_orgs.user_id = 'pm_owner';
SELECT org_id AS acme FROM roboto_orgs.create_org('Perm Acme') \gset
SELECT org_id AS globex FROM roboto_orgs.create_org('Perm Globex') \gset
SELECT count(*) FROM roboto_orgs.invite_user(:'acme', 'pm_admin');
SELECT count(*) FROM roboto_orgs.invite_user(:'acme', 'pm_user');
SET roboto_orgs.user_id = 'pm_admin';
SELECT count(*) FROM roboto_orgs.accept_invite((SELECT invite_id FROM roboto_orgs.invites_for_self()));
SET roboto_orgs.user_id = 'pm_user';
SELECT count(*) FROM roboto_orgs.accept_invite((SELECT invite_id FROM roboto_orgs.invites_for_self()));
SET roboto_orgs.user_id = 'pm_owner';
SELECT count(*) FROM roboto_orgs.add_role_for_user(:'acme', 'pm_admin', 'admin');
RESET roboto_orgs.user_id;

--------------------------------------------------------------------------------
-- The table: who writes it, what names it takes, what it logs
--------------------------------------------------------------------------------
SELECT lives_ok($$INSERT INTO roboto_orgs.role_permissions VALUES ('user', 'datasets:read'), ('admin', 'datasets:write'), ('owner', 'billing:manage')$$,
  'a superuser maps permissions');
SET ROLE roboto_test_perm_service;
SELECT lives_ok($$INSERT INTO roboto_orgs.role_permissions VALUES ('admin', 'members.invite')$$,
  'the trusted service maps permissions (with the table privilege a deployment grants it)');
RESET ROLE;
SET ROLE roboto_test_api;
SELECT throws_ok($$INSERT INTO roboto_orgs.role_permissions VALUES ('user', 'x:y')$$, '42501', NULL,
  'an API role cannot write it (no privilege)');
SELECT throws_ok($$SELECT * FROM roboto_orgs.role_permissions$$, '42501', NULL, 'nor read it directly');
RESET ROLE;
GRANT INSERT, DELETE ON roboto_orgs.role_permissions TO roboto_test_api;
SET ROLE roboto_test_api;
SELECT throws_ok($$INSERT INTO roboto_orgs.role_permissions VALUES ('user', 'x:y')$$, '42501',
  'permission denied to change roboto_orgs.role_permissions',
  'an API role granted the table privilege by mistake still cannot write it (trigger)');
RESET ROLE;
REVOKE INSERT, DELETE ON roboto_orgs.role_permissions FROM roboto_test_api;
SELECT throws_ok($$INSERT INTO roboto_orgs.role_permissions VALUES ('user', 'Datasets:Read')$$, '23514', NULL, 'upper case: 23514');
SELECT throws_ok($$INSERT INTO roboto_orgs.role_permissions VALUES ('user', '')$$, '23514', NULL, 'empty: 23514');
SELECT throws_ok($$INSERT INTO roboto_orgs.role_permissions VALUES ('user', '1read')$$, '23514', NULL, 'a leading digit: 23514');
SELECT throws_ok($$INSERT INTO roboto_orgs.role_permissions VALUES ('user', 'read all')$$, '23514', NULL, 'a space: 23514');
SELECT throws_ok($$INSERT INTO roboto_orgs.role_permissions VALUES ('user', 'x'';DROP TABLE roboto_orgs.orgs;--')$$, '23514', NULL,
  'SQL metacharacters: 23514');
SELECT throws_ok($$INSERT INTO roboto_orgs.role_permissions VALUES ('user', 'é:read')$$, '23514', NULL, 'a non-ASCII letter: 23514');
SELECT throws_ok(format($$INSERT INTO roboto_orgs.role_permissions VALUES ('user', %L)$$, 'a' || repeat('b', 63)), '23514', NULL,
  '64 characters: 23514');
SELECT lives_ok(format($$INSERT INTO roboto_orgs.role_permissions VALUES ('user', %L)$$, 'a' || repeat('b', 62)),
  '63 characters are allowed');
SELECT throws_ok($$INSERT INTO roboto_orgs.role_permissions VALUES ('superuser', 'x')$$, '22P02', NULL, 'an unknown role: 22P02');
SELECT throws_ok($$INSERT INTO roboto_orgs.role_permissions VALUES ('user', NULL)$$, '23502', NULL, 'a NULL permission: 23502');
SELECT throws_ok($$INSERT INTO roboto_orgs.role_permissions VALUES ('user', 'datasets:read')$$, '23505', NULL, 'a duplicate: 23505');
SELECT results_eq($$SELECT kind, org_id, subject FROM roboto_orgs.events WHERE kind LIKE 'permission.%' ORDER BY event_id LIMIT 4$$,
  $$VALUES ('permission.granted'::text, NULL::text, 'user:datasets:read'::text), ('permission.granted', NULL, 'admin:datasets:write'),
           ('permission.granted', NULL, 'owner:billing:manage'), ('permission.granted', NULL, 'admin:members.invite')$$,
  'each mapping is an event of no org, subject role:permission');
SELECT ok((SELECT 'roboto_orgs.role_permissions'::regclass = ANY (extconfig) FROM pg_extension WHERE extname = 'roboto_orgs'),
  'pg_dump keeps the mapping (pg_extension_config_dump)');

--------------------------------------------------------------------------------
-- has_permission: a role has its own permissions and those below it
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
CREATE TEMP TABLE answers AS
  SELECT u AS member, p AS permission,
         (SELECT set_config('roboto_orgs.user_id', u, false)) IS NOT NULL AND roboto_orgs.has_permission(:'acme', p) AS has
  FROM unnest(ARRAY['pm_owner', 'pm_admin', 'pm_user', 'pm_out']) u,
       unnest(ARRAY['datasets:read', 'datasets:write', 'members.invite', 'billing:manage']) p;
SELECT set_eq($$SELECT member, permission FROM answers WHERE has$$,
  $$VALUES ('pm_owner', 'datasets:read'), ('pm_owner', 'datasets:write'), ('pm_owner', 'members.invite'), ('pm_owner', 'billing:manage'),
           ('pm_admin', 'datasets:read'), ('pm_admin', 'datasets:write'), ('pm_admin', 'members.invite'),
           ('pm_user', 'datasets:read')$$,
  'owner ⊇ admin ⊇ user, and a non-member has none');
SET roboto_orgs.user_id = 'pm_admin';
SELECT is(roboto_orgs.has_permission(:'acme', 'no:such'), false, 'an unknown permission: false');
SELECT is(roboto_orgs.has_permission('og_nope', 'datasets:read'), false, 'an unknown org: false');
SELECT is(roboto_orgs.has_permission(:'globex', 'datasets:read'), false, 'an org the caller is not in: false');
SELECT is(roboto_orgs.has_permission(NULL, 'datasets:read'), false, 'NULL org: false, not NULL');
SELECT is(roboto_orgs.has_permission(:'acme', NULL), false, 'NULL permission: false, not NULL');
SELECT is(roboto_orgs.has_permission(:'acme', repeat('x', 100000)), false, 'a 100 kB permission: false');
SELECT is(roboto_orgs.has_permission(:'acme', 'Datasets:Read'), false, 'names are case-sensitive');
RESET roboto_orgs.user_id;
SELECT is(roboto_orgs.has_permission(:'acme', 'datasets:read'), false, 'anonymous: false, never an error');
SET request.jwt.claims = '{"sub": "pm_user"}';
SELECT is(roboto_orgs.has_permission(:'acme', 'datasets:read'), true, 'the caller from a JWT');
RESET request.jwt.claims;

--------------------------------------------------------------------------------
-- Changes seen by the next statement, also at one call site kept across statements
--------------------------------------------------------------------------------
RESET ROLE;
CREATE FUNCTION pg_temp.watch(org text, steps text[]) RETURNS boolean[] LANGUAGE plpgsql AS $$
DECLARE
  s text;
  seen boolean[] := '{}';
  answer boolean;
BEGIN
  FOREACH s IN ARRAY steps LOOP
    EXECUTE s;
    answer := roboto_orgs.has_permission(org, 'datasets:write');   -- one call site, its cache kept
    seen := seen || answer;
  END LOOP;
  RETURN seen;
END
$$;
SELECT is(pg_temp.watch(:'acme', ARRAY[
    $$SELECT set_config('roboto_orgs.user_id', 'pm_user', false)$$,
    $$INSERT INTO roboto_orgs.role_permissions VALUES ('user', 'datasets:write')$$,
    $$DELETE FROM roboto_orgs.role_permissions WHERE role = 'user' AND permission = 'datasets:write'$$,
    $$SELECT set_config('roboto_orgs.user_id', 'pm_admin', false)$$,
    $$DELETE FROM roboto_orgs.role_permissions WHERE permission = 'datasets:write'$$,
    $$INSERT INTO roboto_orgs.role_permissions VALUES ('owner', 'datasets:write')$$,
    $$SELECT set_config('roboto_orgs.user_id', 'pm_owner', false)$$]),
  ARRAY[false, true, false, true, false, false, true],
  'a mapping granted or removed, and a caller switched, are seen by the next statement at the same call site');
SET roboto_orgs.user_id = 'pm_owner';
SELECT count(*) FROM roboto_orgs.remove_role_from_user(:'acme', 'pm_admin', 'admin');
SET roboto_orgs.user_id = 'pm_admin';
SELECT is(roboto_orgs.has_permission(:'acme', 'members.invite'), false, 'a role removed by an earlier statement is seen');
DELETE FROM roboto_orgs.role_permissions WHERE permission = 'datasets:write';
INSERT INTO roboto_orgs.role_permissions VALUES ('admin', 'datasets:write');
SET roboto_orgs.user_id = 'pm_owner';
SELECT count(*) FROM roboto_orgs.add_role_for_user(:'acme', 'pm_admin', 'admin');
RESET roboto_orgs.user_id;

--------------------------------------------------------------------------------
-- In a policy; caller_org_ids_with; my_permissions
--------------------------------------------------------------------------------
CREATE TABLE public.perm_docs (id int PRIMARY KEY, org_id text NOT NULL);
INSERT INTO public.perm_docs SELECT i, CASE WHEN i % 2 = 0 THEN :'acme' ELSE :'globex' END FROM generate_series(1, 20) i;
ALTER TABLE public.perm_docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_docs ON public.perm_docs FOR SELECT USING (roboto_orgs.has_permission(org_id, 'datasets:read'));
CREATE POLICY write_docs ON public.perm_docs FOR UPDATE USING (org_id = ANY (ARRAY(SELECT roboto_orgs.caller_org_ids_with('datasets:write'))));
GRANT SELECT, UPDATE ON public.perm_docs TO roboto_test_api;
-- rows an UPDATE of every row may change, under the policies (rolled back)
CREATE FUNCTION pg_temp.writable() RETURNS int LANGUAGE plpgsql AS $$
DECLARE n int;
BEGIN
  BEGIN
    UPDATE public.perm_docs SET id = id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RAISE SQLSTATE 'PGRSR';
  EXCEPTION WHEN SQLSTATE 'PGRSR' THEN NULL;
  END;
  RETURN n;
END
$$;
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'pm_user';
SELECT is((SELECT count(*)::int FROM public.perm_docs), 10, 'a policy by permission: the user reads the org''s 10 rows');
SELECT is(pg_temp.writable(), 0, 'and may not write them');
SET roboto_orgs.user_id = 'pm_admin';
SELECT is(pg_temp.writable(), 10, 'the admin may write them');
SET roboto_orgs.user_id = 'pm_out';
SELECT is((SELECT count(*)::int FROM public.perm_docs), 0, 'a non-member sees nothing');
SET roboto_orgs.user_id = 'pm_owner';
SELECT is(ARRAY(SELECT roboto_orgs.caller_org_ids_with('billing:manage')), ARRAY(SELECT unnest(ARRAY[:'acme', :'globex']) ORDER BY 1),
  'caller_org_ids_with: the owner''s orgs, ordered');
SET roboto_orgs.user_id = 'pm_user';
SELECT is(ARRAY(SELECT roboto_orgs.caller_org_ids_with('datasets:read')), ARRAY[:'acme'], 'the user''s org for a user permission');
SELECT is(ARRAY(SELECT roboto_orgs.caller_org_ids_with('billing:manage')), '{}'::text[], 'none for a permission above the user''s role');
SELECT is(ARRAY(SELECT roboto_orgs.caller_org_ids_with('no:such')), '{}'::text[], 'none for an unknown permission');
SELECT is((SELECT count(*)::int FROM roboto_orgs.caller_org_ids_with(NULL)), 0, 'none for NULL (STRICT)');
SET roboto_orgs.user_id = 'pm_admin';
SELECT is(ARRAY(SELECT roboto_orgs.my_permissions(:'acme')),
  ARRAY['a' || repeat('b', 62), 'datasets:read', 'datasets:write', 'members.invite'],
  'my_permissions: the admin''s own and the user''s, ordered');
SELECT is(ARRAY(SELECT roboto_orgs.my_permissions(:'globex')), '{}'::text[], 'none in an org the caller is not in');
SELECT is(ARRAY(SELECT roboto_orgs.my_permissions('og_nope')), '{}'::text[], 'none in an unknown org');
RESET roboto_orgs.user_id;
SELECT is(ARRAY(SELECT roboto_orgs.my_permissions(:'acme')), '{}'::text[], 'none for an anonymous caller');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
