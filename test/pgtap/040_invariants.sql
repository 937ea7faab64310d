-- The invariants the triggers keep, whatever writes the tables: direct writes
-- by a superuser, and the API functions called by a non-superuser API role.
--   1. An org that is not being deleted has at least one owner.
--   2. A membership has at least one role; roles are a set (no duplicates,
--      no NULLs), stored in role order.
--   3. Status moves provisioning -> active -> de-provisioning (or
--      provisioning -> de-provisioning), never back; while de-provisioning,
--      nothing but deletion.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(82);

CREATE FUNCTION pg_temp.roles_of(org text, who text) RETURNS text LANGUAGE sql AS $$
  SELECT m.roles::text FROM roboto_orgs.org_members m WHERE m.org_id = org AND m.user_id = who
$$;
CREATE FUNCTION pg_temp.owners(org text) RETURNS text[] LANGUAGE sql AS $$
  SELECT coalesce(array_agg(m.user_id ORDER BY m.user_id), '{}')
  FROM roboto_orgs.org_members m WHERE m.org_id = org AND 'owner' = ANY (m.roles)
$$;
-- Insert an org, optionally with an owner, and fire the deferred check now
CREATE FUNCTION pg_temp.insert_org(id text, owner text, then_delete boolean DEFAULT false) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO roboto_orgs.orgs (org_id, name) VALUES (id, 'Org ' || id);
  IF owner IS NOT NULL THEN
    INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (id, owner, '{owner}');
  END IF;
  IF then_delete THEN
    DELETE FROM roboto_orgs.orgs WHERE org_id = id;
  END IF;
  SET CONSTRAINTS ALL IMMEDIATE;
  SET CONSTRAINTS ALL DEFERRED;
END
$$;

DO $$
BEGIN
  PERFORM roboto_orgs.create_user(u) FROM unnest(ARRAY['alice', 'bob', 'carol', 'dora']) u;
END
$$;
SET roboto_orgs.user_id = 'alice';
SELECT (roboto_orgs.create_org('A')).org_id AS a \gset
SELECT (roboto_orgs.create_org('B')).org_id AS b \gset
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES
  (:'a', 'bob', '{admin}'), (:'a', 'carol', '{user}');
RESET roboto_orgs.user_id;

--------------------------------------------------------------------------------
-- 1. At least one owner: direct writes by a superuser
--------------------------------------------------------------------------------
SELECT throws_ok(format('DELETE FROM roboto_orgs.org_members WHERE org_id = %L AND user_id = %L', :'a', 'alice'), '23514',
                 format('org "%s" must keep at least one owner', :'a'), 'deleting the only owner''s membership: 23514');
SELECT throws_ok(format('UPDATE roboto_orgs.org_members SET roles = %L WHERE org_id = %L AND user_id = %L', '{admin}', :'a', 'alice'),
                 '23514', NULL, 'demoting the only owner: 23514');
SELECT throws_ok(format('UPDATE roboto_orgs.org_members SET org_id = %L WHERE org_id = %L AND user_id = %L', :'b', :'a', 'alice'),
                 '23505', NULL, 'moving the only owner into an org they are in already: 23505 (the key)');
SELECT throws_ok(format('UPDATE roboto_orgs.org_members SET roles = %L WHERE org_id = %L', '{user}', :'a'),
                 '23514', NULL, 'demoting every member at once: 23514');
SELECT throws_ok(format('DELETE FROM roboto_orgs.org_members WHERE org_id = %L', :'a'),
                 '23514', NULL, 'deleting every membership at once: 23514');
SELECT throws_ok($$DELETE FROM roboto_orgs.users WHERE user_id = 'alice'$$, '23514', NULL,
                 'deleting the user who is the only owner (the membership cascades): 23514');
SELECT lives_ok(format('UPDATE roboto_orgs.org_members SET roles = %L WHERE org_id = %L AND user_id = %L', '{admin,owner}', :'a', 'alice'),
                'the only owner gains a role and stays owner');
SELECT lives_ok($$UPDATE roboto_orgs.users SET user_id = 'alice2' WHERE user_id = 'alice'$$,
                'renaming the user who is the only owner (the membership follows)');
SELECT is(pg_temp.owners(:'a'), ARRAY['alice2'], 'the renamed user is still the owner');
UPDATE roboto_orgs.users SET user_id = 'alice' WHERE user_id = 'alice2';
SELECT lives_ok(format('UPDATE roboto_orgs.orgs SET org_id = %L WHERE org_id = %L', 'og_renamed', :'b'),
                'renaming an org id (the memberships follow)');
SELECT is(pg_temp.owners('og_renamed'), ARRAY['alice'], 'the renamed org keeps its owner');
UPDATE roboto_orgs.orgs SET org_id = :'b' WHERE org_id = 'og_renamed';

