-- Members and roles: org_users, add_role_for_user, remove_role_from_user,
-- update_org_user, modify_role_for_user and remove_user, called by a
-- non-superuser API role: success paths, every permission denial, every
-- documented SQLSTATE, bad input writing nothing.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(133);

-- The roles of a member as text, NULL for a non-member
CREATE FUNCTION pg_temp.roles_of(org text, who text) RETURNS text LANGUAGE sql AS $$
  SELECT m.roles::text FROM roboto_orgs.org_members m WHERE m.org_id = org AND m.user_id = who
$$;

DO $$
BEGIN
  PERFORM roboto_orgs.create_user(u, u || '@example.com', initcap(u))
  FROM unnest(ARRAY['alice', 'bob', 'carol', 'dave', 'erin']) u;
END
$$;

SET roboto_orgs.user_id = 'alice';
SELECT (roboto_orgs.create_org('Acme')).org_id AS acme \gset
SELECT (roboto_orgs.create_org('Other')).org_id AS other \gset
-- Acme: alice owner, bob admin, carol user, erin user; dave is in no org.
-- Memberships a minute apart so that lists have a visible order.
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles, created) VALUES
  (:'acme', 'bob', '{admin}', now() + interval '1 minute'),
  (:'acme', 'carol', '{user}', now() + interval '2 minutes'),
  (:'acme', 'erin', '{user}', now() - interval '1 minute');
SET ROLE roboto_test_api;

--------------------------------------------------------------------------------
-- org_users
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'carol';
SELECT results_eq(
  format('SELECT (u).user.user_id, u.roles::text FROM roboto_orgs.org_users(%L) u', :'acme'),
  $$VALUES ('erin', '{user}'), ('alice', '{owner}'), ('bob', '{admin}'), ('carol', '{user}')$$,
  'org_users() by a user: every member with their roles, oldest membership first');
SELECT is(
  (SELECT u FROM roboto_orgs.org_users(:'acme') u WHERE (u).user.user_id = 'bob'),
  ROW(ROW('bob', 'bob@example.com', 'Bob', NULL, false, false)::roboto_orgs.user_record,
      roboto_orgs.get_org(:'acme'), '{admin}')::roboto_orgs.org_user_record,
  'org_users() rows are org_user_records with the user_record and the org_record');
SELECT is(
  ARRAY(SELECT jsonb_object_keys(to_jsonb(u)) FROM roboto_orgs.org_users(:'acme') u WHERE (u).user.user_id = 'bob' ORDER BY 1),
  ARRAY['org', 'roles', 'user'],
  'to_jsonb(org_user_record) has the seed''s OrgUserRecord keys (and org)');
SELECT is(
  (SELECT to_jsonb(u) - 'org' FROM roboto_orgs.org_users(:'acme') u WHERE (u).user.user_id = 'bob'),
  '{"user": {"user_id": "bob", "email": "bob@example.com", "name": "Bob", "picture_url": null,
             "is_service_user": false, "is_system_user": false}, "roles": ["admin"]}'::jsonb,
  'to_jsonb(org_user_record): nested user_record, roles as strings');
SET roboto_orgs.user_id = 'dave';
SELECT throws_ok(format('SELECT * FROM roboto_orgs.org_users(%L)', :'acme'), '42501',
                 format('user "dave" is not a member of org "%s"', :'acme'), 'org_users() by a non-member: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok(format('SELECT * FROM roboto_orgs.org_users(%L)', :'acme'), '42501', NULL, 'org_users() anonymous: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok($$SELECT * FROM roboto_orgs.org_users('og_00000000000000000000000000000000')$$, 'PT404', NULL,
                 'org_users() of an unknown org: PT404');
SELECT throws_ok($$SELECT * FROM roboto_orgs.org_users(NULL)$$, '22004', NULL, 'org_users(NULL): 22004');

--------------------------------------------------------------------------------
-- add_role_for_user
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'bob';
SELECT is(roboto_orgs.add_role_for_user(:'acme', 'carol', 'admin'), roboto_orgs.get_org(:'acme'),
          'add_role_for_user() by an admin returns the org_record');
RESET ROLE;
SELECT is(pg_temp.roles_of(:'acme', 'carol'), '{user,admin}', 'add_role_for_user(): carol is user and admin');
SET ROLE roboto_test_api;
SELECT lives_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'carol', 'admin'),
                'add_role_for_user() of a role the member holds already');
