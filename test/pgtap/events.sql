-- The event log: exactly one event per change, with the right kind, actor,
-- actor_role, subject, before and after; nothing for calls that fail or
-- change nothing; events never writable by API roles and never updated;
-- org_events() paging, argument checks and permissions.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(77);

-- The last event id so far, and the events after a mark, read past the API
CREATE FUNCTION pg_temp.mark() RETURNS bigint
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT coalesce(max(event_id), 0) FROM roboto_orgs.events
$$;
CREATE FUNCTION pg_temp.since(m bigint)
RETURNS TABLE (org_id text, kind text, actor text, actor_role text, subject text, before jsonb, after jsonb, created timestamptz)
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT e.org_id, e.kind, e.actor, e.actor_role, e.subject, e.before, e.after, e.created
  FROM roboto_orgs.events e WHERE e.event_id > m ORDER BY e.event_id
$$;
CREATE FUNCTION pg_temp.kinds_since(m bigint) RETURNS text[]
  LANGUAGE sql AS $$
  SELECT coalesce(array_agg(kind), '{}') FROM pg_temp.since(m)
$$;
CREATE FUNCTION pg_temp.count_events() RETURNS bigint
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT count(*) FROM roboto_orgs.events
$$;

DO $$
BEGIN
  PERFORM roboto_orgs.create_user(u, u || '@example.com')
  FROM unnest(ARRAY['alice', 'adam', 'uma', 'bob', 'carol', 'dave', 'erin', 'eve']) u;
END
$$;
SET ROLE roboto_test_api;

--------------------------------------------------------------------------------
-- Orgs: created, renamed, status changed, updated, deleted
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'alice';
SELECT pg_temp.mark() AS m \gset
SELECT org_id AS acme FROM roboto_orgs.create_org('Acme Events') \gset
SELECT results_eq(
  format($$SELECT org_id, kind, actor, actor_role, subject, before FROM pg_temp.since(%s)$$, :m),
  format($$VALUES (%L, 'org.created', 'alice', 'roboto_test_api', NULL::text, NULL::jsonb),
                  (%L, 'member.joined', 'alice', 'roboto_test_api', 'alice', NULL::jsonb)$$, :'acme', :'acme'),
  'create_org() writes exactly org.created and member.joined (the owner): actor the caller, actor_role the API role');
SELECT is((SELECT after - 'created' FROM pg_temp.since(:m) WHERE kind = 'org.created'),
  jsonb_build_object('org_id', :'acme', 'name', 'Acme Events', 'tier', 'free', 'status', 'active',
                     'data_region', 'us-west', 'created_by', 'alice',
                     'slug', NULL, 'public_metadata', '{}'::jsonb, 'private_metadata', '{}'::jsonb),
  'org.created: after is the new org row');
SELECT is((SELECT after - 'created' FROM pg_temp.since(:m) WHERE kind = 'member.joined'),
  jsonb_build_object('org_id', :'acme', 'user_id', 'alice', 'roles', jsonb_build_array('owner')),
  'member.joined: after is the membership with role owner');
SELECT is((SELECT bool_and(created = now()) FROM pg_temp.since(:m)), true, 'events carry the transaction''s time');

SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.update_org(:'acme', name => 'Acme Events Renamed') \g /dev/null
SELECT results_eq(
  format($$SELECT kind, actor, subject, before->>'name', after->>'name' FROM pg_temp.since(%s)$$, :m),
  $$VALUES ('org.renamed', 'alice', NULL::text, 'Acme Events', 'Acme Events Renamed')$$,
  'update_org(name) writes one org.renamed with the name before and after');

SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.update_org(:'acme', name => 'Acme Events Renamed') \g /dev/null
SELECT is(pg_temp.kinds_since(:m), '{}', 'a rename to the same name changes nothing and writes no event');

-- A provisioning org, made by the trusted service directly, then activated
-- and renamed in one call: org.updated
RESET ROLE;
RESET roboto_orgs.user_id;
SELECT pg_temp.mark() AS m \gset
INSERT INTO roboto_orgs.orgs (org_id, name, status, created_by) VALUES ('og_lc_events_prov', 'Prov Events', 'provisioning', 'alice');
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES ('og_lc_events_prov', 'alice', '{owner}');
SELECT results_eq(
  format($$SELECT kind, actor, actor_role, subject FROM pg_temp.since(%s)$$, :m),
  format($$VALUES ('org.created', NULL::text, %L, NULL::text), ('member.joined', NULL, %L, 'alice')$$, current_user, current_user),
  'direct INSERTs by the trusted service: one event each, no actor, actor_role the superuser');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.update_org('og_lc_events_prov', name => 'Prov Events Live', status => 'active') \g /dev/null