-- Two owners: either may go, not both
UPDATE roboto_orgs.org_members SET roles = '{admin,owner}' WHERE org_id = :'a' AND user_id = 'bob';
SELECT throws_ok(format('DELETE FROM roboto_orgs.org_members WHERE org_id = %L AND %L = ANY (roles)', :'a', 'owner'),
                 '23514', NULL, 'deleting both owners in one statement: 23514');
SELECT throws_ok(format('UPDATE roboto_orgs.org_members SET roles = %L WHERE org_id = %L AND %L = ANY (roles)', '{admin}', :'a', 'owner'),
                 '23514', NULL, 'demoting both owners in one statement: 23514');
SELECT lives_ok(format('UPDATE roboto_orgs.org_members SET roles = %L WHERE org_id = %L AND user_id = %L', '{admin}', :'a', 'alice'),
                'demoting one of two owners');
SELECT throws_ok(format('DELETE FROM roboto_orgs.org_members WHERE org_id = %L AND user_id = %L', :'a', 'bob'),
                 '23514', NULL, 'then deleting the other: 23514');
SELECT throws_ok(format('UPDATE roboto_orgs.org_members SET org_id = %L WHERE org_id = %L AND user_id = %L', :'b', :'a', 'bob'),
                 '23514', NULL, 'then moving the other to another org: 23514');
SELECT is(pg_temp.owners(:'a'), ARRAY['bob'], 'org A has its one owner');
UPDATE roboto_orgs.org_members SET roles = '{owner}' WHERE org_id = :'a' AND user_id = 'alice';
UPDATE roboto_orgs.org_members SET roles = '{admin}' WHERE org_id = :'a' AND user_id = 'bob';

-- Deleting the org is not blocked by the rule
SELECT lives_ok(format('DELETE FROM roboto_orgs.orgs WHERE org_id = %L', :'b'), 'deleting an org with its only owner');
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_members WHERE org_id = :'b'), 0, 'its memberships went with it');

-- An org inserted without an owner fails at commit
SELECT throws_ok($$SELECT pg_temp.insert_org('og_no_owner', NULL)$$, '23514', 'org "og_no_owner" has no owner',
                 'an org inserted without an owner: 23514 when the deferred check fires');
SELECT lives_ok($$SELECT pg_temp.insert_org('og_with_owner', 'carol')$$, 'an org inserted with an owner in the same transaction');
SELECT lives_ok($$SELECT pg_temp.insert_org('og_deleted_again', NULL, then_delete => true)$$,
                'an org inserted without an owner and deleted in the same transaction');
SELECT is((SELECT count(*)::int FROM roboto_orgs.orgs WHERE org_id IN ('og_no_owner', 'og_deleted_again')), 0,
          'neither org without an owner is there');

--------------------------------------------------------------------------------
-- 1. At least one owner: through the functions
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'a', 'alice'), '23514', NULL, 'remove_user() of the last owner: 23514');
SELECT throws_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'a', 'alice', 'owner'), '23514', NULL,
                 'remove_role_from_user(owner) of the last owner: 23514');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L, %L)', :'a', 'alice', '{admin}', '{owner}'), '23514', NULL,
                 'update_org_user() demoting the last owner: 23514');
SET client_min_messages = error;
SELECT throws_ok(format('SELECT roboto_orgs.modify_role_for_user(%L, %L, %L)', :'a', 'alice', 'user'), '23514', NULL,
                 'modify_role_for_user() demoting the last owner: 23514');
RESET client_min_messages;
SELECT lives_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'a', 'bob', 'owner'), 'a second owner');
SELECT lives_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'a', 'alice', 'owner'),
                'the first owner steps down (their only role: they leave)');
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok(format('SELECT roboto_orgs.remove_user(%L, %L)', :'a', 'bob'), '23514', NULL,
                 'remove_user() of the second owner, now the last: 23514');
SELECT lives_ok(format('SELECT roboto_orgs.delete_org(%L)', :'a'), 'delete_org() is not blocked by the rule');
SELECT (roboto_orgs.create_org('A again')).org_id AS a \gset
RESET ROLE;
SELECT is(pg_temp.owners(:'a'), ARRAY['bob'], 'create_org() makes the caller the sole owner');

SET CONSTRAINTS ALL IMMEDIATE;
SET ROLE roboto_test_api;
SELECT lives_ok($$SELECT roboto_orgs.create_org('Immediate')$$,
                'create_org() in a transaction that made the deferred owner check immediate');
RESET ROLE;
SET CONSTRAINTS ALL DEFERRED;

