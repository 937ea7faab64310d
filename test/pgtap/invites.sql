-- Invitations: invite_user, org_invites, get_invite, accept_invite,
-- decline_invite and revoke_invite, called by a non-superuser API role:
-- success, each permission denial, each SQLSTATE, NULL arguments, the record
-- shapes and the order of the list. Expiry is in invites_expiry.sql, direct
-- writes and cascades in invites_triggers.sql.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(123);

-- Status of an invite as stored, and whether a user is a member of an org,
-- read past the API (SECURITY DEFINER, as above)
CREATE FUNCTION pg_temp.stored_status(invite text) RETURNS text
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT status::text FROM roboto_orgs.org_invites WHERE invite_id = invite
$$;
CREATE FUNCTION pg_temp.roles_of(org text, member text) RETURNS text
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT roles::text FROM roboto_orgs.org_members WHERE org_id = org AND user_id = member
$$;


-- Users: alice owns Acme, adam is its admin, uma a plain member; olga owns
-- Globex and Initech; bob, carol, dave and erin get invited; eve is nobody's.
SELECT roboto_orgs.create_user(u, u || '@example.com', initcap(u))
FROM unnest(ARRAY['alice', 'adam', 'uma', 'olga', 'bob', 'carol', 'dave', 'erin', 'eve']) u \g /dev/null

SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT org_id AS acme FROM roboto_orgs.create_org('Acme Invites') \gset
SET roboto_orgs.user_id = 'olga';
SELECT org_id AS globex FROM roboto_orgs.create_org('Globex Invites') \gset
SELECT org_id AS initech FROM roboto_orgs.create_org('Initech Invites') \gset
RESET ROLE;
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles)
VALUES (:'acme', 'adam', '{admin}'), (:'acme', 'uma', '{user}');
SET ROLE roboto_test_api;

SELECT is(current_user::text, 'roboto_test_api', 'the tests run as a non-superuser API role');

--------------------------------------------------------------------------------
-- invite_user(org, invited_user_id)
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'alice';
SELECT i.invite_id AS inv_bob, i.user_id AS bob_user, (i.invited_by).user_id AS bob_by,
       (i.invited_by).email AS bob_by_email, (i.org).org_id AS bob_org, (i.org).name AS bob_org_name,
       i.status AS bob_status, i.expires - i.created AS bob_ttl, i.created = now() AS bob_created_now,
       pg_typeof(i.invited_by)::text AS bob_by_type, pg_typeof(i.org)::text AS bob_org_type
FROM roboto_orgs.invite_user(:'acme', 'bob') i \gset

SELECT matches(:'inv_bob'::text, '^iv_[0-9a-f]{32}$', 'an owner invites: the invite id is iv_ and 32 hex digits');
SELECT is(:'bob_user'::text, 'bob', 'the invite names the invited user');
SELECT is(:'bob_by'::text, 'alice', 'invited_by is the caller');
SELECT is(:'bob_by_email'::text, 'alice@example.com', 'invited_by carries the inviter''s user record');
SELECT is(:'bob_by_type'::text, 'roboto_orgs.user_record', 'invited_by is a roboto_orgs.user_record');
SELECT is(:'bob_org'::text, :'acme'::text, 'the invite names the org');
SELECT is(:'bob_org_name'::text, 'Acme Invites', 'org is the org''s record');
SELECT is(:'bob_org_type'::text, 'roboto_orgs.org_record', 'org is a roboto_orgs.org_record');
SELECT is(:'bob_status'::text, 'pending', 'a new invite is pending');
SELECT is(:'bob_ttl'::interval, interval '7 days', 'a new invite expires 7 days after it was created (default roboto_orgs.invite_ttl)');
SELECT is(:'bob_created_now'::boolean, true, 'created is the transaction''s time');

SET roboto_orgs.user_id = 'adam';
SELECT invite_id AS inv_carol FROM roboto_orgs.invite_user(:'acme', 'carol') \gset
SELECT is(((roboto_orgs.get_invite(:'inv_carol')).invited_by).user_id, 'adam', 'an admin invites');
SELECT isnt(:'inv_carol'::text, :'inv_bob'::text, 'each invite gets its own id');

SELECT pg_temp.fingerprint() AS fp \gset
SET roboto_orgs.user_id = 'uma';
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L)', :'acme', 'dave'), '42501',
  format('user "uma" needs role admin in org "%s" to invite users', :'acme'),
  'a member with role user cannot invite: 42501');
