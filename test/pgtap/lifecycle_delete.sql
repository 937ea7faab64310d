-- Deletion and de-provisioning: delete_org while an app's table still
-- references the org (ON DELETE NO ACTION or RESTRICT: 23503 naming the
-- table, nothing written; ON DELETE CASCADE: the app's rows go with the
-- org), and status de-provisioning stopping every change but deletion, from
-- the functions (22023) and for a superuser's direct writes (23514).
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(60);

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

-- Kinds of an org's events, oldest first, read past the API
CREATE FUNCTION pg_temp.kinds(org text) RETURNS text[]
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT coalesce(array_agg(kind ORDER BY event_id), '{}') FROM roboto_orgs.events WHERE org_id = org
$$;

CREATE FUNCTION pg_temp.count_rows(tbl text, org text) RETURNS int
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
  n int;
BEGIN
  EXECUTE format('SELECT count(*) FROM %s WHERE org_id = $1', tbl) INTO n USING org;
  RETURN n;
END
$$;

DO $$
BEGIN
  PERFORM roboto_orgs.create_user(u, u || '@example.com')
  FROM unnest(ARRAY['alice', 'adam', 'uma', 'bob', 'carol', 'eve']) u;
END
$$;

-- An app's own tables, referencing orgs the three ways
CREATE SCHEMA app;
CREATE TABLE app.projects (
  project_id int PRIMARY KEY,
  org_id text NOT NULL REFERENCES roboto_orgs.orgs (org_id)                -- NO ACTION
);
CREATE TABLE app."Billing Accounts" (
  account_id int PRIMARY KEY,
  org_id text NOT NULL REFERENCES roboto_orgs.orgs (org_id) ON DELETE RESTRICT
);
CREATE TABLE app.notes (
  note_id int PRIMARY KEY,
  org_id text NOT NULL REFERENCES roboto_orgs.orgs (org_id) ON DELETE CASCADE
);

SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT org_id AS acme FROM roboto_orgs.create_org('Acme Delete') \gset
SELECT invite_id AS inv_bob FROM roboto_orgs.invite_user(:'acme', 'bob') \gset
RESET ROLE;
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'acme', 'adam', '{admin}'), (:'acme', 'uma', '{user}');
INSERT INTO app.projects VALUES (1, :'acme'), (2, :'acme');
INSERT INTO app."Billing Accounts" VALUES (1, :'acme');
INSERT INTO app.notes VALUES (1, :'acme'), (2, :'acme');
SET ROLE roboto_test_api;

--------------------------------------------------------------------------------
-- delete_org: who may
--------------------------------------------------------------------------------
SELECT pg_temp.fingerprint() AS fp \gset
SET roboto_orgs.user_id = 'adam';
SELECT throws_ok(format($$SELECT roboto_orgs.delete_org(%L)$$, :'acme'), '42501', NULL,
  'delete_org() by an admin: 42501');
SET roboto_orgs.user_id = 'uma';
SELECT throws_ok(format($$SELECT roboto_orgs.delete_org(%L)$$, :'acme'), '42501', NULL,
  'delete_org() by a plain member: 42501');
SET roboto_orgs.user_id = 'eve';
SELECT throws_ok(format($$SELECT roboto_orgs.delete_org(%L)$$, :'acme'), '42501', NULL,
  'delete_org() by a non-member: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok(format($$SELECT roboto_orgs.delete_org(%L)$$, :'acme'), '42501', NULL,
  'delete_org() by an anonymous caller: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok($$SELECT roboto_orgs.delete_org('og_nope')$$, 'PT404', 'org "og_nope" does not exist',
  'delete_org() of an unknown org: PT404');
SELECT throws_ok($$SELECT roboto_orgs.delete_org(NULL)$$, '22004', NULL, 'delete_org(NULL): 22004');
SELECT is(pg_temp.fingerprint(), :'fp', 'the refused calls wrote nothing');

