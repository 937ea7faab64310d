-- Invitation expiry: roboto_orgs.invite_ttl (default 7 days, superuser-only,
-- an integer with time units), and what an invite past its expiry does:
-- shown as expired, not listed, not answerable (22023), replaced by a new
-- invite. Time does not pass inside a test transaction, so expiry is made by
-- moving expires into the past as the superuser.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(36);

SELECT roboto_orgs.create_user(u, u || '@example.com', initcap(u))
FROM unnest(ARRAY['alice', 'bob', 'carol', 'dave', 'erin']) u \g /dev/null

--------------------------------------------------------------------------------
-- roboto_orgs.invite_ttl
--------------------------------------------------------------------------------
SELECT is(current_setting('roboto_orgs.invite_ttl'), '7d', 'roboto_orgs.invite_ttl defaults to 7 days');
SELECT is((SELECT context FROM pg_settings WHERE name = 'roboto_orgs.invite_ttl'), 'superuser',
  'roboto_orgs.invite_ttl is superuser-settable');
SELECT is((SELECT unit FROM pg_settings WHERE name = 'roboto_orgs.invite_ttl'), 's',
  'roboto_orgs.invite_ttl is in seconds and takes time units');
SELECT throws_ok($$SET roboto_orgs.invite_ttl = '30s'$$, '22023', NULL,
  'a ttl under one minute is refused: 22023');
SELECT throws_ok($$SET roboto_orgs.invite_ttl = 'soon'$$, '22023', NULL,
  'a ttl that is not a duration is refused: 22023');

SET ROLE roboto_test_api;
SELECT throws_ok($$SET roboto_orgs.invite_ttl = '1h'$$, '42501', NULL,
  'an API role cannot change roboto_orgs.invite_ttl: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT org_id AS acme FROM roboto_orgs.create_org('Acme Expiry') \gset

SELECT invite_id AS inv_bob, expires - created AS ttl_bob, created = now() AS created_now
FROM roboto_orgs.invite_user(:'acme', 'bob') \gset
SELECT is(:'ttl_bob'::interval, interval '7 days', 'by default an invite expires 7 days after it was created');
SELECT is(:'created_now'::boolean, true, 'created is the time of the inviting transaction');

RESET ROLE;
SET roboto_orgs.invite_ttl = '1min';
SET ROLE roboto_test_api;
SELECT is(current_setting('roboto_orgs.invite_ttl'), '1min', 'the superuser set roboto_orgs.invite_ttl to 1min');
SELECT invite_id AS inv_carol, expires - created AS ttl_carol FROM roboto_orgs.invite_user(:'acme', 'carol') \gset
SELECT is(:'ttl_carol'::interval, interval '1 minute', 'with invite_ttl = 1min an invite expires one minute after it was created');
SELECT is((roboto_orgs.get_invite(:'inv_bob')).expires - (roboto_orgs.get_invite(:'inv_bob')).created, interval '7 days',
  'the setting applies to new invites only');

RESET ROLE;
SET roboto_orgs.invite_ttl = '36h';
SET ROLE roboto_test_api;
SELECT invite_id AS inv_dave, expires - created AS ttl_dave FROM roboto_orgs.invite_user(:'acme', 'dave') \gset
SELECT is(:'ttl_dave'::interval, interval '36 hours', 'invite_ttl takes hours too (36h)');
RESET ROLE;
RESET roboto_orgs.invite_ttl;
SET ROLE roboto_test_api;

--------------------------------------------------------------------------------
-- An invite past its expiry
--------------------------------------------------------------------------------
SELECT is((SELECT count(*) FROM roboto_orgs.org_invites(:'acme')), 3::bigint, 'three pending invites are listed');

RESET ROLE;
UPDATE roboto_orgs.org_invites SET expires = now() - interval '1 second' WHERE invite_id = :'inv_bob';
SET ROLE roboto_test_api;

SELECT is((SELECT array_agg(user_id ORDER BY user_id) FROM roboto_orgs.org_invites(:'acme')), ARRAY['carol', 'dave'],
  'an invite past its expiry is not listed as pending');
SELECT is((roboto_orgs.get_invite(:'inv_bob')).status::text, 'expired', 'an admin sees it as expired');
SET roboto_orgs.user_id = 'bob';
SELECT is((roboto_orgs.get_invite(:'inv_bob')).status::text, 'expired', 'the invitee sees it as expired');
SELECT is(to_jsonb(roboto_orgs.get_invite(:'inv_bob')) ->> 'status', 'expired', 'status is "expired" in JSON');

SELECT pg_temp.fingerprint() AS fp \gset
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_bob'), '22023',
  format('invite "%s" has expired', :'inv_bob'), 'an expired invite cannot be accepted: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.decline_invite(%L)', :'inv_bob'), '22023',
  format('invite "%s" has expired', :'inv_bob'), 'an expired invite cannot be declined: 22023');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok(format('SELECT roboto_orgs.revoke_invite(%L)', :'inv_bob'), '22023',
  format('invite "%s" has expired', :'inv_bob'), 'an expired invite cannot be revoked: 22023');
