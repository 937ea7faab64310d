-- Invitations and the rest of the data: invariant 4 under direct writes by
-- the superuser (invites_check, members_close_invites, the unique index), and
-- what deleting an org, removing a member or deleting a user does to invites.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(41);

SELECT roboto_orgs.create_user(u, u || '@example.com', initcap(u))
FROM unnest(ARRAY['alice', 'olga', 'bob', 'carol', 'dave', 'erin']) u \g /dev/null

SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT org_id AS acme FROM roboto_orgs.create_org('Acme Triggers') \gset
SET roboto_orgs.user_id = 'olga';
SELECT org_id AS globex FROM roboto_orgs.create_org('Globex Triggers') \gset
SET roboto_orgs.user_id = 'alice';
SELECT invite_id AS inv_bob FROM roboto_orgs.invite_user(:'acme', 'bob') \gset
SELECT invite_id AS inv_carol FROM roboto_orgs.invite_user(:'acme', 'carol') \gset
SET roboto_orgs.user_id = 'carol';
SELECT roboto_orgs.decline_invite(:'inv_carol') \g /dev/null
RESET ROLE;

--------------------------------------------------------------------------------
-- Direct writes by the superuser
--------------------------------------------------------------------------------

-- An answered invite never changes
SELECT throws_ok(format($$UPDATE roboto_orgs.org_invites SET status = 'pending', answered = NULL WHERE invite_id = %L$$, :'inv_carol'),
  '23514', format('invite "%s" was already answered', :'inv_carol'), 'a declined invite cannot go back to pending: 23514');
SELECT throws_ok(format($$UPDATE roboto_orgs.org_invites SET status = 'accepted' WHERE invite_id = %L$$, :'inv_carol'),
  '23514', NULL, 'a declined invite cannot become accepted: 23514');
SELECT throws_ok(format($$UPDATE roboto_orgs.org_invites SET expires = expires + interval '1 day' WHERE invite_id = %L$$, :'inv_carol'),
  '23514', NULL, 'a declined invite''s expiry cannot change: 23514');
SELECT throws_ok(format($$UPDATE roboto_orgs.org_invites SET answered = answered - interval '1 day' WHERE invite_id = %L$$, :'inv_carol'),
  '23514', NULL, 'a declined invite''s answer time cannot change: 23514');
SELECT throws_ok(format($$UPDATE roboto_orgs.org_invites SET invited_by = 'olga' WHERE invite_id = %L$$, :'inv_carol'),
  '23514', NULL, 'a declined invite''s inviter cannot change: 23514');

-- The identity of a pending invite never changes
SELECT throws_ok(format($$UPDATE roboto_orgs.org_invites SET user_id = 'dave' WHERE invite_id = %L$$, :'inv_bob'),
  '23514', NULL, 'a pending invite cannot be moved to another user: 23514');
SELECT throws_ok(format($$UPDATE roboto_orgs.org_invites SET org_id = %L WHERE invite_id = %L$$, :'globex', :'inv_bob'),
  '23514', NULL, 'a pending invite cannot be moved to another org: 23514');
SELECT throws_ok(format($$UPDATE roboto_orgs.org_invites SET created = created - interval '1 day' WHERE invite_id = %L$$, :'inv_bob'),
  '23514', NULL, 'a pending invite''s creation time cannot change: 23514');
SELECT lives_ok(format($$UPDATE roboto_orgs.org_invites SET expires = expires + interval '1 day' WHERE invite_id = %L$$, :'inv_bob'),
  'a pending invite''s expiry may be extended');

-- Answering directly records when
UPDATE roboto_orgs.org_invites SET status = 'revoked' WHERE invite_id = :'inv_bob';
SELECT is((SELECT answered FROM roboto_orgs.org_invites WHERE invite_id = :'inv_bob'), now(),
  'an invite answered by a direct update gets its answer time');

-- No invite for a member; one pending invite per (org, user)
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_invites (org_id, user_id, invited_by, expires) VALUES (%L, 'alice', 'alice', now() + interval '1 day')$$, :'acme'),
  '23505', format('user "alice" is already a member of org "%s"', :'acme'), 'a pending invite for a member cannot be inserted: 23505');