--------------------------------------------------------------------------------
-- 2. Roles are a non-empty set, stored in role order: direct writes
--------------------------------------------------------------------------------
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'a', 'alice', '{user}');
SELECT throws_ok(format('INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, %L, %L)', :'a', 'carol', '{}'),
                 '23514', format('user "carol" must hold at least one role in org "%s"', :'a'), 'a membership without roles: 23514');
SELECT throws_ok(format('INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, %L, %L)', :'a', 'carol', '{user,NULL}'),
                 '23514', NULL, 'a membership with a NULL role: 23514');
SELECT throws_ok(format('INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, %L, %L)', :'a', 'carol', '{NULL}'),
                 '23514', NULL, 'a membership whose only role is NULL: 23514');
SELECT throws_ok(format('INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, %L, %L)', :'a', 'carol', '{admin,admin}'),
                 '23514', NULL, 'a membership with a duplicate role: 23514');
SELECT throws_ok(format('INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, %L, %L)', :'a', 'carol', '{{user},{admin}}'),
                 '23514', NULL, 'a membership with a two-dimensional roles array: 23514');
SELECT throws_ok(format('INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, %L, NULL)', :'a', 'carol'),
                 '23502', NULL, 'a membership with NULL roles: 23502');
SELECT throws_ok(format('INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, %L, %L)', :'a', 'carol', '{guest}'),
                 '22P02', NULL, 'a membership with an unknown role: 22P02');
SELECT throws_ok(format('UPDATE roboto_orgs.org_members SET roles = %L WHERE org_id = %L AND user_id = %L', '{}', :'a', 'alice'),
                 '23514', NULL, 'emptying the roles of a membership: 23514');
SELECT throws_ok(format('UPDATE roboto_orgs.org_members SET roles = roles || %L::roboto_orgs.org_role_name WHERE org_id = %L AND user_id = %L',
                        'user', :'a', 'alice'),
                 '23514', NULL, 'appending a role held already: 23514');
SELECT lives_ok(format('INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, %L, %L)', :'a', 'carol', '{owner,user,admin}'),
                'a membership with roles out of order');
SELECT is(pg_temp.roles_of(:'a', 'carol'), '{user,admin,owner}', 'the roles are stored in role order');
SELECT lives_ok(format('UPDATE roboto_orgs.org_members SET roles = %L WHERE org_id = %L AND user_id = %L', '{admin,user}', :'a', 'alice'),
                'updating roles out of order');
SELECT is(pg_temp.roles_of(:'a', 'alice'), '{user,admin}', 'the updated roles are stored in role order');
SELECT is(pg_temp.roles_of(:'a', 'bob'), '{owner}', 'bob is still owner');

--------------------------------------------------------------------------------
-- 2. Through the functions
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, remove_roles => %L)', :'a', 'alice', '{user,admin}'), '22023', NULL,
                 'update_org_user() removing every role: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.update_org_user(%L, %L, %L)', :'a', 'alice', '{NULL}'), '22023', NULL,
                 'update_org_user() adding a NULL role: 22023');
SELECT is((roboto_orgs.update_org_user(:'a', 'alice', '{owner,admin,owner}')).roles, '{user,admin,owner}',
          'update_org_user() with duplicates and out of order: a set in role order');
SELECT lives_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'a', 'carol', 'owner'), 'remove_role_from_user() of one of three roles');
SELECT lives_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'a', 'carol', 'admin'), 'and of the second');
SELECT lives_ok(format('SELECT roboto_orgs.remove_role_from_user(%L, %L, %L)', :'a', 'carol', 'user'), 'and of the last');
RESET ROLE;
SELECT is(pg_temp.roles_of(:'a', 'carol'), NULL, 'removing the last role removed the membership, never leaving it empty');
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_members WHERE cardinality(roles) = 0), 0, 'no membership without roles');

--------------------------------------------------------------------------------
-- 3. Status moves forward only: direct writes by a superuser
--------------------------------------------------------------------------------
INSERT INTO roboto_orgs.orgs (org_id, name, status) VALUES
  ('og_p1', 'P1', 'provisioning'), ('og_p2', 'P2', 'provisioning'), ('og_d', 'D', 'active');
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES
  ('og_p1', 'alice', '{owner}'), ('og_p2', 'alice', '{owner}'), ('og_d', 'alice', '{owner}'), ('og_d', 'bob', '{user}'),
  ('og_d', 'dora', '{user}');
SELECT lives_ok($$UPDATE roboto_orgs.orgs SET status = 'provisioning' WHERE org_id = 'og_p1'$$, 'provisioning -> provisioning');
SELECT lives_ok($$UPDATE roboto_orgs.orgs SET status = 'active' WHERE org_id = 'og_p1'$$, 'provisioning -> active');
SELECT throws_ok($$UPDATE roboto_orgs.orgs SET status = 'provisioning' WHERE org_id = 'og_p1'$$, '23514',
                 'org "og_p1" cannot move from status active to provisioning', 'active -> provisioning: 23514');
