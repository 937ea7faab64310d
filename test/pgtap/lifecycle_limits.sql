-- Tier limits and tiers: the tier_limits table (shipped defaults, editing,
-- INSERT of an existing tier updating it), the seat cap on every path that
-- adds a member or an invite (invite_user, accept_invite, direct INSERT into
-- org_members and org_invites as superuser) with its message and hint, and
-- set_org_tier (trusted service only; a smaller tier removes nobody).
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(75);

-- SQLSTATE, message and hint of the error a statement raises, as the
-- current role ('no error' when it succeeds)
CREATE FUNCTION pg_temp.error_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  st text;
  msg text;
  hint text;
BEGIN
  EXECUTE stmt;
  RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
  RETURN st || ' ' || msg || ' HINT: ' || coalesce(hint, '');
END
$$;

-- Every table, to check that refused calls wrote nothing (read past the API)
-- Members of an org and its pending invites, read past the API
CREATE FUNCTION pg_temp.seats(org text) RETURNS text
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT (SELECT count(*) FROM roboto_orgs.org_members WHERE org_id = org) || ' members, '
      || (SELECT count(*) FROM roboto_orgs.org_invites WHERE org_id = org AND status = 'pending') || ' pending'
$$;

DO $$
BEGIN
  PERFORM roboto_orgs.create_user(u, u || '@example.com')
  FROM unnest(ARRAY['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank', 'olga', 'xena', 'yuri']) u;
END
$$;

--------------------------------------------------------------------------------
-- tier_limits: shipped defaults, config-dumped, editable by the deployment
--------------------------------------------------------------------------------
SELECT results_eq(
  $$SELECT tier::text, max_members, max_email_domains FROM roboto_orgs.tier_limits ORDER BY tier$$,
  $$VALUES ('free', 10, 1), ('premium', NULL::int, NULL::int)$$,
  'tier_limits ships free: 10 members, 1 email domain; premium: unlimited (NULL)');
SELECT ok((SELECT 'roboto_orgs.tier_limits'::regclass = ANY (extconfig) FROM pg_extension WHERE extname = 'roboto_orgs'),
  'tier_limits is registered with pg_extension_config_dump, so pg_dump keeps edits');

INSERT INTO roboto_orgs.tier_limits (tier, max_members, max_email_domains) VALUES ('free', 3, 2);
SELECT results_eq(
  $$SELECT tier::text, max_members, max_email_domains FROM roboto_orgs.tier_limits ORDER BY tier$$,
  $$VALUES ('free', 3, 2), ('premium', NULL::int, NULL::int)$$,
  'an INSERT of an existing tier updates that row: no duplicate, no error');
UPDATE roboto_orgs.tier_limits SET max_email_domains = 1 WHERE tier = 'free';
SELECT is((SELECT max_email_domains FROM roboto_orgs.tier_limits WHERE tier = 'free'), 1,
  'an UPDATE of tier_limits works too');
SELECT throws_ok($$INSERT INTO roboto_orgs.tier_limits VALUES ('free', 0, 1)$$, '23514', NULL,
  'max_members must be at least 1: 23514');
SELECT throws_ok($$UPDATE roboto_orgs.tier_limits SET max_email_domains = -1 WHERE tier = 'free'$$, '23514', NULL,
  'max_email_domains must not be negative: 23514');
SELECT is((SELECT max_members FROM roboto_orgs.tier_limits WHERE tier = 'free'), 3,
  'the refused edits changed nothing');

SET ROLE roboto_test_api;
SELECT throws_ok($$SELECT * FROM roboto_orgs.tier_limits$$, '42501', NULL,
  'an API role cannot read tier_limits directly: 42501');
SELECT throws_ok($$UPDATE roboto_orgs.tier_limits SET max_members = 1000$$, '42501', NULL,
  'an API role cannot edit tier_limits: 42501');
SELECT throws_ok($$INSERT INTO roboto_orgs.tier_limits VALUES ('free', 1000, 1000)$$, '42501', NULL,
  'an API role cannot insert into tier_limits: 42501');