INSERT INTO roboto_orgs.org_invites (invite_id, org_id, user_id, invited_by, expires)
VALUES ('iv_trig_dave1', :'acme', 'dave', 'alice', now() + interval '1 day');
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_invites (org_id, user_id, invited_by, expires) VALUES (%L, 'dave', 'alice', now() + interval '1 day')$$, :'acme'),
  '23505', 'duplicate key value violates unique constraint "org_invites_one_pending"',
  'a second pending invite for the same (org, user) violates the unique index: 23505');
SELECT lives_ok(format($$INSERT INTO roboto_orgs.org_invites (org_id, user_id, invited_by, status, answered, expires) VALUES (%L, 'dave', 'alice', 'declined', now(), now() + interval '1 day')$$, :'acme'),
  'an answered invite may sit beside the pending one');
SELECT lives_ok(format($$INSERT INTO roboto_orgs.org_invites (org_id, user_id, invited_by, expires) VALUES (%L, 'dave', 'olga', now() + interval '1 day')$$, :'globex'),
  'the same user may have a pending invite to another org');
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_invites (org_id, user_id, invited_by, status, expires) VALUES (%L, 'erin', 'alice', 'declined', now() + interval '1 day')$$, :'acme'),
  '23514', NULL, 'an answered invite needs its answer time: 23514');
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_invites (org_id, user_id, invited_by, answered, expires) VALUES (%L, 'erin', 'alice', now(), now() + interval '1 day')$$, :'acme'),
  '23514', NULL, 'a pending invite has no answer time: 23514');

-- A user who becomes a member some other way has their pending invite revoked
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'acme', 'dave', '{user}');
SELECT is((SELECT status::text FROM roboto_orgs.org_invites WHERE invite_id = 'iv_trig_dave1'), 'revoked',
  'a direct membership insert revokes the pending invite to that org');
SELECT is((SELECT count(*) FROM roboto_orgs.org_invites WHERE org_id = :'globex' AND user_id = 'dave' AND status = 'pending'), 1::bigint,
  'the pending invite to another org is untouched');
SELECT is((SELECT count(*) FROM roboto_orgs.org_invites WHERE org_id = :'acme' AND user_id = 'dave' AND status = 'declined'), 1::bigint,
  'answered invites are untouched');

-- No invite to a de-provisioning org
UPDATE roboto_orgs.orgs SET status = 'de-provisioning' WHERE org_id = :'globex';
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_invites (org_id, user_id, invited_by, expires) VALUES (%L, 'erin', 'olga', now() + interval '1 day')$$, :'globex'),
  '23514', format('org "%s" is being de-provisioned', :'globex'), 'a pending invite to a de-provisioning org cannot be inserted: 23514');

--------------------------------------------------------------------------------
-- Deleting an org removes its invites
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'olga';
SELECT org_id AS initech FROM roboto_orgs.create_org('Initech Triggers') \gset
SELECT invite_id AS inv_erin FROM roboto_orgs.invite_user(:'initech', 'erin') \gset
SELECT lives_ok(format('SELECT roboto_orgs.delete_org(%L)', :'initech'), 'the owner deletes an org with a pending invite');
SELECT throws_ok(format('SELECT roboto_orgs.get_invite(%L)', :'inv_erin'), 'PT404',
  format('invite "%s" does not exist', :'inv_erin'), 'the old invite id gives PT404 to the owner');
SET roboto_orgs.user_id = 'erin';
SELECT throws_ok(format('SELECT roboto_orgs.get_invite(%L)', :'inv_erin'), 'PT404', NULL, 'and to the invitee');
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_erin'), 'PT404', NULL, 'accepting it: PT404');
SELECT throws_ok(format('SELECT roboto_orgs.decline_invite(%L)', :'inv_erin'), 'PT404', NULL, 'declining it: PT404');
RESET ROLE;
SELECT is((SELECT count(*) FROM roboto_orgs.org_invites WHERE org_id = :'initech'), 0::bigint, 'no invite of the deleted org is left');