SELECT lives_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'bob', 'user'),
                'add_role_for_user() by an admin to themself');
RESET ROLE;
SELECT is(pg_temp.roles_of(:'acme', 'carol'), '{user,admin}', 'adding a held role changes nothing');
SELECT is(pg_temp.roles_of(:'acme', 'bob'), '{user,admin}', 'roles are stored in role order');
SELECT pg_temp.fingerprint() AS fp \gset
SET ROLE roboto_test_api;

SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'carol', 'owner'), '42501',
                 format('user "bob" needs role owner in org "%s" to change the roles of user "carol"', :'acme'),
                 'add_role_for_user(owner) by an admin: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'bob', 'owner'), '42501', NULL,
                 'add_role_for_user(owner) by an admin to themself: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'alice', 'admin'), '42501', NULL,
                 'add_role_for_user() to an owner by an admin: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'dave', 'user'), 'PT404',
                 format('user "dave" is not a member of org "%s"', :'acme'),
                 'add_role_for_user() to a known user who is not a member: PT404');
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'ghost', 'user'), 'PT404', NULL,
                 'add_role_for_user() to an unknown user: PT404');
SELECT throws_ok($$SELECT roboto_orgs.add_role_for_user('og_00000000000000000000000000000000', 'carol', 'user')$$, 'PT404',
                 'org "og_00000000000000000000000000000000" does not exist', 'add_role_for_user() in an unknown org: PT404');
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'other', 'alice', 'admin'), '42501',
                 format('user "bob" needs role admin in org "%s" to change its members', :'other'),
                 'add_role_for_user() in an org the admin is not a member of: 42501');
SELECT throws_ok($$SELECT roboto_orgs.add_role_for_user(NULL, 'carol', 'user')$$, '22004', NULL,
                 'add_role_for_user(NULL org): 22004');
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, NULL, %L)', :'acme', 'user'), '22004', NULL,
                 'add_role_for_user(NULL user_id): 22004');
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, NULL)', :'acme', 'carol'), '22004', NULL,
                 'add_role_for_user(NULL role): 22004');
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'carol', 'superuser'), '22P02', NULL,
                 'add_role_for_user() of an unknown role: 22P02');
SET roboto_orgs.user_id = 'erin';
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'erin', 'admin'), '42501',
                 format('user "erin" needs role admin in org "%s" to change its members', :'acme'),
                 'add_role_for_user() by a user, to themself: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'dave', 'user'), '42501', NULL,
                 'add_role_for_user() by a user, to a non-member: 42501 (permission is checked first)');
SET roboto_orgs.user_id = 'dave';
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'erin', 'admin'), '42501', NULL,
                 'add_role_for_user() by a non-member: 42501');
SET roboto_orgs.user_id = 'ghost';
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'erin', 'admin'), '42501', NULL,
                 'add_role_for_user() by an unknown caller: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'erin', 'admin'), '42501', NULL,
                 'add_role_for_user() anonymous: 42501');
RESET ROLE;
SELECT is(pg_temp.fingerprint(), :'fp', 'the failed add_role_for_user() calls wrote nothing');
SET ROLE roboto_test_api;

SET roboto_orgs.user_id = 'alice';
SELECT lives_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'bob', 'owner'),
                'add_role_for_user(owner) by an owner');
SELECT lives_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'alice', 'admin'),
                'add_role_for_user(admin) by an owner to themself');
