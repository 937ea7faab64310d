-- 0.3.0: invitations with a role (invite_user's third argument), by email
-- (invite_email), resend_invite, transfer_ownership, and users' unique
-- addresses. Called by a non-superuser API role.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(75);

CREATE FUNCTION pg_temp.roles_of(org text, member text) RETURNS text
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT roles::text FROM roboto_orgs.org_members WHERE org_id = org AND user_id = member
$$;
CREATE FUNCTION pg_temp.events_of(invite text) RETURNS text[]
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT array_agg(kind ORDER BY event_id) FROM roboto_orgs.events WHERE subject = invite
$$;

-- alice owns Acme, adam is its admin, uma a plain member; bob and carol
-- get invited; erin has an account at an address that gets invited; eve is
-- nobody's.
SELECT roboto_orgs.create_user(u, u || '@example.com', initcap(u))
FROM unnest(ARRAY['alice', 'adam', 'uma', 'bob', 'carol', 'dave', 'eve']) u \g /dev/null
SELECT roboto_orgs.create_user('erin', 'Erin.Smith@Example.COM', 'Erin') \g /dev/null

SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT org_id AS acme FROM roboto_orgs.create_org('Acme Email Invites') \gset
RESET ROLE;
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles)
VALUES (:'acme', 'adam', '{admin}'), (:'acme', 'uma', '{user}');
SET ROLE roboto_test_api;

--------------------------------------------------------------------------------
-- invite_user with a role
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'adam';
SELECT invite_id AS inv_bob, role AS bob_role, coalesce(email, '<null>') AS bob_email FROM roboto_orgs.invite_user(:'acme', 'bob') \gset
SELECT is(:'bob_role'::text, 'user', 'invite_user with two arguments invites with role user');
SELECT is(:'bob_email'::text, '<null>', 'an invite by user id has no email');
SELECT invite_id AS inv_carol FROM roboto_orgs.invite_user(org => :'acme', invited_user_id => 'carol', role => 'admin') \gset
SELECT is((roboto_orgs.get_invite(:'inv_carol')).role::text, 'admin', 'an admin invites with role admin (named arguments)');
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L, %L)', :'acme', 'dave', 'owner'), '42501',
  format('user "adam" needs role owner in org "%s" to invite with role owner', :'acme'),
  'an admin cannot invite with role owner: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L, NULL)', :'acme', 'dave'), '22004', NULL,
  'a NULL role: 22004');
SET roboto_orgs.user_id = 'uma';
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L, %L)', :'acme', 'dave', 'admin'), '42501', NULL,
  'a member with role user cannot invite with role admin: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT invite_id AS inv_dave FROM roboto_orgs.invite_user(:'acme', 'dave', 'owner') \gset
SELECT is((roboto_orgs.get_invite(:'inv_dave')).role::text, 'owner', 'an owner invites with role owner');

SET roboto_orgs.user_id = 'carol';
SELECT is((roboto_orgs.accept_invite(:'inv_carol')).roles::text, '{admin}', 'accepting an admin invite joins with role admin');
SET roboto_orgs.user_id = 'dave';
SELECT is((roboto_orgs.accept_invite(:'inv_dave')).roles::text, '{owner}', 'accepting an owner invite joins with role owner');
SET roboto_orgs.user_id = 'bob';
SELECT is((roboto_orgs.accept_invite(:'inv_bob')).roles::text, '{user}', 'accepting a user invite joins with role user');

SELECT is(ARRAY(SELECT k FROM jsonb_object_keys(to_jsonb(roboto_orgs.get_invite(:'inv_bob'))) k ORDER BY k),
          ARRAY['created', 'email', 'expires', 'invite_id', 'invited_by', 'org', 'role', 'status', 'user_id'],
          'to_jsonb of org_invite_record: the seed''s keys, with role and email');