SET roboto_orgs.user_id = 'eve';
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L)', :'acme', 'dave'), '42501',
  format('user "eve" is not a member of org "%s"', :'acme'),
  'a non-member cannot invite: 42501');
SET roboto_orgs.user_id = 'olga';
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L)', :'acme', 'dave'), '42501', NULL,
  'the owner of another org cannot invite: 42501');
SET roboto_orgs.user_id = '';
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L)', :'acme', 'dave'), '42501',
  'anonymous caller is not allowed', 'an anonymous caller cannot invite: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L)', 'og_nosuchorg', 'dave'), 'PT404',
  'org "og_nosuchorg" does not exist', 'unknown org: PT404');
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L)', :'acme', 'nobody'), 'PT404',
  'user "nobody" does not exist', 'unknown user: PT404');
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L)', :'acme', 'uma'), '23505',
  format('user "uma" is already a member of org "%s"', :'acme'), 'the user is already a member: 23505');
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L)', :'acme', 'alice'), '23505', NULL,
  'inviting oneself (a member): 23505');
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L)', :'acme', 'bob'), '23505',
  format('user "bob" already has a pending invite to org "%s"', :'acme'),
  'the user already has a pending invite to this org: 23505');
SET roboto_orgs.user_id = 'adam';
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L)', :'acme', 'bob'), '23505', NULL,
  'a pending invite sent by another admin also counts: 23505');
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(NULL, %L)', 'dave'), '22004',
  'argument "org" must not be null', 'NULL org: 22004');
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, NULL)', :'acme'), '22004',
  'argument "invited_user_id" must not be null', 'NULL invited_user_id: 22004');
SELECT throws_ok('SELECT roboto_orgs.invite_user(NULL, NULL)', '22004', NULL, 'NULL both: 22004');
SELECT is(pg_temp.fingerprint(), :'fp', 'the refused invitations wrote nothing');

-- The same user may be invited to several orgs at once
SET roboto_orgs.user_id = 'olga';
SELECT invite_id AS inv_bob_globex FROM roboto_orgs.invite_user(:'globex', 'bob') \gset
SELECT is(pg_temp.stored_status(:'inv_bob_globex'), 'pending', 'a user may have pending invites to several orgs');

-- An org that is not active takes no invites: de-provisioning, provisioning.
-- dave's invite to Initech is sent while it is still active.
SELECT invite_id AS inv_dave_initech FROM roboto_orgs.invite_user(:'initech', 'dave') \gset
SELECT lives_ok(format($$SELECT roboto_orgs.update_org(%L, status => 'de-provisioning')$$, :'initech'),
  'setup: Initech moves to de-provisioning');
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L)', :'initech', 'erin'), '22023',
  format('org "%s" is being de-provisioned', :'initech'), 'a de-provisioning org takes no invites: 22023');
RESET ROLE;
INSERT INTO roboto_orgs.orgs (org_id, name, status, created_by) VALUES ('og_invtest_prov', 'Provisioning Invites', 'provisioning', 'olga');
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES ('og_invtest_prov', 'olga', '{owner}');
SET ROLE roboto_test_api;
SELECT throws_ok(format('SELECT roboto_orgs.invite_user(%L, %L)', 'og_invtest_prov', 'erin'), '22023',
  'org "og_invtest_prov" is not active', 'a provisioning org takes no invites: 22023');

--------------------------------------------------------------------------------
-- org_invites(org)
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'alice';
SELECT results_eq(
  format('SELECT invite_id, user_id, (invited_by).user_id, status::text FROM roboto_orgs.org_invites(%L)', :'acme'),
  format('SELECT * FROM (VALUES (%L, %L, %L, %L), (%L, %L, %L, %L)) v (invite_id, user_id, invited_by, status) ORDER BY invite_id',
         :'inv_bob', 'bob', 'alice', 'pending', :'inv_carol', 'carol', 'adam', 'pending'),
  'an owner lists the pending invites (sent in one transaction, so with equal created: by invite_id)');
SET roboto_orgs.user_id = 'adam';
SELECT is((SELECT count(*) FROM roboto_orgs.org_invites(:'acme')), 2::bigint, 'an admin lists the pending invites');
SELECT is((SELECT array_agg((org).org_id) FROM roboto_orgs.org_invites(:'acme')), ARRAY[:'acme', :'acme'],
  'only the org''s own invites are listed');