SELECT results_eq(
  format($$SELECT kind, before->>'name', before->>'status', after->>'name', after->>'status' FROM pg_temp.since(%s)$$, :m),
  $$VALUES ('org.updated', 'Prov Events', 'provisioning', 'Prov Events Live', 'active')$$,
  'update_org(name, status) writes one org.updated with both columns before and after');
SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.update_org('og_lc_events_prov', status => 'de-provisioning') \g /dev/null
SELECT results_eq(
  format($$SELECT kind, before->>'status', after->>'status' FROM pg_temp.since(%s)$$, :m),
  $$VALUES ('org.status_changed', 'active', 'de-provisioning')$$,
  'update_org(status) writes one org.status_changed');

RESET ROLE;
SELECT pg_temp.mark() AS m \gset
UPDATE roboto_orgs.orgs SET name = 'Acme Events Direct', data_region = 'eu-west' WHERE org_id = :'acme';
SELECT results_eq(
  format($$SELECT kind, actor, after->>'name', after->>'data_region' FROM pg_temp.since(%s)$$, :m),
  $$VALUES ('org.updated', 'alice', 'Acme Events Direct', 'eu-west')$$,
  'a direct UPDATE of two columns writes one org.updated (the actor is whoever roboto_orgs.user_id names)');
SET ROLE roboto_test_api;

--------------------------------------------------------------------------------
-- Invites: sent, accepted, declined, revoked, expired
--------------------------------------------------------------------------------
RESET ROLE;
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'acme', 'adam', '{admin}'), (:'acme', 'uma', '{user}');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'adam';
SELECT pg_temp.mark() AS m \gset
SELECT invite_id AS inv_bob FROM roboto_orgs.invite_user(:'acme', 'bob') \gset
SELECT results_eq(
  format($$SELECT kind, actor, subject, before, after->>'user_id', after->>'status', after->>'invited_by' FROM pg_temp.since(%s)$$, :m),
  format($$VALUES ('invite.sent', 'adam', %L, NULL::jsonb, 'bob', 'pending', 'adam')$$, :'inv_bob'),
  'invite_user() writes one invite.sent: subject the invite, after the pending invite');

SET roboto_orgs.user_id = 'bob';
SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.accept_invite(:'inv_bob') \g /dev/null
SELECT results_eq(
  format($$SELECT kind, actor, subject, before->>'status', after->>'status', after->'roles' FROM pg_temp.since(%s)$$, :m),
  format($$VALUES ('invite.accepted', 'bob', %L, 'pending', 'accepted', NULL::jsonb),
                  ('member.joined', 'bob', 'bob', NULL, NULL, '["user"]'::jsonb)$$, :'inv_bob'),
  'accept_invite() writes exactly invite.accepted and member.joined, the invitee as actor');

SET roboto_orgs.user_id = 'adam';
SELECT invite_id AS inv_carol FROM roboto_orgs.invite_user(:'acme', 'carol') \gset
SELECT invite_id AS inv_dave FROM roboto_orgs.invite_user(:'acme', 'dave') \gset
SET roboto_orgs.user_id = 'carol';
SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.decline_invite(:'inv_carol') \g /dev/null
SELECT results_eq(
  format($$SELECT kind, actor, subject, before->>'status', after->>'status' FROM pg_temp.since(%s)$$, :m),
  format($$VALUES ('invite.declined', 'carol', %L, 'pending', 'declined')$$, :'inv_carol'),
  'decline_invite() writes one invite.declined');
SET roboto_orgs.user_id = 'alice';
SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.revoke_invite(:'inv_dave') \g /dev/null
SELECT results_eq(
  format($$SELECT kind, actor, subject, after->>'status' FROM pg_temp.since(%s)$$, :m),
  format($$VALUES ('invite.revoked', 'alice', %L, 'revoked')$$, :'inv_dave'),
  'revoke_invite() writes one invite.revoked');

