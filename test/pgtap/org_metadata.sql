-- 0.3.0: org metadata and slug: update_org(..., public_metadata,
-- private_metadata, slug), who sees what in org_record, get_org_by_slug.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(32);

SELECT roboto_orgs.create_user(u, u || '@example.com', initcap(u))
FROM unnest(ARRAY['alice', 'adam', 'uma', 'eve']) u \g /dev/null
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT org_id AS acme FROM roboto_orgs.create_org('Acme Metadata') \gset
SELECT org_id AS globex FROM roboto_orgs.create_org('Globex Metadata') \gset
RESET ROLE;
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles)
VALUES (:'acme', 'adam', '{admin}'), (:'acme', 'uma', '{user}');
SET ROLE roboto_test_api;

SELECT is(ARRAY(SELECT k FROM jsonb_object_keys(to_jsonb(roboto_orgs.get_org(:'acme'))) k ORDER BY k),
          ARRAY['created', 'created_by', 'data_region', 'name', 'org_id', 'private_metadata', 'public_metadata', 'slug', 'status', 'tier'],
          'to_jsonb of org_record: the seed''s keys, with slug and the metadata');
SELECT is((roboto_orgs.get_org(:'acme')).public_metadata, '{}'::jsonb, 'metadata starts empty');
SELECT is((roboto_orgs.get_org(:'acme')).slug, NULL, 'no slug at first');

SET roboto_orgs.user_id = 'adam';
SELECT is((roboto_orgs.update_org(:'acme', public_metadata => '{"logo": "acme.png"}')).public_metadata,
          '{"logo": "acme.png"}'::jsonb, 'an admin sets public_metadata');
SELECT is((roboto_orgs.update_org(:'acme', private_metadata => '{"stripe": "cus_1"}')).private_metadata,
          '{"stripe": "cus_1"}'::jsonb, 'an admin sets private_metadata');
SELECT is((roboto_orgs.update_org(:'acme', slug => 'acme-corp')).slug, 'acme-corp', 'an admin sets the slug');
SELECT is((roboto_orgs.get_org(:'acme')).private_metadata, '{"stripe": "cus_1"}'::jsonb, 'an admin reads private_metadata');
SELECT is((roboto_orgs.update_org(:'acme', 'Acme Metadata Renamed')).name, 'Acme Metadata Renamed', 'positional two-argument calls still work');

SET roboto_orgs.user_id = 'uma';
SELECT is((roboto_orgs.get_org(:'acme')).public_metadata, '{"logo": "acme.png"}'::jsonb, 'a member reads public_metadata');
SELECT is((roboto_orgs.get_org(:'acme')).private_metadata, NULL, 'a member who is not an admin sees private_metadata as NULL');
SELECT is((SELECT o.private_metadata FROM roboto_orgs.orgs_for_self() o WHERE o.org_id = :'acme'), NULL, 'in orgs_for_self() too');
SELECT is((SELECT (u.org).private_metadata FROM roboto_orgs.org_users(:'acme') u LIMIT 1), NULL, 'and in org_users()');
SELECT is((roboto_orgs.get_org_by_slug('acme-corp')).org_id, :'acme', 'a member finds the org by its slug');

SELECT pg_temp.fingerprint() AS fp \gset
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, public_metadata => '{}')$$, :'acme'), '42501', NULL,
  'a member who is not an admin cannot set metadata: 42501');
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, slug => 'x')$$, :'acme'), '42501', NULL,
  'nor the slug: 42501');
SET roboto_orgs.user_id = 'eve';
SELECT throws_ok($$SELECT roboto_orgs.get_org_by_slug('acme-corp')$$, '42501', NULL, 'a non-member cannot read the org by slug: 42501');
SELECT throws_ok($$SELECT roboto_orgs.get_org_by_slug('no-such-slug')$$, 'PT404', 'no org has slug "no-such-slug"', 'an unknown slug: PT404');
SELECT throws_ok($$SELECT roboto_orgs.get_org_by_slug(repeat('a', 1048576))$$, 'PT404', NULL, 'a 1 MB slug: PT404');
SET roboto_orgs.user_id = 'adam';
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, public_metadata => '[1, 2]')$$, :'acme'), '22023',
  'public_metadata must be a JSON object', 'metadata that is an array: 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, private_metadata => '"x"')$$, :'acme'), '22023',
  'private_metadata must be a JSON object', 'metadata that is a scalar: 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, public_metadata => jsonb_build_object('k', repeat('x', 8200)))$$, :'acme'), '22023',
  'public_metadata is longer than 8192 octets', 'metadata over 8 kB: 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, public_metadata => jsonb_build_object('k', repeat('x', 1048576)))$$, :'acme'), '22023',
  NULL, 'metadata of 1 MB: 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, slug => 'Acme')$$, :'acme'), '22023', '"Acme" is not a valid slug', 'an upper-case slug: 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, slug => 'acme corp')$$, :'acme'), '22023', NULL, 'a slug with a space: 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, slug => '-acme')$$, :'acme'), '22023', NULL, 'a slug starting with a hyphen: 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, slug => 'a--b')$$, :'acme'), '22023', NULL, 'a slug with a double hyphen: 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, slug => repeat('a', 64))$$, :'acme'), '22023', NULL, 'a slug over 63 characters: 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, slug => 'acmé')$$, :'acme'), '22023', NULL, 'a slug with a non-ASCII letter: 22023');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, slug => 'acme-corp')$$, :'globex'), '23505',
  'slug "acme-corp" is already taken', 'a taken slug: 23505');
SELECT is(pg_temp.fingerprint(), :'fp', 'the refused calls wrote nothing');
SELECT is((roboto_orgs.update_org(:'acme', slug => '')).slug, NULL, 'an empty slug removes it');
SELECT is((roboto_orgs.update_org(:'globex', slug => 'acme-corp')).slug, 'acme-corp', 'then another org may take it');

SELECT * FROM finish();
ROLLBACK;