--------------------------------------------------------------------------------
-- The cap (free: 3 from here on) on invite_user and accept_invite, as the API role
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'alice';
SELECT org_id AS acme FROM roboto_orgs.create_org('Acme Limits') \gset
SELECT invite_id AS inv_bob FROM roboto_orgs.invite_user(:'acme', 'bob') \gset
SELECT invite_id AS inv_carol FROM roboto_orgs.invite_user(:'acme', 'carol') \gset
SELECT is(pg_temp.seats(:'acme'), '1 members, 2 pending', 'alice and two pending invites take the 3 seats');

SELECT pg_temp.fingerprint() AS fp \gset
SELECT throws_ok(format($$SELECT roboto_orgs.invite_user(%L, 'dave')$$, :'acme'), '23514',
  format('org "%s" has no free seat', :'acme'),
  'invite_user() beyond the cap: 23514, the message names the org');
SELECT is(pg_temp.error_of(format($$SELECT roboto_orgs.invite_user(%L, 'dave')$$, :'acme')),
  format('23514 org "%s" has no free seat HINT: Tier free allows 3 members, pending invites included: '
         'move the org to a larger tier, or remove members or revoke invites first.', :'acme'),
  'the hint names the tier and its cap and says what to do');
SELECT is(pg_temp.fingerprint(), :'fp', 'the refused invite wrote nothing (no invite, no event)');

SET roboto_orgs.user_id = 'bob';
SELECT is((roboto_orgs.accept_invite(:'inv_bob')).roles, '{user}',
  'accepting a pending invite needs no new seat: its invite held one');
SELECT is(pg_temp.seats(:'acme'), '2 members, 1 pending', 'bob took the seat his invite held');

-- The deployment lowers the cap below what the org holds: carol's accepted
-- invite needs a seat among the members, and there is none.
RESET ROLE;
UPDATE roboto_orgs.tier_limits SET max_members = 2 WHERE tier = 'free';
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'carol';
SELECT pg_temp.fingerprint() AS fp \gset
SELECT throws_ok(format($$SELECT roboto_orgs.accept_invite(%L)$$, :'inv_carol'), '23514',
  format('org "%s" has no free seat', :'acme'),
  'accept_invite() when the members fill the (lowered) cap: 23514');
SELECT is(pg_temp.error_of(format($$SELECT roboto_orgs.accept_invite(%L)$$, :'inv_carol')),
  format('23514 org "%s" has no free seat HINT: Tier free allows 2 members, pending invites included: '
         'move the org to a larger tier, or remove members or revoke invites first.', :'acme'),
  'accept_invite(): the hint names the tier and the lowered cap');
SELECT is(pg_temp.fingerprint(), :'fp', 'the refused accept wrote nothing: the invite is still pending, no event');
SELECT is((roboto_orgs.get_invite(:'inv_carol')).status, 'pending', 'carol''s invite is still pending');

RESET ROLE;
UPDATE roboto_orgs.tier_limits SET max_members = 3 WHERE tier = 'free';
SET ROLE roboto_test_api;
SELECT is((roboto_orgs.accept_invite(:'inv_carol')).roles, '{user}', 'with the cap back at 3 carol joins');
SELECT is(pg_temp.seats(:'acme'), '3 members, 0 pending', 'Acme is full with three members');

SET roboto_orgs.user_id = 'alice';
SELECT throws_ok(format($$SELECT roboto_orgs.invite_user(%L, 'dave')$$, :'acme'), '23514', NULL,
  'invite_user() into a full org: 23514');
SET check_function_bodies = off;
SELECT throws_ok(format($$SELECT roboto_orgs.invite_user(%L, 'dave')$$, :'acme'), '23514', NULL,
  'an API role that turns check_function_bodies off (as restoring a dump does) is still held to the cap');
RESET check_function_bodies;

--------------------------------------------------------------------------------
-- Direct writes as superuser are held to the cap too
--------------------------------------------------------------------------------
RESET ROLE;
SELECT pg_temp.fingerprint() AS fp \gset
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, 'dave', '{user}')$$, :'acme'),
  '23514', format('org "%s" has no free seat', :'acme'),
  'a superuser''s direct INSERT into org_members beyond the cap: 23514');