SET roboto_orgs.user_id = 'uma';
SELECT throws_ok(format('SELECT * FROM roboto_orgs.org_invites(%L)', :'acme'), '42501', NULL,
  'a member with role user cannot list invites: 42501');
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok(format('SELECT * FROM roboto_orgs.org_invites(%L)', :'acme'), '42501', NULL,
  'the invitee cannot list the org''s invites: 42501');
SET roboto_orgs.user_id = 'olga';
SELECT throws_ok(format('SELECT * FROM roboto_orgs.org_invites(%L)', :'acme'), '42501', NULL,
  'the owner of another org cannot list invites: 42501');
SET roboto_orgs.user_id = '';
SELECT throws_ok(format('SELECT * FROM roboto_orgs.org_invites(%L)', :'acme'), '42501', NULL,
  'an anonymous caller cannot list invites: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok('SELECT * FROM roboto_orgs.org_invites(''og_nosuchorg'')', 'PT404',
  'org "og_nosuchorg" does not exist', 'unknown org: PT404');
SELECT throws_ok('SELECT * FROM roboto_orgs.org_invites(NULL)', '22004',
  'argument "org" must not be null', 'NULL org: 22004');

-- Order: created, then invite_id. Two invites written directly with chosen
-- times and ids: the older one has the larger id and still comes first.
RESET ROLE;
INSERT INTO roboto_orgs.org_invites (invite_id, org_id, user_id, invited_by, created, expires) VALUES
  ('iv_order_b', :'globex', 'erin', 'olga', now() - interval '2 days', now() + interval '1 day'),
  ('iv_order_a', :'globex', 'eve', 'olga', now() - interval '1 day', now() + interval '1 day'),
  ('iv_order_c', :'globex', 'carol', 'olga', now() - interval '1 day', now() + interval '1 day');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'olga';
SELECT results_eq(
  format('SELECT invite_id FROM roboto_orgs.org_invites(%L)', :'globex'),
  format('VALUES (%L), (%L), (%L), (%L)', 'iv_order_b', 'iv_order_a', 'iv_order_c', :'inv_bob_globex'),
  'invites are listed by created, then invite_id');
SELECT results_eq(
  format('SELECT invite_id FROM roboto_orgs.org_invites(%L)', :'globex'),
  format('SELECT invite_id FROM roboto_orgs.org_invites(%L)', :'globex'),
  'the order is the same on every call');

--------------------------------------------------------------------------------
-- get_invite(invite_id)
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'bob';
SELECT is((roboto_orgs.get_invite(:'inv_bob')).invite_id, :'inv_bob', 'the invitee reads the invite');
SELECT is(
  (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(to_jsonb(roboto_orgs.get_invite(:'inv_bob'))) k),
  ARRAY['created', 'email', 'expires', 'invite_id', 'invited_by', 'org', 'role', 'status', 'user_id'],
  'to_jsonb(get_invite()) has the keys of the seed''s OrgInviteRecord (invite_id, invited_by, user_id, org) plus status, created, expires (and since 0.3.0 role, email)');
SELECT is(
  (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(to_jsonb(roboto_orgs.get_invite(:'inv_bob')) -> 'invited_by') k),
  ARRAY['email', 'is_service_user', 'is_system_user', 'name', 'picture_url', 'user_id'],
  'invited_by has the keys of the seed''s UserRecord');
SELECT is(
  (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(to_jsonb(roboto_orgs.get_invite(:'inv_bob')) -> 'org') k),
  ARRAY['created', 'created_by', 'data_region', 'name', 'org_id', 'private_metadata', 'public_metadata', 'slug', 'status', 'tier'],
  'org has the keys of the seed''s OrgRecord (and since 0.3.0 slug and the metadata)');
SELECT is(to_jsonb(roboto_orgs.get_invite(:'inv_bob')) ->> 'status', 'pending', 'status is the enum''s string in JSON');
SELECT ok((to_jsonb(roboto_orgs.get_invite(:'inv_bob')) ->> 'expires') ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d',
  'expires is an ISO 8601 timestamp in JSON');
SELECT is(pg_typeof((roboto_orgs.get_invite(:'inv_bob')).invited_by)::text, 'roboto_orgs.user_record',
  'get_invite: invited_by is a roboto_orgs.user_record');
SELECT is((roboto_orgs.get_invite(:'inv_bob')).invited_by,
  ROW('alice', 'alice@example.com', 'Alice', NULL, false, false)::roboto_orgs.user_record,
  'invited_by is the inviter''s whole user record');
