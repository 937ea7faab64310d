-- Orgs: create_org, get_org, orgs_for_self, update_org, delete_org and the
-- org_record, called by a non-superuser API role: success paths, every
-- permission denial, every documented SQLSTATE, bad input writing nothing.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(99);

DO $$
BEGIN
  PERFORM roboto_orgs.create_user(u, u || '@example.com', initcap(u))
  FROM unnest(ARRAY['alice', 'bob', 'carol', 'dave']) u;
END
$$;

SET ROLE roboto_test_api;

--------------------------------------------------------------------------------
-- create_org
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'alice';
SELECT roboto_orgs.create_org('Acme') AS acme_rec \gset
SELECT (:'acme_rec'::roboto_orgs.org_record).org_id AS acme \gset

SELECT is((:'acme_rec'::roboto_orgs.org_record).name, 'Acme', 'create_org(): the name');
SELECT is((:'acme_rec'::roboto_orgs.org_record).tier, 'free', 'create_org(): tier free');
SELECT is((:'acme_rec'::roboto_orgs.org_record).status, 'active', 'create_org(): status active');
SELECT is((:'acme_rec'::roboto_orgs.org_record).data_region, 'us-west', 'create_org(): data_region defaults to us-west');
SELECT is((:'acme_rec'::roboto_orgs.org_record).created_by, 'alice', 'create_org(): created_by is the caller');
SELECT is((:'acme_rec'::roboto_orgs.org_record).created, now(), 'create_org(): created is the transaction time');
SELECT matches(:'acme'::text, '^og_[0-9a-f]{32}$', 'create_org(): org_id is og_ and 32 hex digits');

SELECT roboto_orgs.create_org(name => 'Beta', data_region => 'eu-west') AS beta_rec \gset
SELECT (:'beta_rec'::roboto_orgs.org_record).org_id AS beta \gset
SELECT is((:'beta_rec'::roboto_orgs.org_record).data_region, 'eu-west', 'create_org(data_region => eu-west)');
SELECT matches(:'beta'::text, '^og_[0-9a-f]{32}$', 'second org_id is og_ and 32 hex digits');
SELECT isnt(:'acme'::text, :'beta'::text, 'two orgs have different ids');
SELECT is((SELECT count(DISTINCT org_id)::int FROM (
             SELECT (roboto_orgs.create_org('Many ' || i)).org_id FROM generate_series(1, 50) i) s),
          50, 'fifty more orgs get fifty different ids');
SELECT is((SELECT count(*)::int FROM (
             SELECT org_id FROM roboto_orgs.orgs_for_self() WHERE org_id !~ '^og_[0-9a-f]{32}$') s),
          0, 'every org id is og_ and 32 hex digits');
SELECT is((roboto_orgs.create_org(name => 'Gamma', bind_email_domain => false, data_region => 'us-gov-west')).data_region,
          'us-gov-west', 'create_org() with every argument named');

SELECT is(
  ARRAY(SELECT jsonb_object_keys(to_jsonb(:'acme_rec'::roboto_orgs.org_record)) ORDER BY 1),
  ARRAY['created', 'created_by', 'data_region', 'name', 'org_id', 'private_metadata', 'public_metadata', 'slug', 'status', 'tier'],
  'to_jsonb(org_record) has the seed''s OrgRecord keys (and, since 0.3.0, slug and the metadata)');
SELECT is(to_jsonb(:'beta_rec'::roboto_orgs.org_record) - 'org_id' - 'created',
          '{"name": "Beta", "tier": "free", "status": "active", "data_region": "eu-west", "created_by": "alice",
            "slug": null, "public_metadata": {}, "private_metadata": {}}'::jsonb,
          'to_jsonb(org_record): enums as their strings');
SELECT matches(to_jsonb(:'acme_rec'::roboto_orgs.org_record)->>'created',
               '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$', 'to_jsonb(org_record): created in ISO 8601');