SELECT invite_id AS inv_erin FROM roboto_orgs.invite_user(:'acme', 'erin') \gset
RESET ROLE;
UPDATE roboto_orgs.org_invites SET expires = now() - interval '1 minute' WHERE invite_id = :'inv_erin';
SET ROLE roboto_test_api;
SELECT pg_temp.mark() AS m \gset
SELECT invite_id AS inv_erin2 FROM roboto_orgs.invite_user(:'acme', 'erin') \gset
SELECT results_eq(
  format($$SELECT kind, actor, subject, after->>'status' FROM pg_temp.since(%s)$$, :m),
  format($$VALUES ('invite.expired', 'alice', %L, 'expired'), ('invite.sent', 'alice', %L, 'pending')$$, :'inv_erin', :'inv_erin2'),
  'inviting again past the expiry writes invite.expired for the old invite, then invite.sent');

-- A member added directly while invited: the invite is closed, one event each
RESET ROLE;
RESET roboto_orgs.user_id;
SELECT pg_temp.mark() AS m \gset
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'acme', 'erin', '{user}');
SELECT results_eq(
  format($$SELECT kind, actor, subject, after->>'status' FROM pg_temp.since(%s)$$, :m),
  format($$VALUES ('member.joined', NULL::text, 'erin', NULL::text), ('invite.revoked', NULL, %L, 'revoked')$$, :'inv_erin2'),
  'a direct INSERT of an invited user writes member.joined and invite.revoked (the pending invite closed)');
SET ROLE roboto_test_api;

--------------------------------------------------------------------------------
-- Members: role added, removed, changed; member removed
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'alice';
SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.add_role_for_user(:'acme', 'bob', 'admin') \g /dev/null
SELECT results_eq(
  format($$SELECT kind, actor, subject, before->'roles', after->'roles' FROM pg_temp.since(%s)$$, :m),
  $$VALUES ('member.role_added', 'alice', 'bob', '["user"]'::jsonb, '["user", "admin"]'::jsonb)$$,
  'add_role_for_user() writes one member.role_added, roles before and after');
SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.add_role_for_user(:'acme', 'bob', 'admin') \g /dev/null
SELECT is(pg_temp.kinds_since(:m), '{}', 'granting a role the member has writes no event');
SELECT roboto_orgs.remove_role_from_user(:'acme', 'bob', 'admin') \g /dev/null
SELECT results_eq(
  format($$SELECT kind, subject, before->'roles', after->'roles' FROM pg_temp.since(%s)$$, :m),
  $$VALUES ('member.role_removed', 'bob', '["user", "admin"]'::jsonb, '["user"]'::jsonb)$$,
  'remove_role_from_user() writes one member.role_removed');
SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.update_org_user(:'acme', 'bob', add_roles => '{admin}', remove_roles => '{user}') \g /dev/null
SELECT results_eq(
  format($$SELECT kind, subject, before->'roles', after->'roles' FROM pg_temp.since(%s)$$, :m),
  $$VALUES ('member.roles_changed', 'bob', '["user"]'::jsonb, '["admin"]'::jsonb)$$,
  'update_org_user() adding one role and removing another writes one member.roles_changed');
SELECT pg_temp.mark() AS m \gset
SET client_min_messages = error;
SELECT roboto_orgs.modify_role_for_user(:'acme', 'bob', 'user') \g /dev/null
RESET client_min_messages;
SELECT results_eq(
  format($$SELECT kind, before->'roles', after->'roles' FROM pg_temp.since(%s)$$, :m),
  $$VALUES ('member.roles_changed', '["admin"]'::jsonb, '["user"]'::jsonb)$$,
  'modify_role_for_user() writes one member.roles_changed');
SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.remove_role_from_user(:'acme', 'bob', 'user') \g /dev/null
SELECT results_eq(
  format($$SELECT kind, actor, subject, before->'roles', after FROM pg_temp.since(%s)$$, :m),
  $$VALUES ('member.removed', 'alice', 'bob', '["user"]'::jsonb, NULL::jsonb)$$,
  'removing the last role writes one member.removed (after NULL)');
SET roboto_orgs.user_id = 'uma';
SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.remove_user(:'acme', 'uma') \g /dev/null
SELECT results_eq(
  format($$SELECT kind, actor, subject, before->>'user_id' FROM pg_temp.since(%s)$$, :m),
  $$VALUES ('member.removed', 'uma', 'uma', 'uma')$$,
  'remove_user() of oneself writes one member.removed, the member as actor');