SET roboto_orgs.user_id = 'adam';
SELECT is((roboto_orgs.get_invite(:'inv_bob')).user_id, 'bob', 'an admin of the org reads an invite');
SET roboto_orgs.user_id = 'alice';
SELECT is((roboto_orgs.get_invite(:'inv_carol')).user_id, 'carol', 'the owner of the org reads an invite');
SELECT pg_temp.fingerprint() AS fp \gset
SET roboto_orgs.user_id = 'uma';
SELECT throws_ok(format('SELECT roboto_orgs.get_invite(%L)', :'inv_bob'), '42501',
  format('only the invited user or an admin of org "%s" may read invite "%s"', :'acme', :'inv_bob'),
  'a member with role user cannot read an invite: 42501');
SET roboto_orgs.user_id = 'carol';
SELECT throws_ok(format('SELECT roboto_orgs.get_invite(%L)', :'inv_bob'), '42501', NULL,
  'another invitee of the same org cannot read the invite: 42501');
SET roboto_orgs.user_id = 'eve';
SELECT throws_ok(format('SELECT roboto_orgs.get_invite(%L)', :'inv_bob'), '42501', NULL,
  'an outsider cannot read an invite: 42501');
SET roboto_orgs.user_id = 'olga';
SELECT throws_ok(format('SELECT roboto_orgs.get_invite(%L)', :'inv_bob'), '42501', NULL,
  'the owner of another org cannot read an invite: 42501');
SET roboto_orgs.user_id = '';
SELECT throws_ok(format('SELECT roboto_orgs.get_invite(%L)', :'inv_bob'), '42501', NULL,
  'an anonymous caller cannot read an invite: 42501');
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok('SELECT roboto_orgs.get_invite(''iv_nosuchinvite'')', 'PT404',
  'invite "iv_nosuchinvite" does not exist', 'unknown invite: PT404');
SELECT throws_ok('SELECT roboto_orgs.get_invite(NULL)', '22004',
  'argument "invite_id" must not be null', 'NULL invite_id: 22004');

--------------------------------------------------------------------------------
-- accept_invite(invite_id)
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_bob'), '42501',
  format('only the invited user may accept invite "%s"', :'inv_bob'),
  'the org''s owner cannot accept someone else''s invite: 42501');
SET roboto_orgs.user_id = 'adam';
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_bob'), '42501', NULL,
  'the inviting org''s admin cannot accept it: 42501');
SET roboto_orgs.user_id = 'carol';
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_bob'), '42501', NULL,
  'another invitee cannot accept it: 42501');
SET roboto_orgs.user_id = 'eve';
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_bob'), '42501', NULL,
  'an outsider cannot accept it: 42501');
SET roboto_orgs.user_id = '';
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_bob'), '42501', NULL,
  'an anonymous caller cannot accept it: 42501');
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok('SELECT roboto_orgs.accept_invite(''iv_nosuchinvite'')', 'PT404',
  'invite "iv_nosuchinvite" does not exist', 'unknown invite: PT404');
SELECT throws_ok('SELECT roboto_orgs.accept_invite(NULL)', '22004',
  'argument "invite_id" must not be null', 'NULL invite_id: 22004');
SELECT is(pg_temp.fingerprint(), :'fp', 'the refused reads and accepts wrote nothing');
SELECT is(pg_temp.stored_status(:'inv_bob'), 'pending', 'the invite is still pending');

SELECT ((r).user).user_id AS acc_user, ((r).org).org_id AS acc_org, (r).roles::text AS acc_roles,
       pg_typeof(r)::text AS acc_type
FROM roboto_orgs.accept_invite(:'inv_bob') r \gset
SELECT is(:'acc_type'::text, 'roboto_orgs.org_user_record', 'accept_invite returns the membership (org_user_record)');
SELECT is(:'acc_user'::text, 'bob', 'the membership is the invitee''s');
SELECT is(:'acc_org'::text, :'acme'::text, 'in the invite''s org');
SELECT is(:'acc_roles'::text, '{user}', 'with role user');
SELECT is(pg_temp.roles_of(:'acme', 'bob'), '{user}', 'bob is now a member of Acme with role user');
SELECT is((roboto_orgs.get_invite(:'inv_bob')).status::text, 'accepted', 'the invite is accepted');
SELECT ok(roboto_orgs.is_member(:'acme'), 'bob is a member (is_member)');
SELECT is(pg_temp.stored_status(:'inv_bob_globex'), 'pending', 'bob''s invite to another org stays pending');
SET roboto_orgs.user_id = 'alice';
SELECT is((SELECT array_agg(user_id) FROM roboto_orgs.org_invites(:'acme')), ARRAY['carol'],
  'an accepted invite is no longer listed');