--------------------------------------------------------------------------------
-- delete_org while an app's rows reference the org: 23503 naming the table
--------------------------------------------------------------------------------
SELECT throws_ok(format($$SELECT roboto_orgs.delete_org(%L)$$, :'acme'), '23503', NULL,
  'delete_org() while app rows reference the org: 23503');
SELECT matches(pg_temp.error_of(format($$SELECT roboto_orgs.delete_org(%L)$$, :'acme')),
  format('^23503 org "%s" is still referenced from table app\.(projects|"Billing Accounts") HINT: '
         'Delete the rows that reference the org, or declare the reference ON DELETE CASCADE, before deleting the org\.$', :'acme'),
  'the message names the referencing table (schema-qualified, quoted when needed) and the hint says what to do');
SELECT is(pg_temp.fingerprint(), :'fp', 'the failed delete wrote nothing: org, members, invites and events as before');
SELECT is(pg_temp.count_rows('roboto_orgs.org_members', :'acme'), 3, 'the three members are still there');
SELECT is(pg_temp.count_rows('app.notes', :'acme'), 2, 'the app''s ON DELETE CASCADE rows are still there');
SELECT is(pg_temp.kinds(:'acme'), '{org.created,member.joined,invite.sent,member.joined,member.joined}',
  'no org.deleted event, no member.removed event');
SELECT is((roboto_orgs.get_org(:'acme')).name, 'Acme Delete', 'the org is still readable');

RESET ROLE;
DELETE FROM app.projects;
SET ROLE roboto_test_api;
SELECT is(pg_temp.error_of(format($$SELECT roboto_orgs.delete_org(%L)$$, :'acme')),
  format('23503 org "%s" is still referenced from table app."Billing Accounts" HINT: '
         'Delete the rows that reference the org, or declare the reference ON DELETE CASCADE, before deleting the org.', :'acme'),
  'ON DELETE RESTRICT: 23503 naming app."Billing Accounts"');
SELECT is(pg_temp.fingerprint(), :'fp', 'and nothing written');

RESET ROLE;
DELETE FROM app."Billing Accounts";
SET ROLE roboto_test_api;
SELECT lives_ok(format($$SELECT roboto_orgs.delete_org(%L)$$, :'acme'),
  'with the referencing rows removed, the owner deletes the org');
SELECT is(pg_temp.count_rows('roboto_orgs.orgs', :'acme'), 0, 'the org is gone');
SELECT is(pg_temp.count_rows('roboto_orgs.org_members', :'acme'), 0, 'its members are gone');
SELECT is(pg_temp.count_rows('roboto_orgs.org_invites', :'acme'), 0, 'its invites are gone');
SELECT is(pg_temp.count_rows('app.notes', :'acme'), 0, 'the app''s ON DELETE CASCADE rows went with it');
SELECT is(pg_temp.kinds(:'acme'), '{org.created,member.joined,invite.sent,member.joined,member.joined,org.deleted}',
  'its events stay, with exactly one org.deleted added (no member.removed)');
SELECT throws_ok(format($$SELECT roboto_orgs.get_org(%L)$$, :'acme'), 'PT404', NULL, 'get_org() of the deleted org: PT404');
SELECT throws_ok(format($$SELECT roboto_orgs.delete_org(%L)$$, :'acme'), 'PT404', NULL, 'deleting it again: PT404');
SELECT throws_ok(format($$SELECT roboto_orgs.accept_invite(%L)$$, :'inv_bob'), 'PT404', NULL,
  'an invite to the deleted org is gone: PT404');

--------------------------------------------------------------------------------
-- de-provisioning: only the owner moves the org there
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'alice';
SELECT org_id AS globex FROM roboto_orgs.create_org('Globex Delete') \gset
SELECT invite_id AS inv_carol FROM roboto_orgs.invite_user(:'globex', 'carol') \gset
SELECT invite_id AS inv_bob FROM roboto_orgs.invite_user(:'globex', 'bob') \gset
RESET ROLE;
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'globex', 'adam', '{admin}'), (:'globex', 'uma', '{user}');
INSERT INTO app.projects VALUES (3, :'globex');
SET ROLE roboto_test_api;

