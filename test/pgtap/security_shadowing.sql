-- Security: what the caller puts on its search_path (temporary tables named
-- like the internal ones, functions and operators in public that shadow
-- pg_catalog's) changes no result; names and ids holding quotes, semicolons,
-- backslashes, SQL and format metacharacters and control characters are
-- stored and answered literally, through PostgREST's JSON too.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir postgrest_helpers.psql
SELECT plan(14);

DO $$
BEGIN
  PERFORM roboto_orgs.create_user(u) FROM unnest(ARRAY['alice', 'bob', 'carol', 'dave']) u;
END
$$;
SET roboto_orgs.user_id = 'alice';
SELECT (roboto_orgs.create_org('Acme')).org_id AS acme \gset
SELECT (roboto_orgs.invite_user(:'acme', 'bob')).invite_id AS inv_bob \gset
SELECT (roboto_orgs.invite_user(:'acme', 'carol')).invite_id AS inv \gset
SET roboto_orgs.user_id = 'bob';
SELECT roboto_orgs.accept_invite(:'inv_bob') IS NOT NULL AS joined \gset
SET roboto_orgs.user_id = 'alice';
SELECT roboto_orgs.add_role_for_user(:'acme', 'bob', 'admin') IS NOT NULL AS promoted \gset
RESET roboto_orgs.user_id;
INSERT INTO roboto_orgs.role_permissions VALUES ('user', 'sh:read'), ('admin', 'sh:write'), ('owner', 'sh:bill');
SELECT ARRAY(SELECT c.relname::text FROM pg_class c WHERE c.relnamespace = 'roboto_orgs'::regnamespace AND c.relkind = 'r' ORDER BY 1) AS tables \gset

--------------------------------------------------------------------------------
-- The same calls before and after shadowing, with a hostile search_path
--------------------------------------------------------------------------------
-- One call as an API role for a caller, under a search_path; rolled back, so
-- every call starts from the same data. Answers the result or the SQLSTATE.
CREATE FUNCTION pg_temp.run(caller text, q text, path text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  result jsonb;
BEGIN
  BEGIN
    PERFORM set_config('role', 'authenticated', true);
    PERFORM set_config('roboto_orgs.user_id', caller, true);
    PERFORM set_config('search_path', path, true);
    EXECUTE q INTO result;
    RAISE SQLSTATE 'PGRSR';
  EXCEPTION
    WHEN SQLSTATE 'PGRSR' THEN NULL;
    WHEN OTHERS THEN result := to_jsonb(SQLSTATE);
  END;
  RETURN result;
END
$$;
CREATE TEMP TABLE battery (label text, caller text, q text);
INSERT INTO battery VALUES
  ('get_org', 'alice', format('SELECT to_jsonb(r) FROM roboto_orgs.get_org(%L) r', :'acme')),
  ('orgs_for_self', 'alice', 'SELECT jsonb_agg(to_jsonb(r)) FROM roboto_orgs.orgs_for_self() r'),
  ('orgs_for_user', 'bob', 'SELECT jsonb_agg(to_jsonb(r)) FROM roboto_orgs.orgs_for_user(''bob'') r'),
  ('org_users', 'bob', format('SELECT jsonb_agg(to_jsonb(r)) FROM roboto_orgs.org_users(%L) r', :'acme')),
  ('org_invites', 'alice', format('SELECT jsonb_agg(to_jsonb(r)) FROM roboto_orgs.org_invites(%L) r', :'acme')),
  ('get_invite', 'carol', format('SELECT to_jsonb(r) FROM roboto_orgs.get_invite(%L) r', :'inv')),
  ('get_invite other', 'dave', format('SELECT to_jsonb(r) FROM roboto_orgs.get_invite(%L) r', :'inv')),
  ('rls alice', 'alice', format('SELECT jsonb_build_array(roboto_orgs.is_member(%L), roboto_orgs.has_role(%L, ''owner''), roboto_orgs.caller_id())', :'acme', :'acme')),
  ('rls bob', 'bob', format('SELECT jsonb_build_array(roboto_orgs.is_member(%L), roboto_orgs.has_role(%L, ''admin''), roboto_orgs.has_role(%L, ''owner''))', :'acme', :'acme', :'acme')),
  ('rls dave', 'dave', format('SELECT jsonb_build_array(roboto_orgs.is_member(%L), roboto_orgs.has_role(%L, ''user''))', :'acme', :'acme')),
  ('permissions bob', 'bob', format('SELECT jsonb_build_array(roboto_orgs.has_permission(%L, ''sh:write''), roboto_orgs.has_permission(%L, ''sh:bill''), (SELECT jsonb_agg(p) FROM roboto_orgs.my_permissions(%L) p), (SELECT jsonb_agg(o) FROM roboto_orgs.caller_org_ids_with(''sh:read'') o))', :'acme', :'acme', :'acme')),
  ('permissions dave', 'dave', format('SELECT jsonb_build_array(roboto_orgs.has_permission(%L, ''sh:read''), (SELECT jsonb_agg(p) FROM roboto_orgs.my_permissions(%L) p), (SELECT jsonb_agg(o) FROM roboto_orgs.caller_org_ids_with(''sh:read'') o))', :'acme', :'acme')),
  ('create_org', 'alice', 'SELECT to_jsonb(r) - ''org_id'' FROM roboto_orgs.create_org(''Shadow Co'') r'),
  ('create_org taken', 'alice', 'SELECT to_jsonb(r) FROM roboto_orgs.create_org(''ACME'') r'),
  ('create_org blank', 'alice', 'SELECT to_jsonb(r) FROM roboto_orgs.create_org(''  '') r'),
  ('create_org unknown caller', 'mallory', 'SELECT to_jsonb(r) FROM roboto_orgs.create_org(''Mallory Co'') r'),
  ('update_org name', 'bob', format('SELECT to_jsonb(r) FROM roboto_orgs.update_org(%L, name => ''Acme 2'') r', :'acme')),
  ('update_org taken', 'bob', format('SELECT to_jsonb(r) FROM roboto_orgs.update_org(%L, name => ''acme'') r', :'acme')),
  ('update_org backwards', 'alice', format('SELECT to_jsonb(r) FROM roboto_orgs.update_org(%L, status => ''provisioning'') r', :'acme')),
  ('update_org deprovision', 'alice', format('SELECT to_jsonb(r) FROM roboto_orgs.update_org(%L, status => ''de-provisioning'') r', :'acme')),
  ('add owner', 'alice', format('SELECT to_jsonb(r) FROM roboto_orgs.update_org_user(%L, ''bob'', add_roles => ''{owner}'') r', :'acme')),
  ('admin adds owner', 'bob', format('SELECT to_jsonb(r) FROM roboto_orgs.add_role_for_user(%L, ''bob'', ''owner'') r', :'acme')),
  ('admin removes owner', 'bob', format('SELECT to_jsonb(r) FROM roboto_orgs.remove_user(%L, ''alice'') r', :'acme')),
  ('last owner', 'alice', format('SELECT to_jsonb(r) FROM roboto_orgs.remove_user(%L, ''alice'') r', :'acme')),
  ('invite', 'alice', format('SELECT to_jsonb(r) - ''invite_id'' FROM roboto_orgs.invite_user(%L, ''dave'') r', :'acme')),
  ('invite again', 'alice', format('SELECT to_jsonb(r) FROM roboto_orgs.invite_user(%L, ''carol'') r', :'acme')),
  ('invite member', 'alice', format('SELECT to_jsonb(r) FROM roboto_orgs.invite_user(%L, ''bob'') r', :'acme')),
  ('accept', 'carol', format('SELECT to_jsonb(r) FROM roboto_orgs.accept_invite(%L) r', :'inv')),
  ('accept other', 'dave', format('SELECT to_jsonb(r) FROM roboto_orgs.accept_invite(%L) r', :'inv')),
  ('decline', 'carol', format('SELECT to_jsonb(roboto_orgs.decline_invite(%L)::text)', :'inv')),
  ('revoke', 'alice', format('SELECT to_jsonb(roboto_orgs.revoke_invite(%L)::text)', :'inv')),
  ('events', 'alice', format('SELECT jsonb_agg(r.kind ORDER BY r.event_id) FROM roboto_orgs.org_events(%L) r', :'acme')),
  ('events other', 'carol', format('SELECT jsonb_agg(r.kind) FROM roboto_orgs.org_events(%L) r', :'acme')),
  ('delete', 'alice', format('SELECT to_jsonb(roboto_orgs.delete_org(%L)::text)', :'acme')),
  ('delete by admin', 'bob', format('SELECT to_jsonb(roboto_orgs.delete_org(%L)::text)', :'acme'));
CREATE FUNCTION pg_temp.battery(path text) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_object_agg(label, pg_temp.run(caller, q, path)) FROM battery
$$;
SELECT pg_temp.battery('public') AS before \gset

-- The shadows: temporary tables named like the extension's tables and types,
-- functions and operators in public that shadow pg_catalog's when public
-- comes first on the search_path
CREATE TEMP TABLE orgs (org_id text, name text, tier text, status text, data_region text, created timestamptz, created_by text);
INSERT INTO orgs VALUES (:'acme', 'Evil', 'premium', 'provisioning', 'eu-west', now(), 'mallory');
CREATE TEMP TABLE org_members (org_id text, user_id text, roles text[], created timestamptz);
INSERT INTO org_members VALUES (:'acme', 'dave', '{owner}', now()), (:'acme', 'carol', '{owner}', now());
CREATE TEMP TABLE users (user_id text, email text, name text, picture_url text, is_service_user boolean, is_system_user boolean, created timestamptz);
INSERT INTO users VALUES ('mallory', NULL, 'Mallory', NULL, true, true, now());
CREATE TEMP TABLE org_invites (invite_id text, org_id text, user_id text, invited_by text, status text, created timestamptz, expires timestamptz, answered timestamptz);
INSERT INTO org_invites VALUES (:'inv', :'acme', 'dave', 'mallory', 'pending', now(), now() + interval '1 day', NULL);
CREATE TEMP TABLE events (event_id bigint, org_id text, kind text);
INSERT INTO events VALUES (1, :'acme', 'evil');
CREATE TEMP TABLE tier_limits (tier text, max_members integer, max_email_domains integer);
INSERT INTO tier_limits VALUES ('free', 0, 0);
CREATE TEMP TABLE role_permissions (role text, permission text);
INSERT INTO role_permissions VALUES ('user', 'sh:bill'), ('user', 'sh:write');
CREATE TEMP TABLE org_record (x integer);
CREATE TEMP TABLE org_role_name (x integer);
DO $$
DECLARE
  t text;
  i integer := 0;
BEGIN
  FOREACH t IN ARRAY ARRAY['text', 'roboto_orgs.org_role_name', 'roboto_orgs.org_status', 'roboto_orgs.org_invite_status'] LOOP
    i := i + 1;
    EXECUTE format('CREATE FUNCTION public.evil_eq%s(%s, %s) RETURNS boolean LANGUAGE sql IMMUTABLE AS ''SELECT true''', i, t, t);
    EXECUTE format('CREATE OPERATOR public.= (LEFTARG = %s, RIGHTARG = %s, FUNCTION = public.evil_eq%s)', t, t, i);
  END LOOP;
END
$$;
CREATE FUNCTION public.evil_ne(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT false';
CREATE OPERATOR public.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = public.evil_ne);
CREATE FUNCTION public.evil_le(timestamptz, timestamptz) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR public.<= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = public.evil_le);
CREATE FUNCTION public.evil_gt(timestamptz, timestamptz) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT false';
CREATE OPERATOR public.> (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = public.evil_gt);
CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT ''evil''';
CREATE FUNCTION public.btrim(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT ''''';
CREATE FUNCTION public.length(text) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 0';
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql STABLE AS 'SELECT ''2000-01-01''::pg_catalog.timestamptz';
CREATE FUNCTION public.count(text) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT 0::bigint';
CREATE FUNCTION public.evil_le_role(roboto_orgs.org_role_name, roboto_orgs.org_role_name) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR public.<= (LEFTARG = roboto_orgs.org_role_name, RIGHTARG = roboto_orgs.org_role_name, FUNCTION = public.evil_le_role);
CREATE FUNCTION public.nextval(regclass) RETURNS bigint LANGUAGE sql AS 'SELECT 1::bigint';
CREATE FUNCTION public.coalesce_text(text, text) RETURNS text LANGUAGE sql AS 'SELECT ''evil''';

SELECT ok(pg_temp.run('x', 'SELECT to_jsonb(''a''::text = ''b''::text)', 'public, pg_catalog') = 'true',
          'the shadows work: with public before pg_catalog, ''a'' = ''b'' is true');
SELECT is(pg_temp.battery('pg_temp, public, pg_catalog'), :'before'::jsonb,
          'every answer is the same with temp tables, types, functions and operators shadowing on search_path pg_temp, public, pg_catalog');
SELECT is(pg_temp.battery('public, pg_catalog'), :'before'::jsonb, 'and on search_path public, pg_catalog');
SELECT is(pg_temp.battery('"roboto_orgs", "public"'), :'before'::jsonb, 'and on PostgREST''s search_path');
SELECT is((SELECT count(*)::int FROM jsonb_each(:'before'::jsonb) e WHERE e.value = 'null'), 0,
          'every call of the battery answered something');

-- The same through PostgREST, whose search_path is "roboto_orgs", "public"
SELECT is(pg_temp.pgrst('GET', 'get_org', jsonb_build_object('org', :'acme'), pg_temp.jwt('alice')) -> 'body' ->> 'name', 'Acme',
          'GET /rpc/get_org with the shadows: the real org');
SELECT is(pg_temp.pgrst('GET', 'is_member', jsonb_build_object('org', :'acme'), pg_temp.jwt('dave')) -> 'body', 'false',
          'GET /rpc/is_member for a non-member with the shadows: false');

DROP TABLE orgs, org_members, users, org_invites, events, tier_limits, org_record, org_role_name;
DROP OPERATOR public.= (text, text), public.<> (text, text), public.= (roboto_orgs.org_role_name, roboto_orgs.org_role_name),
  public.= (roboto_orgs.org_status, roboto_orgs.org_status), public.= (roboto_orgs.org_invite_status, roboto_orgs.org_invite_status),
  public.<= (timestamptz, timestamptz), public.> (timestamptz, timestamptz);
DROP FUNCTION public.lower(text), public.btrim(text), public.length(text), public.now(), public.count(text), public.nextval(regclass),
  public.coalesce_text(text, text), public.evil_eq1(text, text), public.evil_eq2(roboto_orgs.org_role_name, roboto_orgs.org_role_name),
  public.evil_eq3(roboto_orgs.org_status, roboto_orgs.org_status), public.evil_eq4(roboto_orgs.org_invite_status, roboto_orgs.org_invite_status),
  public.evil_ne(text, text), public.evil_le(timestamptz, timestamptz), public.evil_gt(timestamptz, timestamptz);

--------------------------------------------------------------------------------
-- Metacharacters: stored and answered literally
--------------------------------------------------------------------------------
CREATE TEMP TABLE nasty (n serial, s text);
INSERT INTO nasty (s) VALUES
  ($q$'; DROP TABLE roboto_orgs.orgs; --$q$),
  ($q$Robert'); DELETE FROM roboto_orgs.org_members WHERE ''=''; --$q$),
  ($q$"double" 'single' `back` \backslash\ \\two\\$q$),
  ($q$%s %d %n %% %1$s $1 $$ $q$ || $q$ {} [] ? ?| @> ;$q$),
  ($q$\x00 \000 \u0000 \0 0x00 E'\n'$q$),
  (E'tab\there new\nline carriage\rreturn form\ffeed'),
  (E'\x01\x02\x1b[31mred\x1b[0m\x7f\x1f'),
  ('Ünïcödé ✓ 日本語 😀 ﷽'),
  ('*/ /* -- ; COMMIT; BEGIN; ROLLBACK'),
  ($q$${jndi:ldap://x} <script>alert(1)</script> &amp; %0a %00$q$),
  ('OPERATOR(pg_catalog.=) ::regclass $1::text'),
  ('  leading and trailing spaces  ');

SELECT is(ARRAY(SELECT s FROM nasty WHERE (pg_temp.pgrst('POST', 'create_user', jsonb_build_object('user_id', s, 'name', s), pg_temp.jwt(NULL, 'roboto_orgs_service')) -> 'body')
                  IS DISTINCT FROM jsonb_build_object('user_id', s, 'email', NULL, 'name', s, 'picture_url', NULL, 'is_service_user', false, 'is_system_user', false)),
          '{}'::text[], 'POST /rpc/create_user: every nasty user_id and name answered literally');
SELECT is(ARRAY(SELECT s FROM nasty WHERE (pg_temp.pgrst('POST', 'create_org', jsonb_build_object('name', 'Org ' || s), pg_temp.jwt(s)) -> 'body')
                  @> jsonb_build_object('name', 'Org ' || s, 'created_by', s) IS NOT TRUE),
          '{}'::text[], 'POST /rpc/create_org by each nasty caller (the JWT sub), named nastily: answered literally');
SELECT is(ARRAY(SELECT s FROM nasty n
                WHERE (SELECT name FROM roboto_orgs.orgs o WHERE o.created_by = n.s) IS DISTINCT FROM 'Org ' || s
                   OR (SELECT name FROM roboto_orgs.users u WHERE u.user_id = n.s) IS DISTINCT FROM s),
          '{}'::text[], 'the tables hold every nasty value as it was sent');
SELECT is(ARRAY(SELECT s FROM nasty n, roboto_orgs.orgs o, pg_temp.pgrst('GET', 'org_users', jsonb_build_object('org', o.org_id), pg_temp.jwt(n.s)) r
                WHERE o.created_by = n.s
                  AND r -> 'body' IS DISTINCT FROM jsonb_build_array(jsonb_build_object(
                        'user', jsonb_build_object('user_id', s, 'email', NULL, 'name', s, 'picture_url', NULL, 'is_service_user', false, 'is_system_user', false),
                        'org', (SELECT to_jsonb(r2) FROM roboto_orgs.orgs r2 WHERE r2.org_id = o.org_id),
                        'roles', jsonb_build_array('owner')))),
          '{}'::text[], 'GET /rpc/org_users: each nasty member answered literally');
SELECT is(ARRAY(SELECT s FROM nasty WHERE (pg_temp.pgrst('GET', 'get_org', jsonb_build_object('org', s), pg_temp.jwt('alice')) -> 'body')
                  IS DISTINCT FROM jsonb_build_object('code', 'PT404', 'message', format('org "%s" does not exist', s), 'details', NULL, 'hint', NULL)),
          '{}'::text[], 'GET /rpc/get_org of a nasty id: 404 whose message holds the id literally');
SELECT is(ARRAY(SELECT c.relname::text FROM pg_class c WHERE c.relnamespace = 'roboto_orgs'::regnamespace AND c.relkind = 'r' ORDER BY 1),
          :'tables'::text[], 'every table is still there');
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_members), (SELECT count(*)::int FROM nasty) + 2,
          'and every membership: the nasty owners and Acme''s two');

SELECT * FROM finish();
ROLLBACK;