SELECT is(pg_temp.error_of(format($$INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, 'dave', '{user}')$$, :'acme')),
  format('23514 org "%s" has no free seat HINT: Tier free allows 3 members, pending invites included: '
         'move the org to a larger tier, or remove members or revoke invites first.', :'acme'),
  'direct INSERT: the same hint');
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_invites (org_id, user_id, expires) VALUES (%L, 'dave', now() + interval '1 day')$$, :'acme'),
  '23514', NULL,
  'a superuser''s direct INSERT of a pending invite beyond the cap: 23514');
SELECT lives_ok(format($$INSERT INTO roboto_orgs.org_invites (org_id, user_id, expires, status, answered)
                        VALUES (%L, 'dave', now() + interval '1 day', 'declined', now())$$, :'acme'),
  'an invite inserted already answered takes no seat, so it is allowed');
SELECT is(pg_temp.seats(:'acme'), '3 members, 0 pending', 'the refused direct writes added no one');
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, 'dave', '{owner}')$$, :'acme'),
  '23514', NULL, 'the cap holds for owners too');

--------------------------------------------------------------------------------
-- Seats come back: a removed member, a revoked or an expired invite
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT lives_ok(format($$SELECT roboto_orgs.remove_user(%L, 'bob')$$, :'acme'), 'alice removes bob');
SELECT invite_id AS inv_dave FROM roboto_orgs.invite_user(:'acme', 'dave') \gset
SELECT is(pg_temp.seats(:'acme'), '2 members, 1 pending', 'the freed seat takes a new invite');
SELECT throws_ok(format($$SELECT roboto_orgs.invite_user(%L, 'erin')$$, :'acme'), '23514', NULL,
  'and the org is full again');
SELECT lives_ok(format($$SELECT roboto_orgs.revoke_invite(%L)$$, :'inv_dave'), 'alice revokes dave''s invite');
SELECT invite_id AS inv_erin FROM roboto_orgs.invite_user(:'acme', 'erin') \gset
SELECT is(pg_temp.seats(:'acme'), '2 members, 1 pending', 'a revoked invite frees its seat');

RESET ROLE;
UPDATE roboto_orgs.org_invites SET expires = now() - interval '1 second' WHERE invite_id = :'inv_erin';
SET ROLE roboto_test_api;
SELECT lives_ok(format($$SELECT roboto_orgs.invite_user(%L, 'frank')$$, :'acme'),
  'a pending invite past its expiry holds no seat');

RESET ROLE;
SELECT lives_ok(format($$DELETE FROM roboto_orgs.org_invites WHERE org_id = %L AND user_id = 'frank'$$, :'acme'),
  'the superuser deletes frank''s invite');
SELECT lives_ok(format($$INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, 'gina', '{admin}')$$, :'acme'),
  'a direct INSERT into org_members within the cap works');
SELECT is(pg_temp.seats(:'acme'), '3 members, 1 pending', 'three members, and erin''s expired invite still marked pending');

--------------------------------------------------------------------------------
-- The last seat: pending invites beyond a lowered cap can be accepted while
-- the members leave a seat (the isolation spec last_seat races this)
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'olga';
SELECT org_id AS initech FROM roboto_orgs.create_org('Initech Limits') \gset
SELECT invite_id AS inv_xena FROM roboto_orgs.invite_user(:'initech', 'xena') \gset
SELECT invite_id AS inv_yuri FROM roboto_orgs.invite_user(:'initech', 'yuri') \gset
RESET ROLE;
UPDATE roboto_orgs.tier_limits SET max_members = 2 WHERE tier = 'free';
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'xena';
SELECT is((roboto_orgs.accept_invite(:'inv_xena')).roles, '{user}',
  'one member, two invites, cap lowered to 2: the first accept takes the last seat');
SET roboto_orgs.user_id = 'yuri';
SELECT throws_ok(format($$SELECT roboto_orgs.accept_invite(%L)$$, :'inv_yuri'), '23514',
  format('org "%s" has no free seat', :'initech'), 'the second accept finds none: 23514');
RESET ROLE;
UPDATE roboto_orgs.tier_limits SET max_members = 3 WHERE tier = 'free';

