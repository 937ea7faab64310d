-- The per-query cache of has_role() and is_member(), and caller_org_ids().
-- has_role/is_member keep the caller's memberships in the call site's
-- fn_extra, which plpgsql keeps for a whole transaction for "simple
-- expressions" (x := has_role(...)). These tests evaluate one such call site
-- again and again from a plpgsql loop while roles, the caller and the
-- transaction state change between evaluations, and check that every
-- evaluation gives the answer a fresh lookup would.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(37);

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

-- Runs steps in order, all in one call, so that the check below is one plpgsql
-- simple expression (one call site, one cache) evaluated at every 'check':
--   'as <user>'  caller := user via set_config as a simple expression (no
--                statement, no new snapshot contents): '' makes it anonymous;
--   'jwt <user>' request.jwt.claims := {"sub": user} the same way;
--   'check'      appends A (admin), M (member, not admin) or - (neither);
--   otherwise    the step is an SQL statement, run with EXECUTE.
CREATE FUNCTION pg_temp.run(org text, steps text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  s text;
  x text;
  out text := '';
BEGIN
  FOREACH s IN ARRAY steps LOOP
    IF s LIKE 'as %' THEN
      x := set_config('roboto_orgs.user_id', substr(s, 4), true);
    ELSIF s LIKE 'jwt %' THEN
      x := set_config('request.jwt.claims', json_build_object('sub', substr(s, 5))::text, true);
    ELSIF s = 'check' THEN
      out := out || CASE WHEN roboto_orgs.has_role(org, 'admin') THEN 'A'
                         WHEN roboto_orgs.is_member(org) THEN 'M' ELSE '-' END;
    ELSE
      EXECUTE s;
    END IF;
  END LOOP;
  RETURN out;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.run(text, text[]) TO roboto_test_api;

SET ROLE roboto_test_api;

--------------------------------------------------------------------------------
-- Statement by statement
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'carol';
SELECT is(roboto_orgs.has_role(:'acme', 'admin'), false, 'carol is not an admin of Acme');
SET roboto_orgs.user_id = 'alice';
SELECT lives_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'carol', 'admin'), 'alice grants carol admin');
SET roboto_orgs.user_id = 'carol';
SELECT is(roboto_orgs.has_role(:'acme', 'admin'), true, 'the next statement sees the granted role');
SET roboto_orgs.user_id = 'dave';
SELECT is(roboto_orgs.has_role(:'acme', 'admin'), false, 'the caller switched between statements: dave is not');
SET roboto_orgs.user_id = 'alice';
SELECT lives_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'carol', 'admin'), 'alice removes it');
SET roboto_orgs.user_id = 'carol';
SELECT is(roboto_orgs.has_role(:'acme', 'admin'), false, 'the next statement sees the removal');
RESET roboto_orgs.user_id;
SELECT is(roboto_orgs.has_role(:'acme', 'user'), false, 'anonymous: false');
SELECT is(roboto_orgs.is_member(:'acme'), false, 'anonymous: is_member false, no error');

--------------------------------------------------------------------------------
-- One call site evaluated again and again (plpgsql keeps its state)
--------------------------------------------------------------------------------
SELECT is(pg_temp.run(:'acme', ARRAY[
  'as carol', 'check',
  'as alice', format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'carol', 'admin'),
  'as carol', 'check',
  'as alice', format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'carol', 'admin'),
  'as carol', 'check',
  'as alice', format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'carol'),
  'as carol', 'check']),
  'MAM-', 'loop: a grant, a removal and leaving are each seen by the next evaluation');

SELECT is(pg_temp.run(:'acme', ARRAY['as alice', 'check', 'as bob', 'check', 'as dave', 'check', 'as alice', 'check', 'as ', 'check', 'as bob', 'check']),
  'AA-A-A', 'loop: the caller switched by set_config between evaluations, snapshot unchanged; anonymous gets -');

SELECT is(pg_temp.run(:'acme', ARRAY['as dave', 'jwt alice', 'check', 'jwt dave', 'check', 'jwt bob', 'check', 'jwt ', 'check']),
  'A-A-', 'loop: request.jwt.claims switched between evaluations (an empty sub falls back to roboto_orgs.user_id)');