--------------------------------------------------------------------------------
-- invite_email
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'adam';
-- an address without an account, and one with (erin's, spelled otherwise)
SELECT invite_id AS inv_new, coalesce(user_id, '<null>') AS new_user, email AS new_email, role AS new_role, status AS new_status,
       (org).org_id AS new_org, (invited_by).user_id AS new_by
FROM roboto_orgs.invite_email(:'acme', 'New.Person@example.com', 'admin') \gset
SELECT is(:'new_user'::text, '<null>', 'an invitation by email has no user id');
SELECT is(:'new_email'::text, 'New.Person@example.com', 'it keeps the address as given');
SELECT is(:'new_role'::text, 'admin', 'with the role given');
SELECT is(:'new_status'::text, 'pending', 'pending');
SELECT is(:'new_by'::text, 'adam', 'invited by the caller');
SELECT row(user_id, email, role, status, (org).org_id, (invited_by).user_id, expires - created)::text AS shape_known
FROM roboto_orgs.invite_email(:'acme', 'erin.smith@EXAMPLE.com') \gset
SELECT row(user_id, email, role, status, (org).org_id, (invited_by).user_id, expires - created)::text AS shape_unknown
FROM roboto_orgs.invite_email(:'acme', 'erin.smith@example.org') \gset
SELECT is(replace(:'shape_known'::text, 'erin.smith@EXAMPLE.com', 'X'), replace(:'shape_unknown'::text, 'erin.smith@example.org', 'X'),
  'the answer is the same whether or not an account has the address');

SELECT pg_temp.fingerprint() AS fp \gset
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, %L)', :'acme', 'NEW.person@Example.Com.'), '23505',
  format('email address "new.person@example.com" already has a pending invite to org "%s"', :'acme'),
  'the same address (case, trailing dot) already has a pending invite: 23505');
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, %L)', :'acme', 'UMA@example.com'), '23505',
  format('email address "UMA@example.com" belongs to a member of org "%s"', :'acme'),
  'the address of a member: 23505');
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, %L)', :'acme', 'no-at.example.com'), '22023', NULL, 'no @: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, %L)', :'acme', 'a@b@example.com'), '22023', NULL, 'two @: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, %L)', :'acme', '@example.com'), '22023', NULL, 'empty local part: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, %L)', :'acme', 'a b@example.com'), '22023', NULL, 'a space: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, %L)', :'acme', ' a@example.com'), '22023', NULL, 'a leading space: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, %L)', :'acme', 'a@localhost'), '22023', NULL, 'a domain email_domain rejects: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, %L)', :'acme', 'a@exa mple.com'), '22023', NULL, 'a space in the domain: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, repeat(%L, 1048576) || %L)', :'acme', 'a', '@example.com'), '22023',
  NULL, 'a 1 MB address: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, %L)', :'acme', repeat('a', 65) || '@example.com'), '22023', NULL,
  'a local part over 64 octets: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, NULL)', :'acme'), '22004', NULL, 'a NULL address: 22004');
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, %L, %L)', :'acme', 'boss@example.net', 'owner'), '42501', NULL,
  'an admin cannot invite an address with role owner: 42501');
SET roboto_orgs.user_id = 'uma';
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, %L)', :'acme', 'x@example.net'), '42501', NULL,
  'a member with role user cannot invite by email: 42501');
SET roboto_orgs.user_id = 'eve';
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, %L)', :'acme', 'x@example.net'), '42501', NULL,
  'a non-member cannot invite by email: 42501');
SELECT is(pg_temp.fingerprint(), :'fp', 'the refused calls wrote nothing');

-- erin sees the invite to her address; others do not, and cannot answer it
SET roboto_orgs.user_id = 'erin';
SELECT invite_id AS inv_erin FROM roboto_orgs.invites_for_self() WHERE email = 'erin.smith@EXAMPLE.com' \gset
SELECT is((SELECT count(*) FROM roboto_orgs.invites_for_self())::int, 1, 'invites_for_self() shows the invitation to the user''s address');
SELECT is((roboto_orgs.get_invite(:'inv_erin')).email, 'erin.smith@EXAMPLE.com', 'the invitee reads it with get_invite');
SET roboto_orgs.user_id = 'eve';
SELECT is((SELECT count(*) FROM roboto_orgs.invites_for_self())::int, 0, 'others do not see it');
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_erin'), '42501', NULL, 'another user cannot accept it: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.decline_invite(%L)', :'inv_erin'), '42501', NULL, 'nor decline it: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.get_invite(%L)', :'inv_erin'), '42501', NULL, 'nor read it: 42501');
SET roboto_orgs.user_id = 'erin';
SELECT is((roboto_orgs.accept_invite(:'inv_erin')).roles::text, '{user}', 'the user with the address accepts it and joins');
SELECT is(pg_temp.roles_of(:'acme', 'erin'), '{user}', 'erin is a member');