-- Answering twice changes nothing
SELECT pg_temp.fingerprint() AS fp \gset
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_bob'), '22023',
  format('invite "%s" is no longer pending', :'inv_bob'), 'accept after accept: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.decline_invite(%L)', :'inv_bob'), '22023', NULL,
  'decline after accept: 22023');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok(format('SELECT roboto_orgs.revoke_invite(%L)', :'inv_bob'), '22023', NULL,
  'revoke after accept: 22023');
SELECT is(pg_temp.fingerprint(), :'fp', 'answering an accepted invite again changes nothing');

-- An org that stopped being active: dave's invite to Initech cannot be accepted
SET roboto_orgs.user_id = 'dave';
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_dave_initech'), '22023',
  format('org "%s" is being de-provisioned', :'initech'), 'accepting an invite to a de-provisioning org: 22023');
SELECT is(pg_temp.stored_status(:'inv_dave_initech'), 'pending', 'that invite stays pending');
SELECT is(pg_temp.roles_of(:'initech', 'dave'), NULL, 'dave did not join Initech');

--------------------------------------------------------------------------------
-- decline_invite(invite_id)
--------------------------------------------------------------------------------
SELECT pg_temp.fingerprint() AS fp \gset
SET roboto_orgs.user_id = 'adam';
SELECT throws_ok(format('SELECT roboto_orgs.decline_invite(%L)', :'inv_carol'), '42501',
  format('only the invited user may decline invite "%s"', :'inv_carol'),
  'the inviting admin cannot decline the invite: 42501');
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok(format('SELECT roboto_orgs.decline_invite(%L)', :'inv_carol'), '42501', NULL,
  'a member cannot decline someone else''s invite: 42501');
SET roboto_orgs.user_id = '';
SELECT throws_ok(format('SELECT roboto_orgs.decline_invite(%L)', :'inv_carol'), '42501', NULL,
  'an anonymous caller cannot decline: 42501');
SET roboto_orgs.user_id = 'carol';
SELECT throws_ok('SELECT roboto_orgs.decline_invite(''iv_nosuchinvite'')', 'PT404',
  'invite "iv_nosuchinvite" does not exist', 'unknown invite: PT404');
SELECT throws_ok('SELECT roboto_orgs.decline_invite(NULL)', '22004',
  'argument "invite_id" must not be null', 'NULL invite_id: 22004');
SELECT is(pg_temp.fingerprint(), :'fp', 'the refused declines wrote nothing');
SELECT is(pg_temp.stored_status(:'inv_carol'), 'pending', 'the invite is still pending');

SELECT lives_ok(format('SELECT roboto_orgs.decline_invite(%L)', :'inv_carol'), 'the invitee declines');
SELECT is((roboto_orgs.get_invite(:'inv_carol')).status::text, 'declined', 'the invite is declined');
SELECT is(pg_temp.roles_of(:'acme', 'carol'), NULL, 'carol did not join');
SELECT pg_temp.fingerprint() AS fp \gset
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_carol'), '22023',
  format('invite "%s" is no longer pending', :'inv_carol'), 'accept after decline: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.decline_invite(%L)', :'inv_carol'), '22023', NULL,
  'decline after decline: 22023');
SET roboto_orgs.user_id = 'adam';
SELECT throws_ok(format('SELECT roboto_orgs.revoke_invite(%L)', :'inv_carol'), '22023', NULL,
  'revoke after decline: 22023');
SELECT is(pg_temp.fingerprint(), :'fp', 'answering a declined invite again changes nothing');
SELECT is((SELECT count(*) FROM roboto_orgs.org_invites(:'acme')), 0::bigint, 'a declined invite is no longer listed');
SELECT invite_id AS inv_carol2 FROM roboto_orgs.invite_user(:'acme', 'carol') \gset
SELECT is((roboto_orgs.get_invite(:'inv_carol2')).status::text, 'pending', 'a user who declined can be invited again');