RESET ROLE;
SELECT results_eq(format('SELECT user_id, roles::text FROM roboto_orgs.org_members WHERE org_id = %L ORDER BY user_id', :'acme'),
                  $$VALUES ('alice', '{admin,owner}'), ('bob', '{user,admin,owner}'), ('carol', '{user,admin}'), ('erin', '{user}')$$,
                  'add_role_for_user(): the roles after the calls');
SET ROLE roboto_test_api;

--------------------------------------------------------------------------------
-- remove_role_from_user
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'carol';
SELECT lives_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'erin', 'admin'),
                'remove_role_from_user() of a role the member does not hold');
RESET ROLE;
SELECT is(pg_temp.roles_of(:'acme', 'erin'), '{user}', 'removing a role not held changes nothing');
SET ROLE roboto_test_api;
SELECT is(roboto_orgs.remove_role_from_user(:'acme', 'erin', 'user'), roboto_orgs.get_org(:'acme'),
          'remove_role_from_user() of the last role by an admin returns the org_record');
RESET ROLE;
SELECT is(pg_temp.roles_of(:'acme', 'erin'), NULL, 'removing the last role removed the membership');
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'acme', 'erin', '{user}');
SELECT pg_temp.fingerprint() AS fp \gset
SET ROLE roboto_test_api;

SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'bob', 'owner'), '42501',
                 format('user "carol" needs role owner in org "%s" to change the roles of user "bob"', :'acme'),
                 'remove_role_from_user(owner) by an admin: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'bob', 'user'), '42501', NULL,
                 'remove_role_from_user() of an owner''s other role by an admin: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'dave', 'user'), 'PT404', NULL,
                 'remove_role_from_user() of a non-member: PT404');
SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'ghost', 'user'), 'PT404', NULL,
                 'remove_role_from_user() of an unknown user: PT404');
SELECT throws_ok($$SELECT roboto_orgs.remove_role_from_user('og_00000000000000000000000000000000', 'erin', 'user')$$, 'PT404', NULL,
                 'remove_role_from_user() in an unknown org: PT404');
SELECT throws_ok($$SELECT roboto_orgs.remove_role_from_user(NULL, 'erin', 'user')$$, '22004', NULL,
                 'remove_role_from_user(NULL org): 22004');
SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, NULL, %L)', :'acme', 'user'), '22004', NULL,
                 'remove_role_from_user(NULL user_id): 22004');
SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, NULL)', :'acme', 'erin'), '22004', NULL,
                 'remove_role_from_user(NULL role): 22004');
SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'erin', 'guest'), '22P02', NULL,
                 'remove_role_from_user() of an unknown role: 22P02');
SET roboto_orgs.user_id = 'erin';
SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'carol', 'admin'), '42501', NULL,
                 'remove_role_from_user() by a user: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'erin', 'user'), '42501', NULL,
                 'remove_role_from_user() by a user, of their own role: 42501 (use remove_user)');
SET roboto_orgs.user_id = 'dave';
SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'erin', 'user'), '42501', NULL,
                 'remove_role_from_user() by a non-member: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'erin', 'user'), '42501', NULL,
                 'remove_role_from_user() anonymous: 42501');
RESET ROLE;
SELECT is(pg_temp.fingerprint(), :'fp', 'the failed remove_role_from_user() calls wrote nothing');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT lives_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'bob', 'owner'),
                'remove_role_from_user(owner) by an owner, of another owner');
SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'alice', 'owner'), '23514',
                 format('org "%s" must keep at least one owner', :'acme'),
                 'remove_role_from_user(owner) of the last owner: 23514');