-- someone without an account, invited as admin, signs up and joins as admin
RESET ROLE;
SELECT roboto_orgs.create_user('newbie', 'new.person@EXAMPLE.com') \g /dev/null
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'newbie';
SELECT is(ARRAY(SELECT invite_id FROM roboto_orgs.invites_for_self()), ARRAY[:'inv_new'],
  'a user created later sees the invitation to their address');
SELECT is((roboto_orgs.accept_invite(:'inv_new')).roles::text, '{admin}', 'and joins with the invite''s role (admin)');
SELECT is(roboto_orgs.has_role(:'acme', 'admin'), true, 'has_role agrees');

-- declining
SET roboto_orgs.user_id = 'alice';
SELECT invite_id AS inv_decl FROM roboto_orgs.invite_email(:'acme', 'EVE@example.com') \gset
SET roboto_orgs.user_id = 'eve';
SELECT lives_ok(format('SELECT roboto_orgs.decline_invite(%L)', :'inv_decl'), 'the user with the address declines');
SELECT is((roboto_orgs.get_invite(:'inv_decl')).status::text, 'declined', 'declined');

--------------------------------------------------------------------------------
-- users' addresses are unique on the normalised form
--------------------------------------------------------------------------------
RESET ROLE;
SELECT throws_ok($$SELECT roboto_orgs.create_user('erin2', 'ERIN.SMITH@example.com.')$$, '23505',
  'email address "ERIN.SMITH@example.com." is already taken', 'create_user: an address taken in another spelling: 23505');
SELECT throws_ok($$SELECT roboto_orgs.create_user('erin', 'other@example.com')$$, '23505',
  'user "erin" already exists', 'create_user: a taken user id is still reported as such');
SELECT throws_ok($$INSERT INTO roboto_orgs.users (user_id, email) VALUES ('erin3', 'erin.smith@example.com')$$, '23505', NULL,
  'a direct insert of a taken address: 23505');
SELECT is(roboto_orgs.email_address_key('Ünï.Côde@BÜCHER.de'), 'Ünï.côde@xn--bcher-kva.de',
  'email_address_key: ASCII letters of the local part lower-cased, others as written; the domain as email_domain');
SELECT is(roboto_orgs.email_address_key('not an address'), 'not an address', 'email_address_key of other text: lower-cased');

--------------------------------------------------------------------------------
-- seats: invitations by email hold seats
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT org_id AS tiny FROM roboto_orgs.create_org('Tiny Email Invites') \gset
RESET ROLE;
INSERT INTO roboto_orgs.tier_limits (tier, max_members) VALUES ('premium', 2);
UPDATE roboto_orgs.orgs SET tier = 'premium' WHERE org_id = :'tiny';
SET ROLE roboto_test_api;
SELECT lives_ok(format('SELECT roboto_orgs.invite_email(%L, %L)', :'tiny', 'seat@example.com'), 'an invitation by email takes the last seat');
SELECT throws_ok(format('SELECT roboto_orgs.invite_email(%L, %L)', :'tiny', 'seat2@example.com'), '23514', NULL,
  'no seat left for another invitation by email: 23514');
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L)', :'tiny', 'eve'), '23514', NULL,
  'nor for an invitation by user id: 23514');