SET roboto_orgs.user_id = 'adam';
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, status => 'de-provisioning')$$, :'globex'), '42501', NULL,
  'an admin cannot move the org to de-provisioning: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT is((roboto_orgs.update_org(:'globex', status => 'de-provisioning')).status, 'de-provisioning',
  'the owner moves the org to de-provisioning');

--------------------------------------------------------------------------------
-- de-provisioning: every mutating function but delete_org refuses with 22023
--------------------------------------------------------------------------------
SELECT pg_temp.fingerprint() AS fp \gset
SELECT throws_ok(format($$SELECT roboto_orgs.invite_user(%L, 'eve')$$, :'globex'), '22023',
  format('org "%s" is being de-provisioned', :'globex'), 'invite_user(): 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, name => 'Globex Renamed')$$, :'globex'), '22023', NULL,
  'update_org(name): 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, status => 'active')$$, :'globex'), '22023', NULL,
  'update_org(status => active): 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, status => 'de-provisioning')$$, :'globex'), '22023', NULL,
  'update_org(status => de-provisioning) again: 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.add_role_for_user(%L, 'uma', 'admin')$$, :'globex'), '22023', NULL,
  'add_role_for_user(): 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.remove_role_from_user(%L, 'adam', 'admin')$$, :'globex'), '22023', NULL,
  'remove_role_from_user(): 22023');
SELECT throws_ok(format($$SELECT roboto_orgs.update_org_user(%L, 'uma', add_roles => '{admin}')$$, :'globex'), '22023', NULL,
  'update_org_user(): 22023');
SET client_min_messages = error;
SELECT throws_ok(format($$SELECT roboto_orgs.modify_role_for_user(%L, 'uma', 'admin')$$, :'globex'), '22023', NULL,
  'modify_role_for_user(): 22023');
RESET client_min_messages;
SELECT throws_ok(format($$SELECT roboto_orgs.remove_user(%L, 'uma')$$, :'globex'), '22023', NULL,
  'remove_user() by the owner: 22023');
SET roboto_orgs.user_id = 'uma';
SELECT throws_ok(format($$SELECT roboto_orgs.remove_user(%L, 'uma')$$, :'globex'), '22023', NULL,
  'remove_user() of oneself: 22023');
SET roboto_orgs.user_id = 'carol';
SELECT throws_ok(format($$SELECT roboto_orgs.accept_invite(%L)$$, :'inv_carol'), '22023', NULL,
  'accept_invite() of an invite sent before: 22023');
RESET ROLE;
SELECT throws_ok(format($$SELECT roboto_orgs.set_org_tier(%L, 'premium')$$, :'globex'), '22023', NULL,
  'set_org_tier() by the trusted service: 22023');
SET ROLE roboto_test_api;
SELECT is(pg_temp.fingerprint(), :'fp', 'the refused calls wrote nothing');

-- Reading still works, and answering an invite adds no one, so it is allowed
SET roboto_orgs.user_id = 'uma';
SELECT is((roboto_orgs.get_org(:'globex')).status, 'de-provisioning', 'members still read the org');
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_users(:'globex')), 3, 'and its members');
SET roboto_orgs.user_id = 'carol';
SELECT lives_ok(format($$SELECT roboto_orgs.decline_invite(%L)$$, :'inv_carol'),
  'the invitee may still decline a pending invite');
SET roboto_orgs.user_id = 'alice';
SELECT lives_ok(format($$SELECT roboto_orgs.revoke_invite(%L)$$, :'inv_bob'),
  'an admin may still revoke a pending invite');