RESET ROLE;
SELECT is(pg_temp.roles_of(:'acme', 'bob'), '{user,admin}', 'bob lost role owner');
SELECT is(pg_temp.roles_of(:'acme', 'alice'), '{admin,owner}', 'the last owner kept role owner');
UPDATE roboto_orgs.org_members SET roles = '{owner}' WHERE org_id = :'acme' AND user_id = 'alice';
SET ROLE roboto_test_api;
SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'acme', 'alice', 'owner'), '23514', NULL,
                 'remove_role_from_user(owner) of the last owner whose only role it is: 23514');
RESET ROLE;
SELECT is(pg_temp.roles_of(:'acme', 'alice'), '{owner}', 'the last owner is still a member');
UPDATE roboto_orgs.org_members SET roles = '{admin,owner}' WHERE org_id = :'acme' AND user_id = 'alice';
SET ROLE roboto_test_api;

--------------------------------------------------------------------------------
-- update_org_user (UpdateOrgUserRequest)
--   now: alice {admin,owner}, bob {user,admin}, carol {user,admin}, erin {user}
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'bob';
SELECT is(roboto_orgs.update_org_user(:'acme', 'carol', add_roles => '{user}', remove_roles => '{admin}'),
          ROW(ROW('carol', 'carol@example.com', 'Carol', NULL, false, false)::roboto_orgs.user_record,
              roboto_orgs.get_org(:'acme'), '{user}')::roboto_orgs.org_user_record,
          'update_org_user() by an admin adds and removes in one step, returns the org_user_record');
SELECT is((roboto_orgs.update_org_user(:'acme', 'erin', '{admin,admin}')).roles, '{user,admin}',
          'update_org_user(): duplicate roles to add count once; roles in role order');
SELECT is((roboto_orgs.update_org_user(:'acme', 'erin', remove_roles => '{admin}')).roles, '{user}',
          'update_org_user() with remove_roles only');
SELECT is((roboto_orgs.update_org_user(:'acme', 'erin', '{}', '{admin}')).roles, '{user}',
          'update_org_user(): empty add_roles; removing a role not held is ignored');

RESET ROLE;
SELECT pg_temp.fingerprint() AS fp \gset
SET ROLE roboto_test_api;
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L)', :'acme', 'erin'), '22023', 'no roles to add or remove',
                 'update_org_user() without roles: 22023 (check_some_updates_present)');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, NULL, NULL)', :'acme', 'erin'), '22023', NULL,
                 'update_org_user() with NULL role lists: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L, %L)', :'acme', 'erin', '{}', '{}'), '22023', NULL,
                 'update_org_user() with empty role lists: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, add_roles => %L)', :'acme', 'erin', '{}'), '22023', NULL,
                 'update_org_user() with only an empty add_roles: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L, %L)', :'acme', 'erin', '{admin}', '{user,admin}'), '22023',
                 'role admin is both added and removed', 'update_org_user() adding and removing one role: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L)', :'acme', 'erin', '{admin,NULL}'), '22023',
                 '"add_roles" must not contain null', 'update_org_user() with a NULL role to add: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, remove_roles => %L)', :'acme', 'erin', '{NULL}'), '22023', NULL,
                 'update_org_user() with a NULL role to remove: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L)', :'acme', 'erin', '{{admin},{user}}'), '22023', NULL,
                 'update_org_user() with a two-dimensional role list: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, remove_roles => %L)', :'acme', 'erin', '{user}'), '22023',
                 format('user "erin" would have no role left in org "%s"', :'acme'),
                 'update_org_user() removing every role: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L)', :'acme', 'erin', '{superuser}'), '22P02', NULL,
                 'update_org_user() with an unknown role: 22P02');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L)', :'acme', 'alice', '{user}'), '42501', NULL,
                 'update_org_user() of an owner by an admin: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L)', :'acme', 'erin', '{owner}'), '42501', NULL,
                 'update_org_user() adding owner by an admin: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, remove_roles => %L)', :'acme', 'alice', '{owner}'), '42501', NULL,
                 'update_org_user() removing owner by an admin: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, remove_roles => %L)', :'acme', 'erin', '{admin,owner}'), '42501', NULL,
                 'update_org_user() naming owner by an admin, even for a member without it: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L)', :'acme', 'dave', '{user}'), 'PT404', NULL,
                 'update_org_user() of a non-member: PT404');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L)', :'acme', 'ghost', '{user}'), 'PT404', NULL,
                 'update_org_user() of an unknown user: PT404');