-- check_function_bodies = off (how pg_dump's output says it is being
-- restored) does not silence the log for anyone but a superuser
SET roboto_orgs.user_id = 'alice';
SET check_function_bodies = off;
SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.add_role_for_user(:'acme', 'erin', 'admin') \g /dev/null
SELECT roboto_orgs.remove_role_from_user(:'acme', 'erin', 'admin') \g /dev/null
SELECT is(pg_temp.kinds_since(:m), '{member.role_added,member.role_removed}',
  'an API role that turns check_function_bodies off still has its changes logged');
RESET check_function_bodies;

-- The caller from request.jwt.claims (PostgREST) is the actor too
RESET roboto_orgs.user_id;
SET request.jwt.claims = '{"sub": "alice", "role": "roboto_test_api"}';
SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.add_role_for_user(:'acme', 'erin', 'admin') \g /dev/null
SELECT results_eq(
  format($$SELECT kind, actor, actor_role FROM pg_temp.since(%s)$$, :m),
  $$VALUES ('member.role_added', 'alice', 'roboto_test_api')$$,
  'with request.jwt.claims the actor is the claim''s user');
RESET request.jwt.claims;
SET roboto_orgs.user_id = 'alice';

--------------------------------------------------------------------------------
-- Calls that fail write no event: the event is part of the change's transaction
--------------------------------------------------------------------------------
SELECT pg_temp.count_events() AS n \gset
SELECT throws_ok(format($$SELECT roboto_orgs.remove_role_from_user(%L, 'alice', 'owner')$$, :'acme'), '23514', NULL,
  'removing the last owner''s role fails (23514) after its change was logged');
SELECT throws_ok(format($$SELECT roboto_orgs.invite_user(%L, 'erin')$$, :'acme'), '23505', NULL,
  'inviting a member fails: 23505');
SELECT throws_ok($$SELECT roboto_orgs.create_org('ACME EVENTS DIRECT')$$, '23505', NULL,
  'creating an org with a taken name fails: 23505');
SET roboto_orgs.user_id = 'uma';
SELECT throws_ok(format($$SELECT roboto_orgs.update_org(%L, name => 'Hijacked')$$, :'acme'), '42501', NULL,
  'a rename by a non-admin fails: 42501');
SELECT is(pg_temp.count_events(), :'n'::bigint, 'the failed calls left no event behind');
SET roboto_orgs.user_id = 'alice';

--------------------------------------------------------------------------------
-- org_events(): permissions
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'adam';
SELECT is((SELECT count(*) FROM roboto_orgs.org_events(:'acme')),
          (SELECT count(*) FROM pg_temp.since(0) WHERE org_id = :'acme'),
  'an admin reads every event of the org');
SELECT is((SELECT bool_and(org_id = :'acme') FROM roboto_orgs.org_events(:'acme')), true,
  'and only that org''s events');
SELECT is((SELECT array_agg(kind) FROM roboto_orgs.org_events(:'acme')),
          (SELECT array_agg(kind) FROM pg_temp.since(0) WHERE org_id = :'acme'),
  'in event_id order');
SELECT is((SELECT array_agg(kind) FROM (SELECT kind FROM roboto_orgs.org_events(:'acme') LIMIT 3) s),
  '{org.created,member.joined,org.renamed}', 'starting with the org''s creation');
SELECT is(
  ARRAY(SELECT a.attname::text FROM pg_attribute a JOIN pg_type t ON t.typrelid = a.attrelid
        WHERE t.oid = 'roboto_orgs.org_event'::regtype AND a.attnum > 0 ORDER BY a.attnum),
  '{event_id,org_id,actor,actor_role,kind,subject,before,after,created}',
  'org_events() returns org_event rows: event_id, org_id, actor, actor_role, kind, subject, before, after, created');
SET roboto_orgs.user_id = 'alice';
SELECT ok((SELECT count(*) > 0 FROM roboto_orgs.org_events(:'acme')), 'the owner reads them too');
SET roboto_orgs.user_id = 'erin';
SELECT ok((SELECT count(*) > 0 FROM roboto_orgs.org_events(:'acme')), 'erin, made admin above, reads them');

RESET ROLE;
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'acme', 'uma', '{user}');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'uma';
SELECT throws_ok(format($$SELECT * FROM roboto_orgs.org_events(%L)$$, :'acme'), '42501',
  format('user "uma" needs role admin in org "%s" to read its events', :'acme'),
  'a plain member: 42501');