--------------------------------------------------------------------------------
-- Removing a member
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'olga';
SELECT org_id AS hooli FROM roboto_orgs.create_org('Hooli Triggers') \gset
SELECT invite_id AS inv_erin_hooli FROM roboto_orgs.invite_user(:'hooli', 'erin') \gset
SET roboto_orgs.user_id = 'alice';
SELECT invite_id AS inv_erin_acme FROM roboto_orgs.invite_user(:'acme', 'erin') \gset
SET roboto_orgs.user_id = 'erin';
SELECT roboto_orgs.accept_invite(:'inv_erin_acme') \g /dev/null
SET roboto_orgs.user_id = 'alice';
SELECT lives_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'erin'), 'an owner removes a member who joined by invite');
SET roboto_orgs.user_id = 'erin';
SELECT is((roboto_orgs.get_invite(:'inv_erin_hooli')).status::text, 'pending', 'her pending invite to another org is untouched');
SELECT is((roboto_orgs.get_invite(:'inv_erin_acme')).status::text, 'accepted', 'her accepted invite stays accepted');
SET roboto_orgs.user_id = 'alice';
SELECT invite_id AS inv_erin_acme2 FROM roboto_orgs.invite_user(:'acme', 'erin') \gset
SET roboto_orgs.user_id = 'erin';
SELECT is(((roboto_orgs.accept_invite(:'inv_erin_acme2')).roles)::text, '{user}', 'a removed member can be invited again and rejoin');

--------------------------------------------------------------------------------
-- Deleting users
--------------------------------------------------------------------------------
RESET ROLE;
DELETE FROM roboto_orgs.users WHERE user_id = 'erin';
SELECT is((SELECT count(*) FROM roboto_orgs.org_invites WHERE user_id = 'erin'), 0::bigint,
  'deleting a user removes the invites sent to them');
DELETE FROM roboto_orgs.org_members WHERE org_id = :'acme' AND user_id = 'dave';
INSERT INTO roboto_orgs.users (user_id) VALUES ('ivan');
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'acme', 'ivan', '{admin}');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'ivan';
SELECT invite_id AS inv_by_ivan FROM roboto_orgs.invite_user(:'acme', 'bob') \gset
SELECT invite_id AS inv_carol2 FROM roboto_orgs.invite_user(:'acme', 'carol') \gset
SET roboto_orgs.user_id = 'carol';
SELECT roboto_orgs.decline_invite(:'inv_carol2') \g /dev/null
RESET ROLE;
DELETE FROM roboto_orgs.users WHERE user_id = 'ivan';
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'bob';
SELECT is((roboto_orgs.get_invite(:'inv_by_ivan')).invited_by, NULL, 'an invite whose inviter was deleted has invited_by NULL');
SET roboto_orgs.user_id = 'carol';
SELECT is((roboto_orgs.get_invite(:'inv_carol2')).invited_by, NULL, 'an answered invite''s inviter is cleared too (ON DELETE SET NULL)');
SELECT is((roboto_orgs.get_invite(:'inv_carol2')).status::text, 'declined', 'and it stays declined');

--------------------------------------------------------------------------------
-- Renames cascade (ON UPDATE CASCADE) to invites in any state
--------------------------------------------------------------------------------
RESET ROLE;
SELECT count(*) AS bob_invites FROM roboto_orgs.org_invites WHERE user_id = 'bob' \gset
SELECT count(*) AS alice_sent FROM roboto_orgs.org_invites WHERE invited_by = 'alice' \gset
SELECT count(*) AS acme_invites FROM roboto_orgs.org_invites WHERE org_id = :'acme' \gset
SELECT lives_ok($$UPDATE roboto_orgs.users SET user_id = 'bob.renamed' WHERE user_id = 'bob'$$,
  'a user with pending and answered invites can be renamed');
SELECT is((SELECT count(*) FROM roboto_orgs.org_invites WHERE user_id = 'bob.renamed'), :'bob_invites'::bigint,
  'the invites follow the renamed user');
SELECT lives_ok($$UPDATE roboto_orgs.users SET user_id = 'alice.renamed' WHERE user_id = 'alice'$$,
  'a user who sent answered invites can be renamed');
SELECT is((SELECT count(*) FROM roboto_orgs.org_invites WHERE invited_by = 'alice.renamed'), :'alice_sent'::bigint,
  'invited_by follows the renamed inviter');
SELECT lives_ok(format($$UPDATE roboto_orgs.orgs SET org_id = 'og_trig_renamed' WHERE org_id = %L$$, :'acme'),
  'an org with invites can be renamed');
SELECT is((SELECT count(*) FROM roboto_orgs.org_invites WHERE org_id = 'og_trig_renamed'), :'acme_invites'::bigint,
  'the invites follow the renamed org');
SELECT throws_ok($$UPDATE roboto_orgs.org_invites SET user_id = 'carol' WHERE user_id = 'bob.renamed'$$,
  '23514', NULL, 'moving invites to another existing user is still refused: 23514');

SELECT * FROM finish();
ROLLBACK;
