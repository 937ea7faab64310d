-- Data for bench/rls.sh. Variables: rows, orgs, caller_orgs, seed (psql -v).
-- 10k orgs, each with an owner; the caller, bench_caller, is a member of
-- :caller_orgs of them (every (orgs/caller_orgs)-th org, half as user, half as
-- user+admin); :rows app rows spread uniformly at random over the orgs with a
-- fixed seed, so every run builds the same table.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION roboto_orgs;

-- Bulk load as superuser with the per-row triggers off (session_replication_role
-- = replica skips ordinary and foreign-key triggers): the rows satisfy the
-- invariants by construction, and the checks below prove it set-wise.
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO roboto_orgs.users (user_id, email)
  SELECT 'u' || i, 'u' || i || '@example.com' FROM generate_series(1, 1000) i;
INSERT INTO roboto_orgs.users (user_id, email) VALUES ('bench_caller', 'caller@example.com');
INSERT INTO roboto_orgs.orgs (org_id, name, created_by)
  SELECT 'og_' || md5('bench-org-' || i), 'Bench org ' || i, 'u' || (1 + (i - 1) % 1000)
  FROM generate_series(1, :orgs) i;
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles)
  SELECT 'og_' || md5('bench-org-' || i), 'u' || (1 + (i - 1) % 1000), '{owner}'
  FROM generate_series(1, :orgs) i;
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles)
  SELECT 'og_' || md5('bench-org-' || i), 'bench_caller',
         CASE WHEN (i / (:orgs / :caller_orgs)) % 2 = 0 THEN '{user}' ELSE '{user,admin}' END::roboto_orgs.org_role_name[]
  FROM generate_series(1, :orgs) i WHERE i % (:orgs / :caller_orgs) = 0;
COMMIT;
-- What the skipped triggers would have enforced
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM roboto_orgs.orgs o WHERE NOT EXISTS (
       SELECT 1 FROM roboto_orgs.org_members m WHERE m.org_id = o.org_id AND 'owner' = ANY (m.roles)))
     OR EXISTS (SELECT 1 FROM roboto_orgs.org_members m WHERE cardinality(m.roles) = 0
       OR NOT EXISTS (SELECT 1 FROM roboto_orgs.orgs o WHERE o.org_id = m.org_id)
       OR NOT EXISTS (SELECT 1 FROM roboto_orgs.users u WHERE u.user_id = m.user_id)) THEN
    RAISE EXCEPTION 'bulk load broke an invariant';
  END IF;
END $$;

-- The permission the has_permission policy asks for: held by role user
INSERT INTO roboto_orgs.role_permissions VALUES ('user', 'docs:read');

CREATE SCHEMA bench;
SELECT setseed(:seed);
CREATE TABLE bench.docs (id bigint PRIMARY KEY, org_id text NOT NULL, title text NOT NULL);
INSERT INTO bench.docs
  SELECT g, 'og_' || md5('bench-org-' || (1 + floor(random() * :orgs))::int), 'document ' || g
  FROM generate_series(1, :rows) g;
ALTER TABLE bench.docs ADD FOREIGN KEY (org_id) REFERENCES roboto_orgs.orgs (org_id);
CREATE INDEX ON bench.docs (org_id);
VACUUM (FREEZE, ANALYZE) bench.docs;
ANALYZE roboto_orgs.users, roboto_orgs.orgs, roboto_orgs.org_members;

-- The app's role, as PostgREST's "authenticated"
CREATE ROLE bench_app;
SELECT roboto_orgs.grant_api_access('bench_app');
GRANT USAGE ON SCHEMA bench TO bench_app;
GRANT SELECT ON bench.docs TO bench_app;
ALTER TABLE bench.docs ENABLE ROW LEVEL SECURITY;

-- The Supabase pattern: a SECURITY DEFINER set-returning SQL helper, used as
-- org_id IN (SELECT helper()), so it runs once per query.
CREATE FUNCTION bench.sb_org_ids() RETURNS SETOF text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''
AS $$ SELECT m.org_id FROM roboto_orgs.org_members m WHERE m.user_id = roboto_orgs.caller_id() $$;

-- The basejump pattern: a SECURITY DEFINER SQL helper called per row (SET
-- search_path and SECURITY DEFINER keep it from being inlined).
CREATE FUNCTION bench.sd_is_member(org text) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''
AS $$ SELECT EXISTS (SELECT 1 FROM roboto_orgs.org_members m
                     WHERE m.org_id = org AND m.user_id = roboto_orgs.caller_id()) $$;
GRANT EXECUTE ON FUNCTION bench.sb_org_ids(), bench.sd_is_member(text) TO bench_app;

-- Time of one run of a query after an optional warm-up run, with the plan's
-- scan nodes; runs as the calling role, so the policies apply.
CREATE FUNCTION bench.time_query(q text, warmup boolean, OUT ms numeric, OUT result bigint, OUT plan text)
  LANGUAGE plpgsql
AS $$
DECLARE
  t0 timestamptz;
  line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    IF line ~ 'Scan|SubPlan|Join' THEN
      plan := concat_ws(', ', plan, regexp_replace(btrim(line), '^->\s*| on bench\.docs', '', 'g'));
    END IF;
  END LOOP;
  IF warmup THEN
    EXECUTE q INTO result;
  END IF;
  t0 := clock_timestamp();
  EXECUTE q INTO result;
  ms := round((extract(epoch FROM clock_timestamp() - t0) * 1000)::numeric, 1);
END;
$$;
GRANT EXECUTE ON FUNCTION bench.time_query(text, boolean) TO bench_app;

CREATE TABLE bench.results (n int, policy text, using_clause text, round int, ms numeric, visible bigint, plan text);
GRANT INSERT, SELECT ON bench.results TO bench_app;