SELECT is((roboto_orgs.create_org(repeat('n', 200))).name, repeat('n', 200), 'an org name of 200 characters is accepted');
SELECT is((roboto_orgs.create_org(repeat('ñ', 200))).name, repeat('ñ', 200), 'an org name of 200 multibyte characters is accepted');

RESET ROLE;
SELECT results_eq(
  format('SELECT user_id, roles::text FROM roboto_orgs.org_members WHERE org_id = %L', :'acme'),
  $$VALUES ('alice', '{owner}')$$,
  'create_org(): the caller is the sole owner');
-- bob is admin, carol user in Acme
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles)
VALUES (:'acme', 'bob', '{admin}'), (:'acme', 'carol', '{user}');
SELECT pg_temp.fingerprint() AS fp \gset
SET ROLE roboto_test_api;

SELECT throws_ok($$SELECT roboto_orgs.create_org('ACME')$$, '23505', 'org name "ACME" is already taken',
                 'create_org() with a name taken in another case: 23505');
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok($$SELECT roboto_orgs.create_org('acme')$$, '23505', NULL,
                 'create_org() with a taken name by another user: 23505');
SELECT throws_ok($$SELECT roboto_orgs.create_org(NULL)$$, '22004', NULL, 'create_org(NULL): 22004');
SELECT throws_ok($$SELECT roboto_orgs.create_org('X', NULL)$$, '22004', NULL, 'create_org() with NULL bind_email_domain: 22004');
SELECT throws_ok($$SELECT roboto_orgs.create_org('X', false, NULL)$$, '22004', NULL, 'create_org() with NULL data_region: 22004');
SELECT throws_ok($$SELECT roboto_orgs.create_org('')$$, '22023', 'org name must not be empty or blank',
                 'create_org() with an empty name: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_org('   ')$$, '22023', NULL, 'create_org() with a blank name: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_org(U&'\00A0\200B\3000')$$, '22023', NULL,
                 'create_org() with a name of Unicode spaces and zero-width characters only: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_org(E'\t\n')$$, '22023', NULL, 'create_org() with a white-space name: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_org(repeat('n', 201))$$, '22023', 'org name is longer than 200 characters',
                 'create_org() with a name over 200 characters: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_org(repeat('ñ', 201))$$, '22023', NULL,
                 'create_org() with a name over 200 multibyte characters: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_org('X', false, 'mars')$$, '22P02', NULL,
                 'create_org() with an unknown data_region: 22P02');
SET roboto_orgs.user_id = 'ghost';
SELECT throws_ok($$SELECT roboto_orgs.create_org('Ghost Org')$$, '42501', 'caller "ghost" is not a known user',
                 'create_org() by an unknown caller: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok($$SELECT roboto_orgs.create_org('Anon Org')$$, '42501', 'anonymous caller is not allowed',
                 'create_org() by an anonymous caller: 42501');

--------------------------------------------------------------------------------
-- get_org
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'alice';
SELECT is(roboto_orgs.get_org(:'acme'), :'acme_rec'::roboto_orgs.org_record, 'get_org() by the owner');
SET roboto_orgs.user_id = 'bob';
SELECT is(roboto_orgs.get_org(:'acme'), :'acme_rec'::roboto_orgs.org_record, 'get_org() by an admin');
SET roboto_orgs.user_id = 'carol';
SELECT is(roboto_orgs.get_org(:'acme'), jsonb_populate_record(:'acme_rec'::roboto_orgs.org_record, '{"private_metadata": null}'),
          'get_org() by a user (private_metadata NULL: not an admin)');
SET request.jwt.claims = '{"sub": "alice"}';
SET roboto_orgs.user_id = 'dave';
SELECT is(roboto_orgs.get_org(:'acme'), :'acme_rec'::roboto_orgs.org_record, 'get_org() by a member named in the JWT claims');
RESET request.jwt.claims;
SELECT throws_ok(format('SELECT roboto_orgs.get_org(%L)', :'acme'), '42501',
                 format('user "dave" is not a member of org "%s"', :'acme'), 'get_org() by a non-member: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.get_org(%L)', :'beta'), '42501', NULL,
                 'get_org() of another org by a non-member: 42501');