--------------------------------------------------------------------------------
-- resend_invite
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'adam';
SELECT invite_id AS inv_re FROM roboto_orgs.invite_email(:'acme', 'later@example.com') \gset
RESET ROLE;
UPDATE roboto_orgs.org_invites SET expires = now() - interval '1 hour' WHERE invite_id = :'inv_re';
SET ROLE roboto_test_api;
SELECT is((roboto_orgs.get_invite(:'inv_re')).status::text, 'expired', 'the invite has expired');
SELECT is((roboto_orgs.resend_invite(:'inv_re')).status::text, 'pending', 'resend_invite revives it');
SELECT is((roboto_orgs.get_invite(:'inv_re')).expires, now() + interval '7 days', 'with a new expiry');
SELECT is(pg_temp.events_of(:'inv_re'), ARRAY['invite.sent', 'invite.resent'], 'and logs invite.resent');
SET roboto_orgs.user_id = 'uma';
SELECT throws_ok(format('SELECT roboto_orgs.resend_invite(%L)', :'inv_re'), '42501', NULL, 'a member with role user cannot resend: 42501');
SET roboto_orgs.user_id = 'adam';
SELECT throws_ok(format('SELECT roboto_orgs.resend_invite(%L)', :'inv_bob'), '22023', NULL, 'an accepted invite is not resent: 22023');
SELECT throws_ok($$SELECT roboto_orgs.resend_invite('iv_nosuch')$$, 'PT404', NULL, 'no such invite: PT404');
SELECT throws_ok($$SELECT roboto_orgs.resend_invite(NULL)$$, '22004', NULL, 'NULL: 22004');

--------------------------------------------------------------------------------
-- transfer_ownership
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'adam';
SELECT throws_ok(format('SELECT roboto_orgs.transfer_ownership(%L, %L)', :'acme', 'uma'), '42501', NULL,
  'an admin cannot transfer ownership: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok(format('SELECT roboto_orgs.transfer_ownership(%L, %L)', :'acme', 'eve'), 'PT404',
  format('user "eve" is not a member of org "%s"', :'acme'), 'to a non-member: PT404');
SELECT throws_ok(format('SELECT roboto_orgs.transfer_ownership(%L, %L)', :'acme', 'alice'), '22023', NULL,
  'to oneself: 22023');
SELECT is((roboto_orgs.transfer_ownership(:'acme', 'uma')).org_id, :'acme', 'an owner transfers ownership to a member');
SELECT is(pg_temp.roles_of(:'acme', 'uma'), '{user,owner}', 'the member is owner');
SELECT is(pg_temp.roles_of(:'acme', 'alice'), '{admin}', 'the caller gave up owner and kept admin');

--------------------------------------------------------------------------------
-- invariants under direct writes
--------------------------------------------------------------------------------
RESET ROLE;
SELECT throws_ok(format($$UPDATE roboto_orgs.org_invites SET role = 'owner' WHERE invite_id = %L$$, :'inv_re'), '23514', NULL,
  'a pending invite''s role does not change: 23514');
SELECT throws_ok(format($$UPDATE roboto_orgs.org_invites SET email = 'x@example.com' WHERE invite_id = %L$$, :'inv_re'), '23514', NULL,
  'nor its address: 23514');
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_invites (org_id, email, role, invited_by, expires) VALUES (%L, 'boss@example.com', 'owner', 'adam', now() + interval '1 day')$$, :'acme'),
  '23514', NULL, 'an owner invite inserted with an inviter who is not an owner: 23514');
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_invites (org_id, user_id, email, expires) VALUES (%L, 'eve', 'eve2@example.com', now() + interval '1 day')$$, :'acme'),
  '23514', NULL, 'an invite names its invitee by user id or by address, not both: 23514');

-- Unicode white space and bidirectional controls are refused as ASCII ones are
SELECT set_config('roboto_orgs.user_id', (SELECT created_by FROM roboto_orgs.orgs ORDER BY created LIMIT 1), false) IS NOT NULL AS caller_set \gset
SELECT throws_ok(format($$SELECT roboto_orgs.invite_email(%L, %L)$$, (SELECT org_id FROM roboto_orgs.orgs ORDER BY created LIMIT 1), E'a\u3000b@example.com'),
  '22023', NULL, 'an ideographic space in an address: 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.invite_email(%L, %L)$$, (SELECT org_id FROM roboto_orgs.orgs ORDER BY created LIMIT 1), E'evil\u202Emoc.liame@example.com'),
  '22023', NULL, 'a right-to-left override in an address: 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.invite_email(%L, %L)$$, (SELECT org_id FROM roboto_orgs.orgs ORDER BY created LIMIT 1), E'a\u200Bb@example.com'),
  '22023', NULL, 'a zero-width space in an address: 22023');
SELECT * FROM finish();
ROLLBACK;