--------------------------------------------------------------------------------
-- set_org_tier: trusted service only
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT pg_temp.fingerprint() AS fp \gset
SELECT throws_ok(format($$SELECT roboto_orgs.set_org_tier(%L, 'premium')$$, :'acme'), '42501',
  format('only the trusted service may change the tier of org "%s"', :'acme'),
  'set_org_tier() by the org''s owner through an API role: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok(format($$SELECT roboto_orgs.set_org_tier(%L, 'premium')$$, :'acme'), '42501', NULL,
  'set_org_tier() by an anonymous API role: 42501');
SELECT throws_ok($$SELECT roboto_orgs.set_org_tier('og_nope', 'premium')$$, '42501', NULL,
  'set_org_tier() of an unknown org by an API role: 42501, not PT404 (nothing is revealed)');
SELECT is(pg_temp.fingerprint(), :'fp', 'the refused calls wrote nothing');

-- The billing service: a role that is a member of roboto_orgs_service
RESET ROLE;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'roboto_orgs_service') THEN
    CREATE ROLE roboto_orgs_service NOLOGIN;
  END IF;
END
$$;
CREATE ROLE roboto_test_lc_billing NOLOGIN IN ROLE roboto_orgs_service;
SELECT roboto_orgs.grant_api_access('roboto_test_lc_billing') \g /dev/null
SET ROLE roboto_test_lc_billing;
SELECT is(roboto_orgs.is_trusted_service(), true, 'a member of roboto_orgs_service is the trusted service');
SELECT is(roboto_orgs.caller_id(), NULL, 'and acts without a caller');

SELECT roboto_orgs.set_org_tier(:'acme', 'premium') AS acme_rec \gset
SELECT is((:'acme_rec'::roboto_orgs.org_record).tier, 'premium', 'set_org_tier() returns the org_record with the new tier');
SELECT is((:'acme_rec'::roboto_orgs.org_record).org_id, :'acme', 'of the right org');
SELECT results_eq(
  format($$SELECT kind, actor, actor_role, before->>'tier', after->>'tier' FROM roboto_orgs.org_events(%L) ORDER BY event_id DESC LIMIT 1$$, :'acme'),
  $$VALUES ('org.tier_changed', NULL::text, 'roboto_test_lc_billing', 'free', 'premium')$$,
  'one org.tier_changed event: no actor (the service), actor_role the service''s role, tier before and after');
SELECT pg_temp.fingerprint() AS fp \gset
SELECT is((roboto_orgs.set_org_tier(:'acme', 'premium')).tier, 'premium', 'setting the tier it already has works');
SELECT is(pg_temp.fingerprint(), :'fp', 'and writes nothing, not even an event');

SELECT throws_ok(format($$SELECT roboto_orgs.set_org_tier(%L, NULL)$$, :'acme'), '22004', NULL,
  'set_org_tier(org, NULL): 22004');
SELECT throws_ok($$SELECT roboto_orgs.set_org_tier(NULL, 'free')$$, '22004', NULL,
  'set_org_tier(NULL, tier): 22004');
SELECT throws_ok($$SELECT roboto_orgs.set_org_tier('og_nope', 'free')$$, 'PT404', 'org "og_nope" does not exist',
  'set_org_tier() of an unknown org: PT404');

--------------------------------------------------------------------------------
-- Premium is unlimited; moving back to free removes nobody and stops joins
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT lives_ok(format($$SELECT roboto_orgs.invite_user(%L, u) FROM unnest(ARRAY['bob', 'dave', 'hank']) u$$, :'acme'),
  'premium (max_members NULL): invites beyond the free cap work');
RESET ROLE;
SELECT invite_id AS inv_bob2 FROM roboto_orgs.org_invites WHERE org_id = :'acme' AND user_id = 'bob' AND status = 'pending' \gset
SELECT invite_id AS inv_dave2 FROM roboto_orgs.org_invites WHERE org_id = :'acme' AND user_id = 'dave' AND status = 'pending' \gset
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'bob';
SELECT lives_ok(format($$SELECT roboto_orgs.accept_invite(%L)$$, :'inv_bob2'), 'bob joins premium Acme as its fourth member');
SET roboto_orgs.user_id = 'dave';
SELECT lives_ok(format($$SELECT roboto_orgs.accept_invite(%L)$$, :'inv_dave2'), 'dave joins as the fifth');
SELECT is(pg_temp.seats(:'acme'), '5 members, 2 pending', 'premium Acme: 5 members and 2 pending invites (hank, erin expired)');