SELECT lives_ok($$UPDATE roboto_orgs.orgs SET status = 'active', name = 'P one' WHERE org_id = 'og_p1'$$,
                'active -> active with a rename');
SELECT lives_ok($$UPDATE roboto_orgs.orgs SET status = 'de-provisioning' WHERE org_id = 'og_p1'$$, 'active -> de-provisioning');
SELECT lives_ok($$UPDATE roboto_orgs.orgs SET status = 'de-provisioning' WHERE org_id = 'og_p2'$$, 'provisioning -> de-provisioning');
SELECT throws_ok($$UPDATE roboto_orgs.orgs SET status = 'active' WHERE org_id = 'og_p1'$$, '23514',
                 'org "og_p1" is being de-provisioned', 'de-provisioning -> active: 23514');
SELECT throws_ok($$UPDATE roboto_orgs.orgs SET status = 'provisioning' WHERE org_id = 'og_p2'$$, '23514', NULL,
                 'de-provisioning -> provisioning: 23514');
SELECT throws_ok($$UPDATE roboto_orgs.orgs SET status = 'de-provisioning' WHERE org_id = 'og_p1'$$, '23514', NULL,
                 'de-provisioning -> de-provisioning (any update): 23514');
SELECT throws_ok($$UPDATE roboto_orgs.orgs SET name = 'Renamed' WHERE org_id = 'og_p1'$$, '23514', NULL,
                 'renaming a de-provisioning org: 23514');
SELECT throws_ok($$UPDATE roboto_orgs.orgs SET tier = 'premium' WHERE org_id = 'og_p1'$$, '23514', NULL,
                 'changing the tier of a de-provisioning org: 23514');
SELECT throws_ok($$INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES ('og_p1', 'bob', '{user}')$$, '23514',
                 'org "og_p1" is being de-provisioned', 'adding a member to a de-provisioning org: 23514');
SELECT throws_ok($$UPDATE roboto_orgs.org_members SET roles = '{admin,owner}' WHERE org_id = 'og_p1'$$, '23514', NULL,
                 'changing roles in a de-provisioning org: 23514');
UPDATE roboto_orgs.orgs SET status = 'de-provisioning' WHERE org_id = 'og_d';
SELECT throws_ok($$DELETE FROM roboto_orgs.org_members WHERE org_id = 'og_d' AND user_id = 'bob'$$, '23514', NULL,
                 'removing a member of a de-provisioning org: 23514');
SELECT throws_ok($$DELETE FROM roboto_orgs.org_members WHERE org_id = 'og_d' AND user_id = 'alice'$$, '23514', NULL,
                 'removing the owner of a de-provisioning org: 23514');
SELECT lives_ok($$DELETE FROM roboto_orgs.users WHERE user_id = 'dora'$$,
                'deleting a user who is a member of a de-provisioning org (the membership cascades)');
SELECT is(pg_temp.roles_of('og_d', 'dora'), NULL, 'the deleted user''s membership is gone');
SELECT lives_ok($$DELETE FROM roboto_orgs.orgs WHERE org_id = 'og_d'$$, 'deleting a de-provisioning org with members');
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_members WHERE org_id = 'og_d'), 0, 'its memberships went with it');
SELECT lives_ok($$DELETE FROM roboto_orgs.orgs WHERE org_id = 'og_p1'$$, 'deleting a de-provisioning org');
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_members WHERE org_id = 'og_p1'), 0, 'its memberships went with it');

--------------------------------------------------------------------------------
-- 3. Through the functions
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok($$SELECT roboto_orgs.update_org('og_p2', status => 'active')$$, '22023', NULL,
                 'update_org(): de-provisioning -> active: 22023');
SELECT lives_ok($$SELECT roboto_orgs.delete_org('og_p2')$$, 'delete_org() of a de-provisioning org');
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, status => %L)', :'a', 'provisioning'), '23514', NULL,
                 'update_org(): active -> provisioning: 23514');
SET roboto_orgs.user_id = 'bob';
SELECT lives_ok(format('SELECT roboto_orgs.update_org(%L, status => %L)', :'a', 'de-provisioning'), 'update_org(): active -> de-provisioning');
SELECT throws_ok(format('SELECT roboto_orgs.add_role_for_user(%L, %L, %L)', :'a', 'alice', 'owner'), '22023', NULL,
                 'no role changes while de-provisioning: 22023');
SELECT lives_ok(format('SELECT roboto_orgs.delete_org(%L)', :'a'), 'delete_org() while de-provisioning');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