SET roboto_orgs.user_id = 'ghost';
SELECT throws_ok(format('SELECT roboto_orgs.get_org(%L)', :'acme'), '42501', NULL, 'get_org() by an unknown caller: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok(format('SELECT roboto_orgs.get_org(%L)', :'acme'), '42501', NULL, 'get_org() anonymous: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok($$SELECT roboto_orgs.get_org('og_00000000000000000000000000000000')$$, 'PT404',
                 'org "og_00000000000000000000000000000000" does not exist', 'get_org() of an unknown org: PT404');
SELECT throws_ok($$SELECT roboto_orgs.get_org('')$$, 'PT404', NULL, 'get_org(''''): PT404');
SELECT throws_ok($$SELECT roboto_orgs.get_org(NULL)$$, '22004', NULL, 'get_org(NULL): 22004');

--------------------------------------------------------------------------------
-- orgs_for_self: oldest membership first
--------------------------------------------------------------------------------
RESET ROLE;
SELECT is(pg_temp.fingerprint(), :'fp', 'the failed create_org() and get_org() calls wrote nothing');
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'beta', 'carol', '{user}');
-- carol joined Beta before Acme although Acme is the older org
UPDATE roboto_orgs.orgs SET created = created - interval '2 days' WHERE org_id = :'acme';
UPDATE roboto_orgs.orgs SET created = created - interval '1 day' WHERE org_id = :'beta';
UPDATE roboto_orgs.org_members SET created = created - interval '1 hour' WHERE org_id = :'acme' AND user_id = 'carol';
UPDATE roboto_orgs.org_members SET created = created - interval '2 hours' WHERE org_id = :'beta' AND user_id = 'carol';
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'carol';
SELECT results_eq($$SELECT name FROM roboto_orgs.orgs_for_self()$$, ARRAY['Beta', 'Acme'],
                  'orgs_for_self(): the caller''s orgs, oldest membership first');
SELECT results_eq($$SELECT name FROM roboto_orgs.orgs_for_user('carol')$$, ARRAY['Beta', 'Acme'],
                  'orgs_for_user(): oldest membership first');
SELECT is((SELECT o FROM roboto_orgs.orgs_for_self() o WHERE o.name = 'Beta'), roboto_orgs.get_org(:'beta'),
          'orgs_for_self() rows are org_records');
SET roboto_orgs.user_id = 'dave';
SELECT is_empty($$SELECT * FROM roboto_orgs.orgs_for_self()$$, 'orgs_for_self() of a user without orgs is empty');
SET roboto_orgs.user_id = 'ghost';
SELECT throws_ok($$SELECT * FROM roboto_orgs.orgs_for_self()$$, '42501', 'caller "ghost" is not a known user',
                 'orgs_for_self() by an unknown caller: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok($$SELECT * FROM roboto_orgs.orgs_for_self()$$, '42501', NULL, 'orgs_for_self() anonymous: 42501');

--------------------------------------------------------------------------------
-- update_org: admins rename, owners move the status
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'bob';
SELECT is((roboto_orgs.update_org(:'acme', 'Acme Robotics')).name, 'Acme Robotics', 'update_org(name) by an admin');
SET roboto_orgs.user_id = 'alice';
SELECT is((roboto_orgs.update_org(:'acme', name => 'ACME Robotics')).name, 'ACME Robotics',
          'update_org(name) by the owner, to its own name in another case');
SELECT roboto_orgs.update_org(:'acme', 'Acme') AS acme_rec \gset
SELECT is(roboto_orgs.get_org(:'acme'), :'acme_rec'::roboto_orgs.org_record, 'update_org() returns the org_record');
SELECT is(to_jsonb(:'acme_rec'::roboto_orgs.org_record) - 'created',
          jsonb_build_object('org_id', :'acme'::text, 'name', 'Acme', 'tier', 'free', 'status', 'active',
                             'data_region', 'us-west', 'created_by', 'alice',
                             'slug', NULL, 'public_metadata', '{}'::jsonb, 'private_metadata', '{}'::jsonb),
          'update_org(name) changed the name only');
SELECT is((roboto_orgs.update_org(:'acme', status => 'active')).status, 'active',
          'update_org(status) to the current status by the owner');

RESET ROLE;
SELECT pg_temp.fingerprint() AS fp \gset
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, status => %L)', :'acme', 'de-provisioning'), '42501',
                 format('user "bob" needs role owner in org "%s" to change its status', :'acme'),
                 'update_org(status) by an admin: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, %L, %L)', :'acme', 'Acme 2', 'de-provisioning'), '42501', NULL,
                 'update_org(name, status) by an admin: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, %L)', :'acme', 'Beta'), '23505', 'org name "Beta" is already taken',
                 'update_org(name) to a taken name: 23505');
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, %L)', :'acme', 'beta'), '23505', NULL,
                 'update_org(name) to a taken name in another case: 23505');
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L)', :'acme'), '22023', format('no change given for org "%s"', :'acme'),
                 'update_org() without a change: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, NULL, NULL)', :'acme'), '22023', NULL,
                 'update_org(org, NULL, NULL): 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, %L)', :'acme', ''), '22023', NULL, 'update_org() to an empty name: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, %L)', :'acme', '  '), '22023', NULL, 'update_org() to a blank name: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, %L)', :'acme', repeat('n', 201)), '22023', NULL,
                 'update_org() to a name over 200 characters: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, status => %L)', :'acme', 'archived'), '22P02', NULL,
                 'update_org() to an unknown status: 22P02');
SELECT throws_ok($$SELECT roboto_orgs.update_org(NULL, 'X')$$, '22004', NULL, 'update_org(NULL, name): 22004');
SELECT throws_ok($$SELECT roboto_orgs.update_org('og_00000000000000000000000000000000', 'X')$$, 'PT404', NULL,
                 'update_org() of an unknown org: PT404');
SET roboto_orgs.user_id = 'carol';
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, %L)', :'acme', 'Carol''s'), '42501',
                 format('user "carol" needs role admin in org "%s" to rename it', :'acme'),
                 'update_org(name) by a user: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, status => %L)', :'acme', 'de-provisioning'), '42501', NULL,
                 'update_org(status) by a user: 42501');
SET roboto_orgs.user_id = 'dave';
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, %L)', :'acme', 'Dave''s'), '42501', NULL,
                 'update_org(name) by a non-member: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, %L)', :'acme', 'Anon'), '42501', NULL,
                 'update_org(name) anonymous: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, status => %L)', :'acme', 'provisioning'), '23514',
                 format('org "%s" cannot move from status active to provisioning', :'acme'),
                 'update_org(status) from active back to provisioning: 23514');
RESET ROLE;
SELECT is(pg_temp.fingerprint(), :'fp', 'the failed update_org() calls wrote nothing');

-- Status moves, through update_org, by the owner
INSERT INTO roboto_orgs.orgs (org_id, name, status, created_by) VALUES
  ('og_prov1', 'Prov 1', 'provisioning', 'alice'), ('og_prov2', 'Prov 2', 'provisioning', 'alice');
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES
  ('og_prov1', 'alice', '{owner}'), ('og_prov2', 'alice', '{owner}'), ('og_prov1', 'bob', '{admin}');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT is((roboto_orgs.update_org('og_prov1', status => 'active')).status, 'active', 'update_org(): provisioning -> active');
SELECT is((roboto_orgs.update_org('og_prov2', status => 'de-provisioning')).status, 'de-provisioning',
          'update_org(): provisioning -> de-provisioning');
SELECT is((roboto_orgs.update_org('og_prov1', 'Prov One', 'de-provisioning')).status, 'de-provisioning',
          'update_org(): active -> de-provisioning with a rename in the same call');
SELECT is((roboto_orgs.get_org('og_prov1')).name, 'Prov One', 'the rename and the status move both applied');
SELECT throws_ok($$SELECT roboto_orgs.update_org('og_prov1', status => 'active')$$, '22023',
                 'org "og_prov1" is being de-provisioned', 'update_org(status) of a de-provisioning org: 22023');
SELECT throws_ok($$SELECT roboto_orgs.update_org('og_prov1', status => 'de-provisioning')$$, '22023', NULL,
                 'update_org(status) of a de-provisioning org to the same status: 22023');
SELECT throws_ok($$SELECT roboto_orgs.update_org('og_prov1', 'Prov Uno')$$, '22023', NULL,
                 'update_org(name) of a de-provisioning org: 22023');
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok($$SELECT roboto_orgs.update_org('og_prov1', 'Prov Uno')$$, '22023', NULL,
                 'update_org(name) of a de-provisioning org by an admin: 22023');

--------------------------------------------------------------------------------
-- delete_org: owners only
--------------------------------------------------------------------------------
RESET ROLE;
SELECT pg_temp.fingerprint() AS fp \gset
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok(format('SELECT roboto_orgs.delete_org(%L)', :'acme'), '42501',
                 format('user "bob" needs role owner in org "%s" to delete it', :'acme'), 'delete_org() by an admin: 42501');
SET roboto_orgs.user_id = 'carol';
SELECT throws_ok(format('SELECT roboto_orgs.delete_org(%L)', :'acme'), '42501', NULL, 'delete_org() by a user: 42501');
SET roboto_orgs.user_id = 'dave';
SELECT throws_ok(format('SELECT roboto_orgs.delete_org(%L)', :'acme'), '42501', NULL, 'delete_org() by a non-member: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok(format('SELECT roboto_orgs.delete_org(%L)', :'acme'), '42501', NULL, 'delete_org() anonymous: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok($$SELECT roboto_orgs.delete_org('og_00000000000000000000000000000000')$$, 'PT404', NULL,
                 'delete_org() of an unknown org: PT404');
SELECT throws_ok($$SELECT roboto_orgs.delete_org(NULL)$$, '22004', NULL, 'delete_org(NULL): 22004');
RESET ROLE;
SELECT is(pg_temp.fingerprint(), :'fp', 'the failed delete_org() calls wrote nothing');

-- An app table referencing the public orgs table blocks the delete
CREATE TABLE public.app_projects (id int PRIMARY KEY, org_id text NOT NULL REFERENCES roboto_orgs.orgs (org_id));
INSERT INTO public.app_projects VALUES (1, :'beta');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok(format('SELECT roboto_orgs.delete_org(%L)', :'beta'), '23503', NULL,
                 'delete_org() of an org still referenced by an app table: 23503');
RESET ROLE;
SELECT is(pg_temp.fingerprint(), :'fp', 'the blocked delete_org() wrote nothing');
DELETE FROM public.app_projects;
SET ROLE roboto_test_api;
SELECT lives_ok(format('SELECT roboto_orgs.delete_org(%L)', :'beta'), 'delete_org() once the app rows are gone');

SELECT lives_ok(format('SELECT roboto_orgs.delete_org(%L)', :'acme'), 'delete_org() by the owner of an org with members');
SELECT throws_ok(format('SELECT roboto_orgs.get_org(%L)', :'acme'), 'PT404', NULL, 'a deleted org is gone');
SELECT lives_ok($$SELECT roboto_orgs.delete_org('og_prov1')$$, 'delete_org() of a de-provisioning org');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM roboto_orgs.orgs WHERE org_id IN (:'acme', :'beta', 'og_prov1')), 0,
          'the deleted orgs are gone');
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_members WHERE org_id IN (:'acme', :'beta', 'og_prov1')), 0,
          'the members of the deleted orgs are gone');
SELECT is((SELECT count(*)::int FROM roboto_orgs.users), 4, 'deleting orgs keeps the users');

-- The name of a deleted org can be used again
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'dave';
SELECT is((roboto_orgs.create_org('acme')).name, 'acme', 'the name of a deleted org is free again');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