--------------------------------------------------------------------------------
-- de-provisioning: a superuser's direct writes are refused by the triggers (23514)
--------------------------------------------------------------------------------
RESET ROLE;
SELECT pg_temp.fingerprint() AS fp \gset
SELECT throws_ok(format($$UPDATE roboto_orgs.orgs SET name = 'Globex Direct' WHERE org_id = %L$$, :'globex'), '23514',
  format('org "%s" is being de-provisioned', :'globex'), 'direct UPDATE of the org''s name: 23514');
SELECT throws_ok(format($$UPDATE roboto_orgs.orgs SET status = 'active' WHERE org_id = %L$$, :'globex'), '23514', NULL,
  'direct UPDATE of the status back to active: 23514');
SELECT throws_ok(format($$UPDATE roboto_orgs.orgs SET tier = 'premium' WHERE org_id = %L$$, :'globex'), '23514', NULL,
  'direct UPDATE of the tier: 23514');
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (%L, 'eve', '{user}')$$, :'globex'),
  '23514', format('org "%s" is being de-provisioned', :'globex'), 'direct INSERT of a member: 23514');
SELECT throws_ok(format($$UPDATE roboto_orgs.org_members SET roles = '{user,admin}' WHERE org_id = %L AND user_id = 'uma'$$, :'globex'),
  '23514', NULL, 'direct UPDATE of a member''s roles: 23514');
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_invites (org_id, user_id, expires) VALUES (%L, 'eve', now() + interval '1 day')$$, :'globex'),
  '23514', format('org "%s" is being de-provisioned', :'globex'), 'direct INSERT of a pending invite: 23514');
SELECT is(pg_temp.fingerprint(), :'fp', 'the refused direct writes wrote nothing');

--------------------------------------------------------------------------------
-- de-provisioning: deletion is the way out, and still waits for the app's rows
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'adam';
SELECT throws_ok(format($$SELECT roboto_orgs.delete_org(%L)$$, :'globex'), '42501', NULL,
  'an admin still cannot delete it: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok(format($$SELECT roboto_orgs.delete_org(%L)$$, :'globex'), '23503',
  format('org "%s" is still referenced from table app.projects', :'globex'),
  'a de-provisioning org referenced by app rows: 23503 naming app.projects');
SELECT is(pg_temp.fingerprint(), :'fp', 'and nothing written');
RESET ROLE;
DELETE FROM app.projects WHERE org_id = :'globex';
SET ROLE roboto_test_api;
SELECT lives_ok(format($$SELECT roboto_orgs.delete_org(%L)$$, :'globex'), 'the owner deletes the de-provisioning org');
SELECT is(pg_temp.count_rows('roboto_orgs.org_members', :'globex'), 0, 'its members are gone');
SELECT is(pg_temp.kinds(:'globex'),
  '{org.created,member.joined,invite.sent,invite.sent,member.joined,member.joined,org.status_changed,invite.declined,invite.revoked,org.deleted}',
  'its events: one per change, one org.deleted at the end, no member.removed');

--------------------------------------------------------------------------------
-- A provisioning org (made by the trusted service directly) takes no invites
--------------------------------------------------------------------------------
RESET ROLE;
INSERT INTO roboto_orgs.orgs (org_id, name, status, created_by) VALUES ('og_lc_provisioning', 'Provisioning Delete', 'provisioning', 'alice');
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES ('og_lc_provisioning', 'alice', '{owner}');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok($$SELECT roboto_orgs.invite_user('og_lc_provisioning', 'bob')$$, '22023',
  'org "og_lc_provisioning" is not active', 'invite_user() into a provisioning org: 22023');
SELECT is((roboto_orgs.update_org('og_lc_provisioning', status => 'de-provisioning')).status, 'de-provisioning',
  'provisioning -> de-provisioning is allowed');
SELECT lives_ok($$SELECT roboto_orgs.delete_org('og_lc_provisioning')$$, 'and the org can then be deleted');

SELECT * FROM finish();
ROLLBACK;
