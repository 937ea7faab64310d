-- invites_for_self() (0.2.0): the invitee's own pending invites
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(10);

SELECT count(*) FROM (SELECT roboto_orgs.create_user(u, u || '@ifs.example') FROM unnest(ARRAY['alice', 'bob', 'carol']) u) s;

SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT org_id AS acme FROM roboto_orgs.create_org('IFS Acme') \gset
SELECT org_id AS globex FROM roboto_orgs.create_org('IFS Globex') \gset
SELECT invite_id AS inv1 FROM roboto_orgs.invite_user(:'acme', 'bob') \gset
SELECT invite_id AS inv2 FROM roboto_orgs.invite_user(:'globex', 'bob') \gset
SELECT invite_id AS inv3 FROM roboto_orgs.invite_user(:'acme', 'carol') \gset

SET roboto_orgs.user_id = 'bob';
SELECT set_eq($$SELECT invite_id, (org).name, status::text FROM roboto_orgs.invites_for_self()$$,
  format($$VALUES (%L, 'IFS Acme', 'pending'), (%L, 'IFS Globex', 'pending')$$, :'inv1', :'inv2'),
  'the invitee sees their own pending invites, and no one else''s');
SELECT results_eq($$SELECT invite_id FROM roboto_orgs.invites_for_self()$$,
  $$SELECT invite_id FROM roboto_orgs.invites_for_self() ORDER BY created, invite_id$$,
  'oldest first, then by invite_id');
SELECT is((SELECT (invited_by).user_id FROM roboto_orgs.invites_for_self() LIMIT 1), 'alice', 'with who invited');
SELECT lives_ok(format($$SELECT roboto_orgs.decline_invite(%L)$$, :'inv2'), 'bob declines Globex');
SELECT is((SELECT count(*)::int FROM roboto_orgs.invites_for_self()), 1, 'an answered invite is no longer listed');

RESET ROLE;
UPDATE roboto_orgs.org_invites SET expires = now() - interval '1 minute' WHERE invite_id = :'inv1';
SET ROLE roboto_test_api;
SELECT is((SELECT count(*)::int FROM roboto_orgs.invites_for_self()), 0, 'an expired invite is not listed');

SET roboto_orgs.user_id = 'carol';
SET roboto_orgs.user_id = 'alice';
SELECT lives_ok(format($$SELECT roboto_orgs.delete_org(%L)$$, :'acme'), 'alice deletes Acme');
SET roboto_orgs.user_id = 'carol';
SELECT is((SELECT count(*)::int FROM roboto_orgs.invites_for_self()), 0, 'invites of a deleted org are gone');

RESET roboto_orgs.user_id;
SELECT throws_ok($$SELECT * FROM roboto_orgs.invites_for_self()$$, '42501', NULL, 'anonymous: 42501');
SET roboto_orgs.user_id = 'nobody';
SELECT throws_ok($$SELECT * FROM roboto_orgs.invites_for_self()$$, '42501', NULL, 'unknown caller: 42501');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