SELECT is(pg_temp.run(:'acme', ARRAY['as ', 'jwt ', 'check', 'jwt alice', 'check']), '-A',
  'loop: anonymous then a JWT caller');
RESET request.jwt.claims;

SELECT is(pg_temp.run(:'acme', ARRAY['as alice', 'check',
  'SET LOCAL roboto_orgs.user_id = ''dave''', 'check',
  'RESET roboto_orgs.user_id', 'check',
  'SELECT set_config(''roboto_orgs.user_id'', ''bob'', true)', 'check']),
  'A--A', 'loop: SET LOCAL, RESET and set_config() statements between evaluations');

-- Another transaction's commit cannot be shown inside one transaction here;
-- test/specs/rls_cache.spec does that. Rolled back subtransactions:
CREATE FUNCTION pg_temp.savepoints(org text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  out text := '';
  x text;
BEGIN
  x := set_config('roboto_orgs.user_id', 'alice', true);
  FOR i IN 1 .. 4 LOOP
    BEGIN
      IF i = 2 THEN
        x := set_config('roboto_orgs.user_id', 'alice', true);
        PERFORM roboto_orgs.add_role_for_user(org, 'bob', 'owner');
        x := set_config('roboto_orgs.user_id', 'bob', true);
      END IF;
      out := out || CASE WHEN roboto_orgs.has_role(org, 'owner') THEN 'O' ELSE '-' END;
      IF i = 2 THEN
        RAISE EXCEPTION 'undo';
      END IF;
      x := set_config('roboto_orgs.user_id', 'bob', true);
    EXCEPTION WHEN raise_exception THEN
      out := out || 'u';
    END;
  END LOOP;
  RETURN out;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.savepoints(text) TO roboto_test_api;
-- i=1 alice: O; i=2 bob made owner in a subtransaction: O, then rolled back:
-- u; i=3 bob, nothing written since, so the snapshot has the same xmin, xmax
-- and curcid, but the grant is gone: -; i=4: -
SELECT is(pg_temp.savepoints(:'acme'), 'OOu--', 'loop: a role granted in a rolled back subtransaction is gone at the next evaluation');

--------------------------------------------------------------------------------
-- In a policy, per row, and the planned-once helper
--------------------------------------------------------------------------------
RESET ROLE;
CREATE TABLE public.rls_cache_docs (id int PRIMARY KEY, org_id text NOT NULL REFERENCES roboto_orgs.orgs (org_id));
INSERT INTO public.rls_cache_docs SELECT g, CASE WHEN g % 3 = 0 THEN :'daveco' ELSE :'acme' END FROM generate_series(1, 300) g;
ANALYZE public.rls_cache_docs;
GRANT SELECT ON public.rls_cache_docs TO roboto_test_api;
ALTER TABLE public.rls_cache_docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_role ON public.rls_cache_docs FOR SELECT USING (roboto_orgs.has_role(org_id, 'user'));
CREATE POLICY planned_once ON public.rls_cache_docs AS RESTRICTIVE FOR SELECT
  USING (current_setting('test.policy', true) IS DISTINCT FROM 'planned_once'
         OR org_id IN (SELECT roboto_orgs.caller_org_ids()));
CREATE POLICY planned_once_any ON public.rls_cache_docs AS RESTRICTIVE FOR SELECT
  USING (current_setting('test.policy', true) IS DISTINCT FROM 'planned_once_any'
         OR org_id = ANY (ARRAY(SELECT roboto_orgs.caller_org_ids('admin'))));
SET ROLE roboto_test_api;

SET roboto_orgs.user_id = 'alice';
SELECT is((SELECT count(*) FROM public.rls_cache_docs), 200::bigint, 'policy: alice sees Acme''s 200 rows');
SET roboto_orgs.user_id = 'dave';
SELECT is((SELECT count(*) FROM public.rls_cache_docs), 100::bigint, 'policy: dave sees his 100 rows');
RESET roboto_orgs.user_id;
SELECT is((SELECT count(*) FROM public.rls_cache_docs), 0::bigint, 'policy: anonymous sees nothing, no error');
SET roboto_orgs.user_id = 'bob';
SELECT is((SELECT count(*) FROM public.rls_cache_docs WHERE roboto_orgs.has_role(org_id, 'admin')), 200::bigint,
  'policy and query: two call sites, one cache each');

-- A parallel worker computes the same answers (settings and snapshot are the leader's)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
-- force_parallel_mode was renamed debug_parallel_query in PostgreSQL 16
SELECT set_config(CASE WHEN current_setting('server_version_num')::int >= 160000
                       THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END, 'on', false) \g /dev/null
SET request.jwt.claims = '{"sub": "dave"}';
SELECT is((SELECT count(*) FROM public.rls_cache_docs), 100::bigint, 'parallel query: the JWT caller''s rows');
RESET request.jwt.claims;
SET roboto_orgs.user_id = 'alice';
SET test.policy = 'planned_once';
SELECT is((SELECT count(*) FROM public.rls_cache_docs), 200::bigint, 'parallel query with caller_org_ids() too');
SELECT set_config(CASE WHEN current_setting('server_version_num')::int >= 160000
                       THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END, 'off', false) \g /dev/null
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;

SET roboto_orgs.user_id = 'bob';
SELECT is((SELECT count(*) FROM public.rls_cache_docs), 200::bigint, 'planned-once pattern: bob sees Acme''s rows');
SET test.policy = 'planned_once_any';
SELECT is((SELECT count(*) FROM public.rls_cache_docs), 200::bigint, 'planned once as = ANY (ARRAY(...)): bob, an admin, sees Acme''s rows');
SET roboto_orgs.user_id = 'dave';
SELECT is((SELECT count(*) FROM public.rls_cache_docs), 100::bigint, '... and dave, an owner, his');
SET roboto_orgs.user_id = 'bob';
RESET test.policy;

SELECT results_eq('SELECT * FROM roboto_orgs.caller_org_ids()', ARRAY[:'acme'], 'caller_org_ids(): bob''s org');
SELECT results_eq($$SELECT * FROM roboto_orgs.caller_org_ids('admin')$$, ARRAY[:'acme'], 'caller_org_ids(admin): bob is an admin');
SELECT is_empty($$SELECT * FROM roboto_orgs.caller_org_ids('owner')$$, 'caller_org_ids(owner): bob owns nothing');
SELECT is_empty($$SELECT * FROM roboto_orgs.caller_org_ids(NULL)$$, 'caller_org_ids(NULL): no rows');
RESET ROLE;
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'daveco', 'alice', '{user}');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT results_eq('SELECT * FROM roboto_orgs.caller_org_ids()', ARRAY(SELECT unnest(ARRAY[:'acme', :'daveco']) ORDER BY 1),
  'caller_org_ids(): every org of the caller, ordered by id');
RESET roboto_orgs.user_id;
SELECT is_empty('SELECT * FROM roboto_orgs.caller_org_ids()', 'caller_org_ids(): anonymous, no rows, no error');

--------------------------------------------------------------------------------
-- No SET search_path, and none needed
--------------------------------------------------------------------------------
RESET ROLE;
CREATE SCHEMA rls_evil;
CREATE FUNCTION rls_evil.always(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR rls_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = rls_evil.always);
CREATE TABLE rls_evil.org_members (org_id text, user_id text, roles text[]);
GRANT USAGE ON SCHEMA rls_evil TO roboto_test_api;
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'dave';
-- (pgTAP itself does not survive such a search_path: keep the answers in psql variables)
SET search_path = rls_evil, pg_catalog, public;
SELECT roboto_orgs.has_role(:'acme', 'user') AS evil_has_role, roboto_orgs.is_member(:'acme') AS evil_is_member,
       (SELECT count(*) FROM public.rls_cache_docs) AS evil_count,
       (SELECT string_agg(o, ',') FROM roboto_orgs.caller_org_ids() o) AS evil_orgs \gset
RESET search_path;
SELECT is(format('%s %s %s', :'evil_has_role', :'evil_is_member', :'evil_orgs'), format('f f %s', :'daveco'),
  'a search_path with its own = operator and org_members table changes nothing');
SELECT is(:'evil_count'::bigint, 100::bigint, 'nor does it in a policy');
RESET ROLE;
SELECT is((SELECT proconfig FROM pg_proc WHERE oid = 'roboto_orgs.has_role(text, roboto_orgs.org_role_name)'::regprocedure), NULL,
  'has_role() has no SET clause (it would cost microseconds per row)');
SELECT is((SELECT format('%s %s %s', provolatile, proisstrict, proparallel) FROM pg_proc WHERE oid = 'roboto_orgs.has_role(text, roboto_orgs.org_role_name)'::regprocedure),
  's f s', 'has_role(): STABLE, not STRICT (NULL gives false), PARALLEL SAFE');
SELECT is((SELECT format('%s %s %s', provolatile, proisstrict, proparallel) FROM pg_proc WHERE oid = 'roboto_orgs.is_member(text)'::regprocedure),
  's f s', 'is_member(): STABLE, not STRICT, PARALLEL SAFE');
SELECT is((SELECT format('%s %s %s %s', provolatile, proisstrict, proparallel, proretset) FROM pg_proc WHERE oid = 'roboto_orgs.caller_org_ids(roboto_orgs.org_role_name)'::regprocedure),
  's t s t', 'caller_org_ids(): STABLE, STRICT, PARALLEL SAFE, set-returning');
SELECT ok('roboto_orgs.caller_org_ids(roboto_orgs.org_role_name)'::regprocedure = ANY (roboto_orgs.api_functions()),
  'caller_org_ids() is an API function');

--------------------------------------------------------------------------------
-- Bounded memory: a caller with more memberships than are loaded at once
-- (10,000), asked about 60,000 orgs by one call site
--------------------------------------------------------------------------------
SET LOCAL session_replication_role = replica;  -- bulk load; the rows keep the invariants
INSERT INTO roboto_orgs.users (user_id) VALUES ('many');
INSERT INTO roboto_orgs.orgs (org_id, name) SELECT 'og_many_' || i, 'Many ' || i FROM generate_series(1, 12000) i;
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles)
  SELECT 'og_many_' || i, 'many', CASE WHEN i % 2 = 0 THEN '{user,admin,owner}' ELSE '{user}' END::roboto_orgs.org_role_name[]
  FROM generate_series(1, 12000) i;
