-- Row-level security helpers: is_member(org) and has_role(org, role) for the
-- caller, as a non-superuser API role, and in a policy of an app's own table.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(36);

DO $$
BEGIN
  PERFORM roboto_orgs.create_user(u) FROM unnest(ARRAY['alice', 'bob', 'carol', 'dave']) u;
END
$$;
SET roboto_orgs.user_id = 'alice';
SELECT (roboto_orgs.create_org('Acme')).org_id AS acme \gset
SET roboto_orgs.user_id = 'dave';
SELECT (roboto_orgs.create_org('Dave Co')).org_id AS daveco \gset
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES
  (:'acme', 'bob', '{admin}'), (:'acme', 'carol', '{user}');
RESET roboto_orgs.user_id;

-- What a caller sees: is_member and has_role for each role, as one row
CREATE FUNCTION pg_temp.access(org text) RETURNS text LANGUAGE sql AS $$
  SELECT format('member=%s user=%s admin=%s owner=%s', roboto_orgs.is_member(org)::text,
                roboto_orgs.has_role(org, 'user')::text, roboto_orgs.has_role(org, 'admin')::text, roboto_orgs.has_role(org, 'owner')::text)
$$;

SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT is(pg_temp.access(:'acme'), 'member=true user=true admin=true owner=true', 'an owner holds every role (owner implies admin and user)');
SET roboto_orgs.user_id = 'bob';
SELECT is(pg_temp.access(:'acme'), 'member=true user=true admin=true owner=false', 'an admin holds admin and user');
SET roboto_orgs.user_id = 'carol';
SELECT is(pg_temp.access(:'acme'), 'member=true user=true admin=false owner=false', 'a user holds user only');
SET roboto_orgs.user_id = 'dave';
SELECT is(pg_temp.access(:'acme'), 'member=false user=false admin=false owner=false', 'a non-member holds nothing');
SELECT is(pg_temp.access(:'daveco'), 'member=true user=true admin=true owner=true', 'dave owns his own org');
SET roboto_orgs.user_id = 'ghost';
SELECT is(pg_temp.access(:'acme'), 'member=false user=false admin=false owner=false', 'an unknown caller holds nothing');
RESET roboto_orgs.user_id;
SELECT is(pg_temp.access(:'acme'), 'member=false user=false admin=false owner=false', 'an anonymous caller holds nothing, without an error');
SET roboto_orgs.user_id = 'alice';
SELECT is(pg_temp.access('og_00000000000000000000000000000000'), 'member=false user=false admin=false owner=false',
          'an unknown org: false, without an error');
SELECT is(pg_temp.access(''), 'member=false user=false admin=false owner=false', 'an empty org id: false');
SELECT is(roboto_orgs.is_member(NULL), false, 'is_member(NULL) is false');
SELECT is(roboto_orgs.has_role(NULL, 'user'), false, 'has_role(NULL, role) is false');
SELECT is(roboto_orgs.has_role(:'acme', NULL), false, 'has_role(org, NULL) is false');
SELECT throws_ok(format('SELECT roboto_orgs.has_role(%L, %L)', :'acme', 'superuser'), '22P02', NULL,
                 'has_role() with an unknown role: 22P02');

-- The JWT claims name the caller first
SET request.jwt.claims = '{"sub": "carol"}';
SELECT is(pg_temp.access(:'acme'), 'member=true user=true admin=false owner=false', 'request.jwt.claims sub names the caller');
SET request.jwt.claims = '{"sub": "dave"}';
SELECT is(pg_temp.access(:'acme'), 'member=false user=false admin=false owner=false', 'a JWT for a non-member: false even with user_id alice');
RESET ROLE;
SET roboto_orgs.jwt_claim = 'email';
SET ROLE roboto_test_api;
SET request.jwt.claims = '{"sub": "dave", "email": "bob"}';
SELECT is(pg_temp.access(:'acme'), 'member=true user=true admin=true owner=false', 'roboto_orgs.jwt_claim = email: the email claim names the caller');
RESET ROLE;
RESET roboto_orgs.jwt_claim;
RESET request.jwt.claims;
SET ROLE roboto_test_api;

-- Changes are seen at once, within the transaction
SET roboto_orgs.user_id = 'alice';
SELECT lives_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'carol', 'admin'), 'carol becomes admin');
SET roboto_orgs.user_id = 'carol';
SELECT is(pg_temp.access(:'acme'), 'member=true user=true admin=true owner=false', 'has_role() sees the new role');
SELECT lives_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'carol'), 'carol leaves');
SELECT is(pg_temp.access(:'acme'), 'member=false user=false admin=false owner=false', 'is_member() sees that she left');