SELECT throws_ok($$SELECT roboto_orgs.update_org_user('og_00000000000000000000000000000000', 'erin', '{admin}')$$, 'PT404', NULL,
                 'update_org_user() in an unknown org: PT404');
SELECT throws_ok($$SELECT roboto_orgs.update_org_user(NULL, 'erin', '{admin}')$$, '22004', NULL, 'update_org_user(NULL org): 22004');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, NULL, %L)', :'acme', '{admin}'), '22004', NULL,
                 'update_org_user(NULL user_id): 22004');
SET roboto_orgs.user_id = 'erin';
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L)', :'acme', 'erin', '{admin}'), '42501', NULL,
                 'update_org_user() by a user: 42501');
SET roboto_orgs.user_id = 'dave';
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L)', :'acme', 'erin', '{admin}'), '42501', NULL,
                 'update_org_user() by a non-member: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L)', :'acme', 'erin', '{admin}'), '42501', NULL,
                 'update_org_user() anonymous: 42501');
RESET ROLE;
SELECT is(pg_temp.fingerprint(), :'fp', 'the failed update_org_user() calls wrote nothing');
SET ROLE roboto_test_api;

SET roboto_orgs.user_id = 'alice';
SELECT is((roboto_orgs.update_org_user(:'acme', 'bob', '{owner}')).roles, '{user,admin,owner}',
          'update_org_user() adding owner by an owner');
SELECT is((roboto_orgs.update_org_user(:'acme', 'alice', remove_roles => '{owner}')).roles, '{admin}',
          'update_org_user(): an owner steps down while another owner remains');
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L, %L)', :'acme', 'bob', '{}', '{owner}'), '23514', NULL,
                 'update_org_user() removing owner from the last owner: 23514');

--------------------------------------------------------------------------------
-- modify_role_for_user (deprecated): the roles become exactly role_name
--   now: alice {admin}, bob {user,admin,owner}, carol {user}, erin {user}
--   (its WARNING is checked by the pg_regress test deprecated.sql)
--------------------------------------------------------------------------------
SET client_min_messages = error;
SELECT is(roboto_orgs.modify_role_for_user(:'acme', 'alice', 'owner'),
          ROW(ROW('alice', 'alice@example.com', 'Alice', NULL, false, false)::roboto_orgs.user_record,
              roboto_orgs.get_org(:'acme'), '{owner}')::roboto_orgs.org_user_record,
          'modify_role_for_user() by an owner returns the org_user_record with exactly the role');
SET roboto_orgs.user_id = 'alice';
SELECT is((roboto_orgs.modify_role_for_user(:'acme', 'carol', 'admin')).roles, '{admin}',
          'modify_role_for_user(admin) of a user');
SELECT is((roboto_orgs.modify_role_for_user(:'acme', 'carol', 'admin')).roles, '{admin}',
          'modify_role_for_user() to the roles held already');
SELECT is((roboto_orgs.modify_role_for_user(:'acme', 'bob', 'admin')).roles, '{admin}',
          'modify_role_for_user() demotes another owner');
RESET ROLE;
SELECT pg_temp.fingerprint() AS fp \gset
SET ROLE roboto_test_api;
SELECT throws_ok(format('SELECT roboto_orgs.modify_role_for_user(%L, %L, %L)', :'acme', 'alice', 'admin'), '23514', NULL,
                 'modify_role_for_user() demoting the last owner: 23514');
