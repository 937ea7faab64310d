-- One timed run of one policy variant of bench/rls.sh: psql -v n=... -v name=...
-- -v using=... (empty: no RLS) -v round=... -v warmup=true|false
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP POLICY IF EXISTS p ON bench.docs;
SELECT CASE WHEN :'using' = '' THEN 'ALTER TABLE bench.docs DISABLE ROW LEVEL SECURITY'
            ELSE 'ALTER TABLE bench.docs ENABLE ROW LEVEL SECURITY' END \gexec
SELECT format('CREATE POLICY p ON bench.docs FOR SELECT TO bench_app USING (%s)', :'using')
  WHERE :'using' <> '' \gexec
SET ROLE bench_app;
SET request.jwt.claims = :'claims';
SET roboto_orgs.user_id = :'user_id';
INSERT INTO bench.results (n, policy, using_clause, round, ms, visible, plan)
  SELECT :n, :'name', :'using', :round, t.ms, t.result, t.plan
  FROM bench.time_query('SELECT count(*) FROM bench.docs', :warmup) t;