RESET session_replication_role;

CREATE FUNCTION pg_temp.many() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  x text;
  members int := 0;
  admins int := 0;
  others int := 0;
  bytes bigint;
BEGIN
  x := set_config('roboto_orgs.user_id', 'many', true);
  FOR i IN 1 .. 60000 LOOP
    IF roboto_orgs.has_role(CASE WHEN i <= 12000 THEN 'og_many_' || i ELSE 'og_nope_' || i END, 'user') THEN
      members := members + 1;
      admins := admins + roboto_orgs.has_role('og_many_' || i, 'admin')::int;
    END IF;
  END LOOP;
  FOR i IN 1 .. 12000 LOOP
    others := others + roboto_orgs.is_member('og_many_' || i)::int;
  END LOOP;
  -- the largest cache: a full one would hold 60,000 entries (over 3 MB)
  SELECT max(total_bytes) INTO bytes FROM pg_backend_memory_contexts WHERE name = 'roboto_orgs rls cache';
  RETURN format('%s members, %s admins, %s again, %s', members, admins, others,
                CASE WHEN bytes < 2 * 1024 * 1024 THEN 'under 2 MB' ELSE bytes || ' bytes' END);
END
$$;
SELECT is(pg_temp.many(), '12000 members, 6000 admins, 12000 again, under 2 MB',
  '12,000 memberships, 60,000 orgs asked: right answers, cache memory bounded');

SELECT * FROM finish();
ROLLBACK;