--------------------------------------------------------------------------------
-- revoke_invite(invite_id)
--------------------------------------------------------------------------------
SELECT pg_temp.fingerprint() AS fp \gset
SET roboto_orgs.user_id = 'uma';
SELECT throws_ok(format('SELECT roboto_orgs.revoke_invite(%L)', :'inv_carol2'), '42501',
  format('user "uma" needs role admin in org "%s" to revoke its invites', :'acme'),
  'a member with role user cannot revoke: 42501');
SET roboto_orgs.user_id = 'carol';
SELECT throws_ok(format('SELECT roboto_orgs.revoke_invite(%L)', :'inv_carol2'), '42501', NULL,
  'the invitee cannot revoke (she declines instead): 42501');
SET roboto_orgs.user_id = 'olga';
SELECT throws_ok(format('SELECT roboto_orgs.revoke_invite(%L)', :'inv_carol2'), '42501', NULL,
  'the owner of another org cannot revoke: 42501');
SET roboto_orgs.user_id = '';
SELECT throws_ok(format('SELECT roboto_orgs.revoke_invite(%L)', :'inv_carol2'), '42501', NULL,
  'an anonymous caller cannot revoke: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok('SELECT roboto_orgs.revoke_invite(''iv_nosuchinvite'')', 'PT404',
  'invite "iv_nosuchinvite" does not exist', 'unknown invite: PT404');
SELECT throws_ok('SELECT roboto_orgs.revoke_invite(NULL)', '22004',
  'argument "invite_id" must not be null', 'NULL invite_id: 22004');
SELECT is(pg_temp.fingerprint(), :'fp', 'the refused revokes wrote nothing');

SELECT lives_ok(format('SELECT roboto_orgs.revoke_invite(%L)', :'inv_carol2'),
  'an owner revokes (the invite was sent by an admin)');
SELECT is((roboto_orgs.get_invite(:'inv_carol2')).status::text, 'revoked', 'the invite is revoked');
SELECT is((SELECT count(*) FROM roboto_orgs.org_invites(:'acme')), 0::bigint, 'a revoked invite is no longer listed');
SELECT pg_temp.fingerprint() AS fp \gset
SET roboto_orgs.user_id = 'carol';
SELECT is((roboto_orgs.get_invite(:'inv_carol2')).status::text, 'revoked', 'the invitee still reads a revoked invite');
SELECT throws_ok(format('SELECT roboto_orgs.accept_invite(%L)', :'inv_carol2'), '22023',
  format('invite "%s" is no longer pending', :'inv_carol2'), 'accept after revoke: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.decline_invite(%L)', :'inv_carol2'), '22023', NULL,
  'decline after revoke: 22023');
SET roboto_orgs.user_id = 'adam';
SELECT throws_ok(format('SELECT roboto_orgs.revoke_invite(%L)', :'inv_carol2'), '22023', NULL,
  'revoke after revoke: 22023');
SELECT is(pg_temp.fingerprint(), :'fp', 'answering a revoked invite again changes nothing');
SELECT is(pg_temp.roles_of(:'acme', 'carol'), NULL, 'carol did not join');

-- An admin revokes, and revoking works on a de-provisioning org's invite
SELECT invite_id AS inv_erin FROM roboto_orgs.invite_user(:'acme', 'erin') \gset
SELECT lives_ok(format('SELECT roboto_orgs.revoke_invite(%L)', :'inv_erin'), 'an admin revokes');
SELECT is(pg_temp.stored_status(:'inv_erin'), 'revoked', 'erin''s invite is revoked');
SET roboto_orgs.user_id = 'olga';
SELECT lives_ok(format('SELECT roboto_orgs.revoke_invite(%L)', :'inv_dave_initech'),
  'an owner revokes a pending invite of a de-provisioning org');

--------------------------------------------------------------------------------
-- The API role has no way around the functions
--------------------------------------------------------------------------------
SELECT throws_ok('SELECT * FROM roboto_orgs.org_invites', '42501', NULL, 'the API role cannot read the invites table');
SELECT throws_ok(format($$UPDATE roboto_orgs.org_invites SET status = 'pending' WHERE invite_id = %L$$, :'inv_carol2'),
  '42501', NULL, 'the API role cannot write the invites table');
SELECT throws_ok($$SET roboto_orgs.invite_ttl = '1min'$$, '42501', NULL, 'the API role cannot change roboto_orgs.invite_ttl');

SELECT * FROM finish();
ROLLBACK;