SET roboto_orgs.user_id = 'carol';
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_bob'), '42501', NULL,
  'someone else still gets 42501 for an expired invite');
SELECT is(pg_temp.fingerprint(), :'fp', 'the refused answers to an expired invite wrote nothing');
SET roboto_orgs.user_id = 'bob';
SELECT ok(NOT roboto_orgs.is_member(:'acme'), 'bob did not join');

-- Expiry is exact: an invite expires at its expires time, not after
RESET ROLE;
UPDATE roboto_orgs.org_invites SET expires = now() WHERE invite_id = :'inv_carol';
UPDATE roboto_orgs.org_invites SET expires = now() + interval '1 microsecond' WHERE invite_id = :'inv_dave';
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'carol';
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_carol'), '22023', NULL,
  'an invite whose expires is now cannot be accepted');
SET roboto_orgs.user_id = 'dave';
SELECT is((roboto_orgs.get_invite(:'inv_dave')).status::text, 'pending', 'an invite one microsecond before expiry is pending');
SELECT is(((roboto_orgs.accept_invite(:'inv_dave')).roles)::text, '{user}', 'and can still be accepted');

-- A new invite replaces the expired one; the expired one stays expired
SET roboto_orgs.user_id = 'alice';
SELECT invite_id AS inv_bob2 FROM roboto_orgs.invite_user(:'acme', 'bob') \gset
SELECT isnt(:'inv_bob2'::text, :'inv_bob'::text, 'a user whose invite expired can be invited again');
SELECT is((roboto_orgs.get_invite(:'inv_bob2')).status::text, 'pending', 'the new invite is pending');
SELECT is((roboto_orgs.get_invite(:'inv_bob')).status::text, 'expired', 'the old invite is expired');
RESET ROLE;
SELECT is((SELECT status::text FROM roboto_orgs.org_invites WHERE invite_id = :'inv_bob'), 'expired',
  'inviting again records the old invite as expired');
SELECT ok((SELECT answered IS NOT NULL FROM roboto_orgs.org_invites WHERE invite_id = :'inv_bob'),
  'with the time it was closed');
SELECT throws_ok(format($$UPDATE roboto_orgs.org_invites SET expires = now() + interval '1 day' WHERE invite_id = %L$$, :'inv_bob'),
  '23514', NULL, 'an invite recorded as expired cannot be revived, even by the superuser: 23514');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_bob'), '22023',
  format('invite "%s" is no longer pending', :'inv_bob'), 'the old invite still cannot be accepted');
SELECT is(((roboto_orgs.accept_invite(:'inv_bob2')).roles)::text, '{user}', 'the new invite can');

-- An invite written with a past creation time and a past expiry (superuser)
RESET ROLE;
INSERT INTO roboto_orgs.org_invites (invite_id, org_id, user_id, invited_by, created, expires)
VALUES ('iv_expiry_old', :'acme', 'erin', 'alice', now() - interval '8 days', now() - interval '1 day');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'erin';
SELECT is((roboto_orgs.get_invite('iv_expiry_old')).status::text, 'expired', 'an invite written already past its expiry is expired');
SELECT throws_ok('SELECT roboto_orgs.accept_invite(''iv_expiry_old'')', '22023',
  'invite "iv_expiry_old" has expired', 'and cannot be accepted');

SELECT * FROM finish();
ROLLBACK;