SET roboto_orgs.user_id = 'carol';
SELECT throws_ok(format('SELECT roboto_orgs.modify_role_for_user(%L, %L, %L)', :'acme', 'erin', 'owner'), '42501', NULL,
                 'modify_role_for_user(owner) by an admin: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.modify_role_for_user(%L, %L, %L)', :'acme', 'alice', 'user'), '42501', NULL,
                 'modify_role_for_user() of an owner by an admin: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.modify_role_for_user(%L, %L, NULL)', :'acme', 'erin'), '22004', NULL,
                 'modify_role_for_user(NULL role_name): 22004');
SELECT throws_ok(format('SELECT roboto_orgs.modify_role_for_user(%L, NULL, %L)', :'acme', 'user'), '22004', NULL,
                 'modify_role_for_user(NULL user_id): 22004');
SELECT throws_ok(format('SELECT roboto_orgs.modify_role_for_user(%L, %L, %L)', :'acme', 'dave', 'user'), 'PT404', NULL,
                 'modify_role_for_user() of a non-member: PT404');
SELECT throws_ok($$SELECT roboto_orgs.modify_role_for_user('og_00000000000000000000000000000000', 'erin', 'user')$$, 'PT404', NULL,
                 'modify_role_for_user() in an unknown org: PT404');
SET roboto_orgs.user_id = 'erin';
SELECT throws_ok(format('SELECT roboto_orgs.modify_role_for_user(%L, %L, %L)', :'acme', 'erin', 'admin'), '42501', NULL,
                 'modify_role_for_user() by a user: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok(format('SELECT roboto_orgs.modify_role_for_user(%L, %L, %L)', :'acme', 'erin', 'admin'), '42501', NULL,
                 'modify_role_for_user() anonymous: 42501');
RESET ROLE;
SELECT is(pg_temp.fingerprint(), :'fp', 'the failed modify_role_for_user() calls wrote nothing');
RESET client_min_messages;
SET ROLE roboto_test_api;

--------------------------------------------------------------------------------
-- remove_user
--   now: alice {owner}, bob {admin}, carol {admin}, erin {user}
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'erin';
-- (0.3.0: the record is read after the removal, so it shows the metadata of
-- an org the caller no longer belongs to as NULL; compare the seed's fields)
SELECT row(o.org_id, o.name, o.tier, o.status, o.data_region, o.created, o.created_by)::text AS acme_seed
FROM roboto_orgs.get_org(:'acme') o \gset
SELECT is((SELECT row(r.org_id, r.name, r.tier, r.status, r.data_region, r.created, r.created_by)::text
           FROM roboto_orgs.remove_user(:'acme', 'erin') r), :'acme_seed',
          'remove_user() of themself by a user returns the org_record');
RESET ROLE;
SELECT is(pg_temp.roles_of(:'acme', 'erin'), NULL, 'erin left');
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'acme', 'erin', '{user}');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'carol';
SELECT lives_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'erin'), 'remove_user() of a user by an admin');
SELECT lives_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'bob'), 'remove_user() of an admin by an admin');
RESET ROLE;
SELECT is(pg_temp.roles_of(:'acme', 'erin'), NULL, 'erin was removed');
SELECT is(pg_temp.roles_of(:'acme', 'bob'), NULL, 'bob was removed');
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'acme', 'erin', '{user}'), (:'acme', 'bob', '{admin}');
SELECT pg_temp.fingerprint() AS fp \gset
SET ROLE roboto_test_api;

SELECT throws_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'alice'), '42501', NULL,
                 'remove_user() of an owner by an admin: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'dave'), 'PT404',
                 format('user "dave" is not a member of org "%s"', :'acme'), 'remove_user() of a non-member: PT404');
SELECT throws_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'ghost'), 'PT404', NULL,
                 'remove_user() of an unknown user: PT404');
SELECT throws_ok($$SELECT roboto_orgs.remove_user('og_00000000000000000000000000000000', 'erin')$$, 'PT404', NULL,
                 'remove_user() in an unknown org: PT404');