-- Per row in a query: a different org on every row
RESET ROLE;
CREATE TABLE public.rls_projects (id int PRIMARY KEY, org_id text NOT NULL REFERENCES roboto_orgs.orgs (org_id), title text NOT NULL);
INSERT INTO public.rls_projects VALUES (1, :'acme', 'Acme rocket'), (2, :'daveco', 'Dave''s drone'), (3, :'acme', 'Acme arm');
GRANT SELECT, INSERT, UPDATE, DELETE ON public.rls_projects TO roboto_test_api;
ALTER TABLE public.rls_projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_members ON public.rls_projects FOR SELECT USING (roboto_orgs.is_member(org_id));
CREATE POLICY write_admins ON public.rls_projects FOR INSERT WITH CHECK (roboto_orgs.has_role(org_id, 'admin'));
CREATE POLICY update_admins ON public.rls_projects FOR UPDATE USING (roboto_orgs.has_role(org_id, 'admin'));
CREATE POLICY delete_owners ON public.rls_projects FOR DELETE USING (roboto_orgs.has_role(org_id, 'owner'));
SET ROLE roboto_test_api;

SET roboto_orgs.user_id = 'alice';
SELECT results_eq($$SELECT id FROM public.rls_projects ORDER BY id$$, ARRAY[1, 3], 'RLS: alice sees Acme''s rows');
SET roboto_orgs.user_id = 'dave';
SELECT results_eq($$SELECT id FROM public.rls_projects ORDER BY id$$, ARRAY[2], 'RLS: dave sees his org''s rows');
SET roboto_orgs.user_id = 'bob';
SELECT results_eq($$SELECT id FROM public.rls_projects ORDER BY id$$, ARRAY[1, 3], 'RLS: bob (admin) sees Acme''s rows');
SET roboto_orgs.user_id = 'carol';
SELECT is_empty($$SELECT id FROM public.rls_projects$$, 'RLS: carol, who left, sees nothing');
RESET roboto_orgs.user_id;
SELECT is_empty($$SELECT id FROM public.rls_projects$$, 'RLS: an anonymous caller sees nothing');

SET roboto_orgs.user_id = 'bob';
SELECT lives_ok(format('INSERT INTO public.rls_projects VALUES (4, %L, %L)', :'acme', 'Acme gripper'), 'RLS: an admin inserts');
SELECT throws_ok(format('INSERT INTO public.rls_projects VALUES (5, %L, %L)', :'daveco', 'Not bob''s'), '42501', NULL,
                 'RLS: inserting into another org: 42501');
SELECT results_eq($$WITH u AS (UPDATE public.rls_projects SET title = title || '!' RETURNING id) SELECT id FROM u ORDER BY id$$,
                  ARRAY[1, 3, 4], 'RLS: an admin updates their org''s rows only');
SELECT is_empty($$WITH d AS (DELETE FROM public.rls_projects RETURNING id) SELECT id FROM d$$, 'RLS: an admin deletes nothing (owners only)');
SET roboto_orgs.user_id = 'alice';
SELECT results_eq($$WITH d AS (DELETE FROM public.rls_projects WHERE id = 4 RETURNING id) SELECT id FROM d$$, ARRAY[4],
                  'RLS: an owner deletes');
SET request.jwt.claims = '{"sub": "dave"}';
SELECT results_eq($$SELECT title FROM public.rls_projects$$, ARRAY['Dave''s drone'], 'RLS: the JWT caller''s rows');
RESET request.jwt.claims;

-- The helpers run in the caller's query without table privileges of their own
RESET ROLE;
SELECT is(has_table_privilege('roboto_test_api', 'roboto_orgs.org_members', 'SELECT'), false,
          'the API role has no privilege on the memberships table');
SELECT is(has_function_privilege('roboto_test_api', 'roboto_orgs.is_member(text)', 'EXECUTE'), true, 'it may execute is_member()');
SELECT is(has_function_privilege('roboto_test_api', 'roboto_orgs.has_role(text, roboto_orgs.org_role_name)', 'EXECUTE'), true,
          'it may execute has_role()');

-- Labels: usable in policies and parallel queries
SELECT is((SELECT provolatile FROM pg_proc WHERE oid = 'roboto_orgs.is_member(text)'::regprocedure), 's', 'is_member() is STABLE');
SELECT is((SELECT provolatile FROM pg_proc WHERE oid = 'roboto_orgs.has_role(text, roboto_orgs.org_role_name)'::regprocedure), 's',
          'has_role() is STABLE');

SELECT * FROM finish();
ROLLBACK;