RESET ROLE;
UPDATE roboto_orgs.org_invites SET expires = now() + interval '1 day' WHERE invite_id = :'inv_erin';
SET ROLE roboto_test_lc_billing;
SELECT is((roboto_orgs.set_org_tier(:'acme', 'free')).tier, 'free', 'billing moves Acme back to free (cap 3)');
SELECT is(pg_temp.seats(:'acme'), '5 members, 2 pending', 'moving to a smaller tier removes no member and no invite');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_users(:'acme')), 5, 'org_users() still lists all five');
SELECT throws_ok(format($$SELECT roboto_orgs.invite_user(%L, 'frank')$$, :'acme'), '23514', NULL,
  'over the cap, invite_user(): 23514');
SET roboto_orgs.user_id = 'erin';
SELECT throws_ok(format($$SELECT roboto_orgs.accept_invite(%L)$$, :'inv_erin'), '23514', NULL,
  'over the cap, accept_invite() of an invite sent before the move: 23514');
RESET ROLE;
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, 'frank', '{user}')$$, :'acme'),
  '23514', NULL, 'over the cap, a direct INSERT: 23514');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT lives_ok(format($$SELECT roboto_orgs.add_role_for_user(%L, 'bob', 'admin')$$, :'acme'),
  'over the cap, role changes of members still work');
SELECT lives_ok(format($$SELECT roboto_orgs.update_org(%L, name => 'Acme Limits Renamed')$$, :'acme'),
  'over the cap, the org can still be renamed');

--------------------------------------------------------------------------------
-- A tier without a row in tier_limits has no limit
--------------------------------------------------------------------------------
RESET ROLE;
DELETE FROM roboto_orgs.tier_limits WHERE tier = 'premium';
SET ROLE roboto_test_lc_billing;
SELECT lives_ok(format($$SELECT roboto_orgs.set_org_tier(%L, 'premium')$$, :'acme'), 'Acme moves to premium');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT lives_ok(format($$SELECT roboto_orgs.invite_user(%L, 'frank')$$, :'acme'),
  'with no tier_limits row for premium, invites are not limited');

--------------------------------------------------------------------------------
-- max_email_domains: a free org binds one email domain, by any path
--------------------------------------------------------------------------------
RESET ROLE;
SET ROLE roboto_test_lc_billing;
SELECT lives_ok(format($$SELECT roboto_orgs.set_org_tier(%L, 'free')$$, :'acme'), 'Acme moves back to free');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT lives_ok(format($$SELECT roboto_orgs.bind_email_domain(%L, 'acme-limits.example')$$, :'acme'),
  'a free org binds its first email domain');
SELECT throws_ok(format($$SELECT roboto_orgs.bind_email_domain(%L, 'acme-two.example')$$, :'acme'), '23514',
  format('org "%s" cannot bind another email domain', :'acme'), 'a second binding is over the free tier''s limit: 23514');
RESET ROLE;
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_email_domains (email_domain, org_id) VALUES ('acme-three.example', %L)$$, :'acme'),
  '23514', NULL, 'a direct insert of a second binding is refused too');

-- The functions that take a seat or a binding document the 23514 they raise
-- when the tier has no room (the sweep of bad input never fills an org)
SELECT is(ARRAY(SELECT f FROM unnest(ARRAY['roboto_orgs.invite_user(text, text, roboto_orgs.org_role_name)', 'roboto_orgs.accept_invite(text)',
                                           'roboto_orgs.bind_email_domain(text, roboto_orgs.email_domain)',
                                           'roboto_orgs.create_org(text, boolean, roboto_orgs.roboto_region)']) f
                WHERE obj_description(f::regprocedure, 'pg_proc') !~ '23514'),
          '{}'::text[], 'the COMMENTs of invite_user, accept_invite, bind_email_domain and create_org list 23514');
UPDATE roboto_orgs.tier_limits SET max_email_domains = 0 WHERE tier = 'free';
SELECT throws_ok($$SELECT roboto_orgs.create_org('No Domains Co', bind_email_domain => true)$$, '23514', NULL,
  'create_org(bind_email_domain => true) where the free tier binds no domain: 23514');

SELECT * FROM finish();
ROLLBACK;