SET roboto_orgs.user_id = 'eve';
SELECT throws_ok(format($$SELECT * FROM roboto_orgs.org_events(%L)$$, :'acme'), '42501',
  format('user "eve" is not a member of org "%s"', :'acme'),
  'a non-member: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok(format($$SELECT * FROM roboto_orgs.org_events(%L)$$, :'acme'), '42501', NULL,
  'an anonymous caller: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok($$SELECT * FROM roboto_orgs.org_events('og_nope')$$, 'PT404', 'org "og_nope" does not exist',
  'an unknown org: PT404');

--------------------------------------------------------------------------------
-- org_events(): paging and argument checks
--------------------------------------------------------------------------------
SELECT array_agg(event_id ORDER BY event_id) AS all_ids FROM roboto_orgs.org_events(:'acme') \gset
SELECT cardinality(:'all_ids'::bigint[]) AS total \gset
SELECT cmp_ok(:total, '>', 20, 'Acme has more than 20 events to page through');
SELECT is(ARRAY(SELECT event_id FROM roboto_orgs.org_events(:'acme', 0, 5)), (:'all_ids'::bigint[])[1:5],
  'org_events(org, 0, 5): the first five');
SELECT is(ARRAY(SELECT event_id FROM roboto_orgs.org_events(:'acme', (:'all_ids'::bigint[])[5], 5)), (:'all_ids'::bigint[])[6:10],
  'org_events(org, fifth id, 5): the next five');
RESET ROLE;
SELECT min(event_id) AS prov_first FROM roboto_orgs.events WHERE org_id = 'og_lc_events_prov' \gset
SET ROLE roboto_test_api;
SELECT is(ARRAY(SELECT event_id FROM roboto_orgs.org_events(:'acme', :prov_first, 2)),
  (:'all_ids'::bigint[])[4:5], 'after_event_id may be an id of another org''s event (ids are global)');
SELECT is(ARRAY(SELECT event_id FROM roboto_orgs.org_events(:'acme', (:'all_ids'::bigint[])[:total - 1], 100)),
  ARRAY[(:'all_ids'::bigint[])[:total]], 'after the next-to-last id: the last one');
SELECT is(ARRAY(SELECT event_id FROM roboto_orgs.org_events(:'acme', (:'all_ids'::bigint[])[:total], 100)),
  '{}'::bigint[], 'after the last id: nothing');
SELECT is(ARRAY(SELECT event_id FROM roboto_orgs.org_events(:'acme', -5, 1)), (:'all_ids'::bigint[])[1:1],
  'a negative after_event_id reads from the start');
SELECT is(ARRAY(SELECT event_id FROM roboto_orgs.org_events(:'acme', max_rows => 1000)), :'all_ids'::bigint[],
  'max_rows => 1000, the largest page, is allowed');
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_events(:'acme', max_rows => 1)), 1, 'max_rows => 1 is allowed');

-- Reading page after page returns every event exactly once
CREATE FUNCTION pg_temp.read_all_pages(org text, page int) RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
  got bigint[] := '{}';
  last bigint := 0;
  batch bigint[];
BEGIN
  LOOP
    batch := ARRAY(SELECT event_id FROM roboto_orgs.org_events(org, last, page));
    EXIT WHEN cardinality(batch) = 0;
    got := got || batch;
    last := batch[cardinality(batch)];
  END LOOP;
  RETURN got;
END
$$;
SELECT is(pg_temp.read_all_pages(:'acme', 3), :'all_ids'::bigint[], 'paging by 3 reads every event once, in order');
SELECT is(pg_temp.read_all_pages(:'acme', 1), :'all_ids'::bigint[], 'paging by 1 too');

SELECT throws_ok(format($$SELECT * FROM roboto_orgs.org_events(%L, 0, 0)$$, :'acme'), '22023',
  'max_rows must be between 1 and 1000', 'max_rows 0: 22023');
SELECT throws_ok(format($$SELECT * FROM roboto_orgs.org_events(%L, 0, -1)$$, :'acme'), '22023', NULL, 'max_rows -1: 22023');
SELECT throws_ok(format($$SELECT * FROM roboto_orgs.org_events(%L, 0, 1001)$$, :'acme'), '22023', NULL, 'max_rows 1001: 22023');
SELECT throws_ok($$SELECT * FROM roboto_orgs.org_events(NULL)$$, '22004', NULL, 'org NULL: 22004');
SELECT throws_ok(format($$SELECT * FROM roboto_orgs.org_events(%L, NULL)$$, :'acme'), '22004', NULL, 'after_event_id NULL: 22004');
SELECT throws_ok(format($$SELECT * FROM roboto_orgs.org_events(%L, 0, NULL)$$, :'acme'), '22004', NULL, 'max_rows NULL: 22004');
SET roboto_orgs.user_id = 'eve';
SELECT throws_ok(format($$SELECT * FROM roboto_orgs.org_events(%L, 0, 0)$$, :'acme'), '22023', NULL,
  'argument checks come before the permission check: 22023 for anyone');