SELECT throws_ok($$SELECT roboto_orgs.remove_user(NULL, 'erin')$$, '22004', NULL, 'remove_user(NULL org): 22004');
SELECT throws_ok(format('SELECT roboto_orgs.remove_user(%L, NULL)', :'acme'), '22004', NULL, 'remove_user(NULL user_id): 22004');
SET roboto_orgs.user_id = 'erin';
SELECT throws_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'carol'), '42501',
                 format('user "erin" needs role admin in org "%s" to change its members', :'acme'),
                 'remove_user() of another member by a user: 42501');
SET roboto_orgs.user_id = 'dave';
SELECT throws_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'erin'), '42501', NULL,
                 'remove_user() by a non-member: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'dave'), 'PT404', NULL,
                 'remove_user() of themself by a non-member: PT404');
RESET roboto_orgs.user_id;
SELECT throws_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'erin'), '42501', NULL, 'remove_user() anonymous: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'alice'), '23514',
                 format('org "%s" must keep at least one owner', :'acme'), 'remove_user() of the last owner by themself: 23514');
RESET ROLE;
SELECT is(pg_temp.fingerprint(), :'fp', 'the failed remove_user() calls wrote nothing');
SET ROLE roboto_test_api;

SELECT lives_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'acme', 'bob', 'owner'), 'a second owner');
SET roboto_orgs.user_id = 'bob';
SELECT lives_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'alice'), 'remove_user() of an owner by an owner');
SELECT throws_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'acme', 'bob'), '23514', NULL,
                 'remove_user() of the new last owner by themself: 23514');
SELECT results_eq(format('SELECT (u).user.user_id, u.roles::text FROM roboto_orgs.org_users(%L) u', :'acme'),
                  $$VALUES ('bob', '{admin,owner}'), ('erin', '{user}'), ('carol', '{admin}')$$,
                  'the members at the end, oldest membership first, then by user_id');

--------------------------------------------------------------------------------
-- A de-provisioning org: members can be read, not changed
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'alice';
SELECT roboto_orgs.create_org('Closing') AS closing_rec \gset
SELECT (:'closing_rec'::roboto_orgs.org_record).org_id AS closing \gset
RESET ROLE;
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'closing', 'bob', '{admin}'), (:'closing', 'carol', '{user}');
SET ROLE roboto_test_api;
SELECT lives_ok(format('SELECT roboto_orgs.update_org(%L, status => %L)', :'closing', 'de-provisioning'), 'Closing is de-provisioning');
RESET ROLE;
SELECT pg_temp.fingerprint() AS fp \gset
SET ROLE roboto_test_api;
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'closing', 'bob', 'owner'), '22023',
                 format('org "%s" is being de-provisioned', :'closing'), 'add_role_for_user() in a de-provisioning org: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'closing', 'carol', 'user'), '22023', NULL,
                 'remove_role_from_user() in a de-provisioning org: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L)', :'closing', 'carol', '{admin}'), '22023', NULL,
                 'update_org_user() in a de-provisioning org: 22023');
SET client_min_messages = error;
SELECT throws_ok(format('SELECT roboto_orgs.modify_role_for_user(%L, %L, %L)', :'closing', 'carol', 'admin'), '22023', NULL,
                 'modify_role_for_user() in a de-provisioning org: 22023');
RESET client_min_messages;
SELECT throws_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'closing', 'carol'), '22023', NULL,
                 'remove_user() in a de-provisioning org: 22023');
SET roboto_orgs.user_id = 'carol';
SELECT throws_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'closing', 'carol'), '22023', NULL,
                 'remove_user() of themself in a de-provisioning org: 22023');
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_users(:'closing')), 3, 'org_users() of a de-provisioning org');
RESET ROLE;
SELECT is(pg_temp.fingerprint(), :'fp', 'the calls refused in a de-provisioning org wrote nothing');

SELECT * FROM finish();
ROLLBACK;
