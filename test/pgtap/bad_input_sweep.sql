-- Bad input, swept over every API function from the catalog (functions added
-- later are swept too): each argument in turn gets NULL, an empty string, a
-- 1 MB string, invalid enum or boolean or number text, through PostgREST's
-- argument typing (json_to_record), as an owner and as the trusted service.
-- Every call answers with a documented SQLSTATE (400 for arguments that do
-- not parse, the function's COMMENT lists what it raises), nothing crashes,
-- no error echoes more than a bounded part of its input (ro_echo: 64
-- characters per echoed value), and the tables are byte-for-byte unchanged
-- afterwards.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir postgrest_helpers.psql
SELECT plan(13);

DO $$
BEGIN
  PERFORM roboto_orgs.create_user(u) FROM unnest(ARRAY['alice', 'bob', 'carol', 'dave']) u;
END
$$;
SET roboto_orgs.user_id = 'alice';
SELECT (roboto_orgs.create_org('Acme')).org_id AS acme \gset
SELECT (roboto_orgs.invite_user(:'acme', 'bob')).invite_id AS inv_bob \gset
SELECT (roboto_orgs.invite_user(:'acme', 'dave')).invite_id AS inv \gset
SET roboto_orgs.user_id = 'bob';
SELECT roboto_orgs.accept_invite(:'inv_bob') IS NOT NULL AS joined \gset
RESET roboto_orgs.user_id;
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;

-- A valid value for each argument, so that one bad argument is the reason a call fails
CREATE FUNCTION pg_temp.base_value(fn text, arg text, typ oid) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN fn = 'create_user' AND arg = 'user_id' THEN '"sweep-new"'
    WHEN arg = 'org' THEN to_jsonb(current_setting('sweep.acme'))
    WHEN arg = 'user_id' THEN '"bob"'
    WHEN arg = 'invited_user_id' THEN '"carol"'
    WHEN arg = 'invite_id' THEN to_jsonb(current_setting('sweep.inv'))
    WHEN arg = 'name' THEN '"Sweep Name"'
    WHEN arg = 'email' THEN '"sweep@example.com"'
    WHEN arg = 'picture_url' THEN '"https://example.com/p.png"'
    WHEN arg IN ('role', 'role_name') THEN '"admin"'
    WHEN arg = 'add_roles' THEN '["admin"]'
    WHEN arg = 'remove_roles' THEN '["user"]'
    WHEN arg = 'status' THEN '"active"'
    WHEN arg = 'tier' THEN '"premium"'
    WHEN arg = 'data_region' THEN '"eu-west"'
    WHEN arg = 'max_rows' THEN '10'
    WHEN arg LIKE '%domain%' AND t.typcategory <> 'B' THEN '"example.com"'
    WHEN t.typtype = 'e' THEN to_jsonb((SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder LIMIT 1))
    WHEN et.typtype = 'e' THEN jsonb_build_array((SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = et.oid ORDER BY e.enumsortorder LIMIT 1))
    WHEN t.typcategory = 'B' THEN 'false'
    WHEN t.typcategory = 'N' THEN '0'
    ELSE '"x"'
  END
  FROM pg_type t LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
  WHERE t.oid = typ
$$;
SELECT set_config('sweep.acme', :'acme', true), set_config('sweep.inv', :'inv', true) \gset

-- The bad values for an argument of a type: (variant, value)
CREATE FUNCTION pg_temp.bad_values(typ oid) RETURNS TABLE (variant text, val jsonb) LANGUAGE sql STABLE AS $$
  SELECT v.variant, v.val
  FROM pg_type t LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A',
  LATERAL (
    SELECT 'null', 'null'::jsonb
    UNION ALL SELECT 'empty', '""' WHERE t.typcategory <> 'A'
    UNION ALL SELECT '1MB', to_jsonb(repeat('a', 1048576)) WHERE t.typcategory NOT IN ('A', 'B', 'N', 'E')
    UNION ALL SELECT 'sql', to_jsonb($q$x'); DROP TABLE roboto_orgs.orgs; --$q$::text) WHERE t.typcategory NOT IN ('A', 'B', 'N')
    UNION ALL SELECT 'invalid enum', '"bogus"' WHERE t.typtype = 'e'
    UNION ALL SELECT 'invalid enum', '["bogus"]' WHERE et.typtype = 'e'
    UNION ALL SELECT 'null element', '[null]' WHERE t.typcategory = 'A'
    UNION ALL SELECT 'not an array', '"admin"' WHERE t.typcategory = 'A'
    UNION ALL SELECT 'invalid boolean', '"maybe"' WHERE t.typcategory = 'B'
    UNION ALL SELECT 'invalid number', '"NaN"' WHERE t.typcategory = 'N'
    UNION ALL SELECT 'huge number', '1e30' WHERE t.typcategory = 'N'
    UNION ALL SELECT 'negative', '-1' WHERE t.typcategory = 'N'
  ) v(variant, val)
  WHERE t.oid = typ
$$;

CREATE FUNCTION pg_temp.table_digest() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  t regclass;
  d text;
  all_d text := '';
BEGIN
  FOR t IN SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'roboto_orgs'::regnamespace AND c.relkind = 'r' ORDER BY c.relname LOOP
    EXECUTE format('SELECT md5(COALESCE(string_agg(r::text, E''\n'' ORDER BY r::text), '''')) FROM %s r', t) INTO STRICT d;
    all_d := all_d || t::text || '=' || d || ' ';
  END LOOP;
  RETURN all_d;
END
$$;
SELECT pg_temp.table_digest() AS digest_before \gset

-- The sweep: for each API function, caller and argument, each bad value in
-- place of the argument's valid value; every request rolled back (the
-- deprecation WARNINGs of modify_role_for_user() silenced)
SET LOCAL client_min_messages = error;
CREATE TEMP TABLE sweep AS
SELECT f AS fn, p.proname::text, p.provolatile, obj_description(f, 'pg_proc') AS doc, c.ctx, a.name AS arg, NOT a.has_default AS required,
       b.variant, r ->> 'status' AS status, r -> 'body' ->> 'code' AS code, r ->> 'phase' AS phase,
       CASE WHEN (r ->> 'status')::int < 300 THEN r -> 'body' END AS body, left(r -> 'body' ->> 'message', 200) AS message,
       coalesce(length(r -> 'body' ->> 'message'), 0) + coalesce(length(r -> 'body' ->> 'details'), 0)
         + coalesce(length(r -> 'body' ->> 'hint'), 0) AS error_len
FROM unnest(roboto_orgs.api_functions()) f
JOIN pg_proc p ON p.oid = f AND pg_temp.callable(f)
CROSS JOIN (VALUES ('owner', pg_temp.jwt('alice')), ('service', pg_temp.jwt(NULL, 'roboto_orgs_service'))) c(ctx, jwt)
CROSS JOIN LATERAL pg_temp.pgrst_args(f) a
CROSS JOIN LATERAL pg_temp.bad_values(a.typ) b
CROSS JOIN LATERAL (
  SELECT jsonb_object_agg(o.name, CASE WHEN o.pos = a.pos THEN b.val ELSE pg_temp.base_value(p.proname, o.name, o.typ) END) AS args
  FROM pg_temp.pgrst_args(f) o
) x
CROSS JOIN LATERAL pg_temp.pgrst('POST', p.proname, x.args, c.jwt, true) r;
RESET client_min_messages;

SELECT cmp_ok((SELECT count(*)::int FROM sweep), '>', 300, 'the sweep made hundreds of calls');
SELECT is(ARRAY(SELECT DISTINCT proname FROM sweep ORDER BY 1),
          ARRAY(SELECT DISTINCT p.proname::text FROM unnest(roboto_orgs.api_functions()) f JOIN pg_proc p ON p.oid = f
                WHERE p.pronargs > 0 AND pg_temp.callable(f) ORDER BY 1),
          'every API function with (named) arguments was swept');
SELECT is(ARRAY(SELECT format('%s %s=%s as %s: %s %s', fn, arg, variant, ctx, status, code) FROM sweep WHERE status IS NULL OR status::int >= 500),
          '{}'::text[], 'no call answered 5xx (no internal error, no crash)');
SELECT is(ARRAY(SELECT format('%s %s=%s as %s: %s %s', fn, arg, variant, ctx, status, code) FROM sweep
                WHERE phase = 'input' AND (code NOT LIKE '22%' OR status <> '400')),
          '{}'::text[], 'an argument that does not parse is a class 22 error, HTTP 400');
SELECT is(ARRAY(SELECT format('%s %s=%s as %s: %s %s', fn, arg, variant, ctx, code, message) FROM sweep
                WHERE phase = 'call' AND position(code IN COALESCE(doc, '')) = 0),
          '{}'::text[], 'every error a function raises is a SQLSTATE its COMMENT lists');
SELECT is(ARRAY(SELECT format('%s %s=null as %s: %s %s', fn, arg, ctx, status, COALESCE(code, body::text)) FROM sweep
                WHERE variant = 'null' AND required
                  AND CASE WHEN position('22004' IN COALESCE(doc, '')) > 0 THEN COALESCE(code, '') <> '22004'
                           ELSE NOT (status = '200' AND body IN ('null', 'false', '[]')) END),
          '{}'::text[], 'NULL for a required argument: 22004 (HTTP 400), or nothing from the RLS helpers that document NULL as false');
SELECT is(ARRAY(SELECT format('%s %s=%s as %s: %s %s', fn, arg, variant, ctx, status, code) FROM sweep
                WHERE variant = 'invalid enum' AND NOT (status = '400' AND code = '22P02' AND phase = 'input')),
          '{}'::text[], 'an invalid enum label: 22P02 (HTTP 400) before the function runs');
SELECT is(ARRAY(SELECT format('%s %s=%s as %s: %s', fn, arg, variant, ctx, status) FROM sweep
                WHERE provolatile = 'v' AND status::int < 400 AND variant <> 'sql' AND (required OR variant IN ('1MB', 'invalid enum', 'null element'))),
          '{}'::text[], 'no write succeeds with a bad required argument, a 1 MB string, an invalid enum or a NULL role');
SELECT is(ARRAY(SELECT format('%s %s=%s as %s: %s %s', fn, arg, variant, ctx, status, body) FROM sweep
                WHERE provolatile <> 'v' AND required AND variant IN ('empty', '1MB', 'sql') AND status::int < 400
                  AND body NOT IN ('null', 'false', '[]')),
          '{}'::text[], 'no read answers data for an empty, 1 MB or SQL-bearing required argument');
SELECT is(ARRAY(SELECT format('%s %s=%s as %s: %s %s', fn, arg, variant, ctx, status, code) FROM sweep
                WHERE status::int BETWEEN 400 AND 499 AND code IS NULL),
          '{}'::text[], 'every 4xx carries its SQLSTATE');
SELECT is(ARRAY(SELECT format('%s %s=%s as %s: %s %s characters', fn, arg, variant, ctx, code, error_len) FROM sweep
                WHERE status::int >= 400 AND error_len >= 600),
          '{}'::text[], 'input echoed in an error is bounded: message, details and hint stay short, 1 MB arguments included');
SELECT is(pg_temp.table_digest(), :'digest_before', 'the tables are byte-for-byte unchanged after the sweep');
SELECT is((SELECT count(*)::int FROM pg_class c WHERE c.relnamespace = 'roboto_orgs'::regnamespace AND c.relname = 'orgs'), 1,
          'and roboto_orgs.orgs is still there');

SELECT * FROM finish();
ROLLBACK;