--------------------------------------------------------------------------------
-- delete_org: one org.deleted, and the events stay for the trusted service
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'alice';
SELECT pg_temp.mark() AS m \gset
SELECT roboto_orgs.delete_org(:'acme') \g /dev/null
SELECT results_eq(
  format($$SELECT org_id, kind, actor, subject, before->>'name', after FROM pg_temp.since(%s)$$, :m),
  format($$VALUES (%L, 'org.deleted', 'alice', NULL::text, 'Acme Events Direct', NULL::jsonb)$$, :'acme'),
  'delete_org() of an org with members and invites writes exactly one org.deleted: no member.removed, no invite event');
SELECT is((SELECT count(*) FROM pg_temp.since(0) WHERE org_id = :'acme')::int, :total + 1,
  'the org''s earlier events stay');
SELECT throws_ok(format($$SELECT * FROM roboto_orgs.org_events(%L)$$, :'acme'), 'PT404', NULL,
  'its former owner cannot read them any more: PT404');

RESET ROLE;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'roboto_orgs_service') THEN
    CREATE ROLE roboto_orgs_service NOLOGIN;
  END IF;
END
$$;
CREATE ROLE roboto_test_lc_audit NOLOGIN IN ROLE roboto_orgs_service;
SELECT roboto_orgs.grant_api_access('roboto_test_lc_audit') \g /dev/null
SET ROLE roboto_test_lc_audit;
RESET roboto_orgs.user_id;
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_events(:'acme', 0, 1000)), :total + 1,
  'the trusted service reads the events of the deleted org');
SELECT is((SELECT kind FROM roboto_orgs.org_events(:'acme', 0, 1000) ORDER BY event_id DESC LIMIT 1), 'org.deleted',
  'the last one being org.deleted');
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_events('og_never_existed')), 0,
  'for an org that never existed the trusted service gets no rows');

--------------------------------------------------------------------------------
-- The log is append-only: no privileges for API roles, UPDATE refused for all
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok($$SELECT * FROM roboto_orgs.events$$, '42501', NULL, 'an API role cannot read events directly: 42501');
SELECT throws_ok(format($$INSERT INTO roboto_orgs.events (org_id, kind) VALUES (%L, 'org.forged')$$, :'acme'), '42501', NULL,
  'an API role cannot insert events: 42501');
SELECT throws_ok($$UPDATE roboto_orgs.events SET kind = 'org.forged'$$, '42501', NULL,
  'an API role cannot update events: 42501');
SELECT throws_ok($$DELETE FROM roboto_orgs.events$$, '42501', NULL, 'an API role cannot delete events: 42501');
SELECT throws_ok($$TRUNCATE roboto_orgs.events$$, '42501', NULL, 'an API role cannot truncate events: 42501');
SELECT throws_ok($$SELECT nextval('roboto_orgs.event_id_seq')$$, '42501', NULL, 'nor use their sequence: 42501');

RESET ROLE;
SELECT pg_temp.count_events() AS n \gset
SELECT throws_ok($$UPDATE roboto_orgs.events SET kind = 'org.forged'$$, '23514', 'events of roboto_orgs are never updated',
  'a superuser''s UPDATE of events is refused: 23514');
SELECT throws_ok(format($$UPDATE roboto_orgs.events SET after = NULL WHERE org_id = %L$$, :'acme'), '23514', NULL,
  'whatever the column');
SELECT is((SELECT count(*)::int FROM roboto_orgs.events WHERE kind = 'org.forged'), 0, 'nothing was changed');
SELECT lives_ok(format($$DELETE FROM roboto_orgs.events WHERE org_id = %L$$, :'acme'),
  'the superuser (or extension owner) may delete old events, for retention');
SELECT is(pg_temp.count_events(), :'n'::bigint - :total - 1, 'the deleted org''s events are gone');
SELECT ok((SELECT 'roboto_orgs.events'::regclass = ANY (extconfig) FROM pg_extension WHERE extname = 'roboto_orgs'),
  'events is config-dumped, so pg_dump keeps the log');

SELECT * FROM finish();
ROLLBACK;
