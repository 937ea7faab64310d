-- PostgREST requests: every API function called the way PostgREST calls it
-- (see postgrest_helpers.psql): connected as the authenticator, role from the
-- JWT or the anonymous role, claims in request.jwt.claims, named arguments,
-- GET and STABLE functions in READ ONLY transactions; the JSON answer or the
-- SQLSTATE with its HTTP status is checked. The last sections go over every
-- function of roboto_orgs.api_functions(), so functions added later are
-- covered too.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir postgrest_helpers.psql
SELECT plan(102);

-- status and body only
CREATE FUNCTION pg_temp.req(method text, fn text, args jsonb, jwt jsonb) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT r - 'phase' - 'read_only' FROM pg_temp.pgrst(method, fn, args, jwt) r
$$;
-- "status code" of an answer, e.g. "403 42501", "200", "204"
CREATE FUNCTION pg_temp.outcome(method text, fn text, args jsonb, jwt jsonb) RETURNS text
LANGUAGE sql AS $$
  SELECT concat_ws(' ', r ->> 'status', CASE WHEN (r ->> 'status')::int >= 400 THEN r -> 'body' ->> 'code' END)
  FROM pg_temp.pgrst(method, fn, args, jwt) r
$$;
-- An org_record without its random id and creation time
CREATE FUNCTION pg_temp.org_fields(org jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT org - 'org_id' - 'created'
$$;

SELECT pg_temp.jwt(NULL, 'roboto_orgs_service') AS service, pg_temp.jwt('alice') AS alice, pg_temp.jwt('bob') AS bob,
       pg_temp.jwt('carol') AS carol, pg_temp.jwt('zed') AS zed, pg_temp.jwt(NULL) AS nosub \gset

--------------------------------------------------------------------------------
-- The roles
--------------------------------------------------------------------------------
SELECT ok((SELECT rolcanlogin AND NOT rolinherit AND NOT rolsuper FROM pg_roles WHERE rolname = 'authenticator'),
          'authenticator: LOGIN NOINHERIT, not a superuser');
SELECT ok(pg_has_role('authenticator', 'anon', 'MEMBER') AND pg_has_role('authenticator', 'authenticated', 'MEMBER')
          AND pg_has_role('authenticator', 'roboto_orgs_service', 'MEMBER'),
          'authenticator may SET ROLE to anon, authenticated and roboto_orgs_service');
SELECT is(ARRAY(SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'roboto_orgs'::regnamespace
                AND NOT pg_temp.pure(p.oid) AND has_function_privilege('authenticator', p.oid, 'EXECUTE')), '{}'::text[],
          'NOINHERIT: the authenticator itself may execute no function of roboto_orgs that touches data');

--------------------------------------------------------------------------------
-- Sign-up: POST /rpc/create_user by the trusted service
--------------------------------------------------------------------------------
SELECT is(pg_temp.req('POST', 'create_user', '{"user_id": "alice", "email": "alice@acme.test", "name": "Alice"}', :'service'),
          '{"status": 200, "body": {"user_id": "alice", "email": "alice@acme.test", "name": "Alice", "picture_url": null,
            "is_service_user": false, "is_system_user": false}}',
          'POST /rpc/create_user {"user_id", "email", "name"} as the service: 200 with the user_record');
SELECT is(pg_temp.outcome('POST', 'create_user', '{"user_id": "bob"}', :'service'), '200',
          'POST /rpc/create_user {"user_id"}: the other arguments have defaults');
SELECT is(pg_temp.outcome('POST', 'create_user', '{"user_id": "carol"}', :'service'), '200', 'carol signs up');
SELECT is(pg_temp.outcome('POST', 'create_user', '{"user_id": "dave"}', :'service'), '200', 'dave signs up');
SELECT is(pg_temp.outcome('POST', 'create_user', '{"user_id": "alice"}', :'service'), '409 23505', 'a taken user_id: 409');
SELECT is(pg_temp.outcome('POST', 'create_user', '{"user_id": "mallory"}', :'alice'), '403 42501',
          'create_user as an authenticated user: 403');
SELECT is(pg_temp.outcome('POST', 'create_user', '{"user_id": "mallory"}', NULL), '401 42501',
          'create_user anonymously: 401');
SELECT is(pg_temp.outcome('POST', 'create_user', '{"user_id": "mallory", "email": "no-at-sign"}', :'service'), '400 22023',
          'create_user with an email without @: 400');
SELECT is(pg_temp.outcome('POST', 'create_user', '{"email": "x@y.test"}', :'service'), '404 PGRST202',
          'create_user without user_id: no function fits (404 PGRST202)');

--------------------------------------------------------------------------------
-- Orgs
--------------------------------------------------------------------------------
SELECT pg_temp.pgrst('POST', 'create_org', '{"name": "Acme"}', :'alice') AS acme_created \gset
SELECT :'acme_created'::jsonb -> 'body' ->> 'org_id' AS acme \gset
SELECT is(:'acme_created'::jsonb ->> 'status', '200', 'POST /rpc/create_org {"name": "Acme"}: 200');
SELECT is(pg_temp.org_fields(:'acme_created'::jsonb -> 'body'),
          '{"name": "Acme", "tier": "free", "status": "active", "data_region": "us-west", "created_by": "alice",
            "slug": null, "public_metadata": {}, "private_metadata": {}}',
          'create_org answers the org_record: defaults for tier, status and data_region, created_by the caller');
SELECT matches(:'acme'::text, '^og_[0-9a-f]{32}$', 'org_id is og_ and 32 hex digits');
SELECT is(:'acme_created'::jsonb -> 'body' -> 'created', to_jsonb(now()), 'created is an ISO 8601 timestamp');
SELECT is(:'acme_created'::jsonb ->> 'read_only', 'false', 'POST to a VOLATILE function runs READ WRITE');
SELECT pg_temp.pgrst('POST', 'create_org', '{"name": "Beta", "data_region": "eu-west", "bind_email_domain": false}', :'alice') AS beta_created \gset
SELECT :'beta_created'::jsonb -> 'body' ->> 'org_id' AS beta \gset
SELECT is(:'beta_created'::jsonb -> 'body' ->> 'data_region', 'eu-west', 'create_org with every argument named');
SELECT is(pg_temp.outcome('POST', 'create_org', '{"name": "ACME"}', :'alice'), '409 23505', 'a taken name, other case: 409');
SELECT is(pg_temp.outcome('POST', 'create_org', '{"name": "   "}', :'alice'), '400 22023', 'a blank name: 400');
SELECT is(pg_temp.outcome('POST', 'create_org', '{"name": null}', :'alice'), '400 22004', 'a null name: 400 (22004)');
SELECT is(pg_temp.outcome('POST', 'create_org', '{"name": "X", "data_region": "mars"}', :'alice'), '400 22P02',
          'an unknown region: 400 (22P02)');
SELECT is(pg_temp.outcome('POST', 'create_org', '{"name": "X"}', :'zed'), '403 42501', 'an unknown user: 403');
SELECT is(pg_temp.outcome('POST', 'create_org', '{"name": "X"}', :'nosub'), '403 42501',
          'a JWT without sub is anonymous: 403');
SELECT is(pg_temp.outcome('POST', 'create_org', '{"name": "X"}', NULL), '401 42501', 'no JWT: 401');
SELECT is(pg_temp.outcome('GET', 'create_org', '{"name": "Gamma"}', :'alice'), '405 25006',
          'GET /rpc/create_org: READ ONLY, 405');

SELECT is(pg_temp.req('GET', 'get_org', jsonb_build_object('org', :'acme'), :'alice'),
          jsonb_build_object('status', 200, 'body', :'acme_created'::jsonb -> 'body'),
          'GET /rpc/get_org?org=...: 200 with the org_record');
SELECT is((pg_temp.pgrst('GET', 'get_org', jsonb_build_object('org', :'acme'), :'alice')) ->> 'read_only', 'true',
          'GET runs READ ONLY');
SELECT is((pg_temp.pgrst('POST', 'get_org', jsonb_build_object('org', :'acme'), :'alice')) ->> 'read_only', 'true',
          'POST to a STABLE function runs READ ONLY too, and works');
SELECT is(pg_temp.outcome('GET', 'get_org', jsonb_build_object('org', :'acme'), :'bob'), '403 42501', 'get_org by a non-member: 403');
SELECT is(pg_temp.outcome('GET', 'get_org', '{"org": "og_00000000000000000000000000000000"}', :'alice'), '404 PT404',
          'get_org of an unknown org: 404');
SELECT is(pg_temp.outcome('GET', 'get_org', jsonb_build_object('org', :'acme'), NULL), '401 42501', 'get_org anonymously: 401');

SELECT is(pg_temp.req('GET', 'orgs_for_self', '{}', :'alice') -> 'body',
          (SELECT jsonb_agg(b ORDER BY b ->> 'created', b ->> 'org_id')
           FROM (VALUES (:'acme_created'::jsonb -> 'body'), (:'beta_created'::jsonb -> 'body')) v(b)),
          'GET /rpc/orgs_for_self: a JSON array of org_records, by creation then id');
SELECT is(pg_temp.req('GET', 'orgs_for_self', '{}', :'carol'), '{"status": 200, "body": []}', 'orgs_for_self with no org: []');
-- (the service has no caller, so its records show no metadata: compare the rest)
SELECT is((SELECT jsonb_agg(e - 'public_metadata' - 'private_metadata')
           FROM jsonb_array_elements(pg_temp.req('GET', 'orgs_for_user', '{"user_id": "alice"}', :'service') -> 'body') e),
          (SELECT jsonb_agg(e - 'public_metadata' - 'private_metadata')
           FROM jsonb_array_elements(pg_temp.req('GET', 'orgs_for_self', '{}', :'alice') -> 'body') e),
          'GET /rpc/orgs_for_user?user_id=alice as the service: alice''s orgs');
SELECT is(pg_temp.outcome('GET', 'orgs_for_user', '{"user_id": "alice"}', :'alice'), '200', 'orgs_for_user of oneself');
SELECT is(pg_temp.outcome('GET', 'orgs_for_user', '{"user_id": "alice"}', :'bob'), '403 42501', 'orgs_for_user of someone else: 403');
SELECT is(pg_temp.outcome('GET', 'orgs_for_user', '{"user_id": "nobody"}', :'service'), '404 PT404', 'orgs_for_user of an unknown user: 404');

--------------------------------------------------------------------------------
-- Invitations
--------------------------------------------------------------------------------
SELECT pg_temp.pgrst('POST', 'invite_user', jsonb_build_object('org', :'acme', 'invited_user_id', 'bob'), :'alice') AS inv_bob \gset
SELECT :'inv_bob'::jsonb -> 'body' ->> 'invite_id' AS inv_bob_id \gset
SELECT is(jsonb_build_object('status', :'inv_bob'::jsonb -> 'status',
                             'user_id', :'inv_bob'::jsonb -> 'body' -> 'user_id',
                             'invited_by', :'inv_bob'::jsonb -> 'body' -> 'invited_by' -> 'user_id',
                             'org', :'inv_bob'::jsonb -> 'body' -> 'org' -> 'org_id',
                             'status_of_invite', :'inv_bob'::jsonb -> 'body' -> 'status'),
          jsonb_build_object('status', 200, 'user_id', 'bob', 'invited_by', 'alice', 'org', :'acme', 'status_of_invite', 'pending'),
          'POST /rpc/invite_user: 200 with the org_invite_record, nested records as objects');
SELECT matches(:'inv_bob_id'::text, '^iv_[0-9a-f]{32}$', 'invite_id is iv_ and 32 hex digits');
SELECT is(pg_temp.outcome('POST', 'invite_user', jsonb_build_object('org', :'acme', 'invited_user_id', 'bob'), :'alice'), '409 23505',
          'a second pending invite: 409');
SELECT is(pg_temp.outcome('POST', 'invite_user', jsonb_build_object('org', :'acme', 'invited_user_id', 'nobody'), :'alice'), '404 PT404',
          'inviting an unknown user: 404');
SELECT is(pg_temp.outcome('POST', 'invite_user', jsonb_build_object('org', :'acme', 'invited_user_id', 'carol'), :'bob'), '403 42501',
          'inviting as a non-member: 403');
SELECT is(jsonb_array_length(pg_temp.req('GET', 'org_invites', jsonb_build_object('org', :'acme'), :'alice') -> 'body'), 1,
          'GET /rpc/org_invites: the pending invite');
SELECT is(pg_temp.outcome('GET', 'org_invites', jsonb_build_object('org', :'acme'), :'bob'), '403 42501', 'org_invites by a non-member: 403');
-- (the invitee is no member yet, so the org's metadata shows as NULL: compare the rest)
SELECT is(pg_temp.req('GET', 'get_invite', jsonb_build_object('invite_id', :'inv_bob_id'), :'bob') -> 'body'
            #- '{org,public_metadata}' #- '{org,private_metadata}',
          :'inv_bob'::jsonb -> 'body' #- '{org,public_metadata}' #- '{org,private_metadata}', 'GET /rpc/get_invite by the invitee');
SELECT is(pg_temp.outcome('GET', 'get_invite', jsonb_build_object('invite_id', :'inv_bob_id'), :'carol'), '403 42501',
          'get_invite by someone else: 403');
SELECT is(pg_temp.outcome('GET', 'get_invite', '{"invite_id": "iv_00000000000000000000000000000000"}', :'bob'), '404 PT404',
          'get_invite of an unknown invite: 404');
SELECT is(pg_temp.outcome('POST', 'accept_invite', jsonb_build_object('invite_id', :'inv_bob_id'), :'carol'), '403 42501',
          'accept_invite by someone else: 403');
SELECT pg_temp.pgrst('POST', 'accept_invite', jsonb_build_object('invite_id', :'inv_bob_id'), :'bob') AS accepted \gset
SELECT is(jsonb_build_object('status', :'accepted'::jsonb -> 'status', 'user', :'accepted'::jsonb -> 'body' -> 'user' -> 'user_id',
                             'org', :'accepted'::jsonb -> 'body' -> 'org' -> 'org_id', 'roles', :'accepted'::jsonb -> 'body' -> 'roles'),
          jsonb_build_object('status', 200, 'user', 'bob', 'org', :'acme', 'roles', jsonb_build_array('user')),
          'POST /rpc/accept_invite: 200 with the org_user_record, roles a JSON array');
SELECT is(pg_temp.outcome('POST', 'accept_invite', jsonb_build_object('invite_id', :'inv_bob_id'), :'bob'), '400 22023',
          'accepting twice: 400');

SELECT pg_temp.pgrst('POST', 'invite_user', jsonb_build_object('org', :'acme', 'invited_user_id', 'carol'), :'alice') -> 'body' ->> 'invite_id'
  AS inv_carol \gset
SELECT is(pg_temp.req('POST', 'decline_invite', jsonb_build_object('invite_id', :'inv_carol'), :'carol'),
          '{"status": 204, "body": null}', 'POST /rpc/decline_invite: 204 No Content');
SELECT is(pg_temp.outcome('POST', 'decline_invite', jsonb_build_object('invite_id', :'inv_carol'), :'carol'), '400 22023',
          'declining twice: 400');
SELECT pg_temp.pgrst('POST', 'invite_user', jsonb_build_object('org', :'acme', 'invited_user_id', 'carol'), :'alice') -> 'body' ->> 'invite_id'
  AS inv_carol2 \gset
SELECT is(pg_temp.outcome('POST', 'revoke_invite', jsonb_build_object('invite_id', :'inv_carol2'), :'carol'), '403 42501',
          'revoke_invite by the invitee: 403');
SELECT is(pg_temp.outcome('POST', 'revoke_invite', jsonb_build_object('invite_id', :'inv_carol2'), :'alice'), '204',
          'POST /rpc/revoke_invite by an admin: 204');

--------------------------------------------------------------------------------
-- Members and roles
--------------------------------------------------------------------------------
SELECT is(pg_temp.req('GET', 'org_users', jsonb_build_object('org', :'acme'), :'bob') -> 'body' @? '$[*] ? (@.user.user_id == "bob" && @.roles[0] == "user")',
          true, 'GET /rpc/org_users: members with nested user and roles');
SELECT is(jsonb_array_length(pg_temp.req('GET', 'org_users', jsonb_build_object('org', :'acme'), :'bob') -> 'body'), 2,
          'org_users lists both members');
SELECT is(pg_temp.outcome('GET', 'org_users', jsonb_build_object('org', :'acme'), :'carol'), '403 42501', 'org_users by a non-member: 403');
SELECT is(pg_temp.req('POST', 'add_role_for_user', jsonb_build_object('org', :'acme', 'user_id', 'bob', 'role', 'admin'), :'alice') -> 'body' ->> 'org_id',
          :'acme', 'POST /rpc/add_role_for_user: 200 with the org_record');
SELECT is(pg_temp.outcome('POST', 'add_role_for_user', jsonb_build_object('org', :'acme', 'user_id', 'bob', 'role', 'owner'), :'bob'), '403 42501',
          'an admin cannot grant owner: 403');
SELECT is(pg_temp.outcome('POST', 'add_role_for_user', jsonb_build_object('org', :'acme', 'user_id', 'carol', 'role', 'user'), :'alice'), '404 PT404',
          'add_role_for_user for a non-member: 404');
SELECT is(pg_temp.outcome('POST', 'add_role_for_user', jsonb_build_object('org', :'acme', 'user_id', 'bob', 'role', 'king'), :'alice'), '400 22P02',
          'an unknown role: 400 (22P02)');
SELECT is(pg_temp.req('POST', 'update_org_user', jsonb_build_object('org', :'acme', 'user_id', 'bob', 'add_roles', jsonb_build_array('owner')), :'alice')
            -> 'body' -> 'roles', '["user", "admin", "owner"]',
          'POST /rpc/update_org_user {"add_roles": ["owner"]}: a JSON array becomes org_role_name[]');
SELECT is(pg_temp.outcome('POST', 'update_org_user', jsonb_build_object('org', :'acme', 'user_id', 'bob'), :'alice'), '400 22023',
          'update_org_user with neither list: 400 (check_some_updates_present)');
SELECT is(pg_temp.req('POST', 'remove_role_from_user', jsonb_build_object('org', :'acme', 'user_id', 'bob', 'role', 'owner'), :'alice') ->> 'status',
          '200', 'POST /rpc/remove_role_from_user: 200');
SET LOCAL client_min_messages = error;  -- modify_role_for_user() warns that it is deprecated
SELECT is(pg_temp.req('POST', 'modify_role_for_user', jsonb_build_object('org', :'acme', 'user_id', 'bob', 'role_name', 'admin'), :'alice')
            -> 'body' -> 'roles', '["admin"]', 'POST /rpc/modify_role_for_user (deprecated): the roles are exactly the one given');
RESET client_min_messages;
SELECT is(pg_temp.req('POST', 'update_org', jsonb_build_object('org', :'acme', 'name', 'Acme Robotics'), :'bob') -> 'body' ->> 'name',
          'Acme Robotics', 'POST /rpc/update_org {"name"} by an admin: 200');
SELECT is(pg_temp.outcome('POST', 'update_org', jsonb_build_object('org', :'acme', 'status', 'de-provisioning'), :'bob'), '403 42501',
          'a status change by an admin: 403');
SELECT is(pg_temp.outcome('POST', 'update_org', jsonb_build_object('org', :'acme', 'status', 'provisioning'), :'alice'), '400 23514',
          'a status move backwards: 400 (23514)');
SELECT is(pg_temp.outcome('POST', 'update_org', jsonb_build_object('org', :'acme'), :'alice'), '400 22023', 'update_org without a change: 400');
SELECT is(pg_temp.outcome('POST', 'remove_user', jsonb_build_object('org', :'acme', 'user_id', 'alice'), :'alice'), '400 23514',
          'removing the last owner: 400 (23514)');
SELECT is(pg_temp.req('POST', 'remove_user', jsonb_build_object('org', :'acme', 'user_id', 'bob'), :'bob') -> 'body' ->> 'org_id', :'acme',
          'POST /rpc/remove_user of oneself: 200 with the org_record');

--------------------------------------------------------------------------------
-- Tiers, events, RLS helpers, identity
--------------------------------------------------------------------------------
SELECT is(pg_temp.req('POST', 'set_org_tier', jsonb_build_object('org', :'acme', 'tier', 'premium'), :'service') -> 'body' ->> 'tier', 'premium',
          'POST /rpc/set_org_tier as the service: 200');
SELECT is(pg_temp.outcome('POST', 'set_org_tier', jsonb_build_object('org', :'acme', 'tier', 'free'), :'alice'), '403 42501',
          'set_org_tier as an owner: 403');
SELECT is(pg_temp.req('GET', 'org_events', jsonb_build_object('org', :'acme', 'max_rows', 2), :'alice') -> 'body' @? '$.size() ? (@ == 2)',
          true, 'GET /rpc/org_events?max_rows=2: two events');
SELECT is(pg_temp.req('GET', 'org_events', jsonb_build_object('org', :'acme'), :'alice') -> 'body' -> 0 ->> 'kind', 'org.created',
          'org_events starts with org.created');
SELECT is(pg_temp.outcome('GET', 'org_events', jsonb_build_object('org', :'acme'), :'bob'), '403 42501',
          'org_events by a former member: 403');
SELECT is(pg_temp.outcome('GET', 'org_events', jsonb_build_object('org', :'acme'), :'carol'), '403 42501',
          'org_events by a user who never was a member: 403');
SELECT is(pg_temp.outcome('GET', 'org_events', jsonb_build_object('org', :'acme', 'max_rows', 0), :'alice'), '400 22023',
          'org_events with max_rows 0: 400');
SELECT is(pg_temp.outcome('GET', 'org_events', jsonb_build_object('org', :'acme'), :'service'), '200',
          'org_events as the service');
SELECT is(pg_temp.req('GET', 'is_member', jsonb_build_object('org', :'acme'), :'alice'), '{"status": 200, "body": true}',
          'GET /rpc/is_member: a JSON boolean');
SELECT is(pg_temp.req('GET', 'is_member', jsonb_build_object('org', :'acme'), :'bob'), '{"status": 200, "body": false}',
          'is_member of a former member: false');
SELECT is(pg_temp.req('GET', 'has_role', jsonb_build_object('org', :'acme', 'role', 'owner'), :'alice'), '{"status": 200, "body": true}',
          'GET /rpc/has_role');
SELECT is(pg_temp.req('GET', 'caller_id', '{}', :'alice'), '{"status": 200, "body": "alice"}', 'GET /rpc/caller_id: the sub claim');
SELECT is(pg_temp.req('GET', 'caller_id', '{}', '{"role": "authenticated", "sub": ""}'), '{"status": 200, "body": null}',
          'an empty sub claim is anonymous');
SELECT is(pg_temp.req('GET', 'is_trusted_service', '{}', :'service'), '{"status": 200, "body": true}', 'is_trusted_service as the service');
SELECT is(pg_temp.req('GET', 'is_trusted_service', '{}', :'alice'), '{"status": 200, "body": false}', 'is_trusted_service as a user');

-- A value of roboto_orgs.user_id (a role or database default, which PostgREST
-- applies too) never names the caller of a request: the claims alone do
SET LOCAL roboto_orgs.user_id = 'alice';
SELECT is(pg_temp.req('GET', 'caller_id', '{}', :'nosub'), '{"status": 200, "body": null}',
          'claims without sub are anonymous even with roboto_orgs.user_id set');
SELECT is(pg_temp.outcome('GET', 'orgs_for_self', '{}', :'nosub'), '403 42501', 'and such a request gets 403');
SELECT is(pg_temp.outcome('GET', 'orgs_for_self', '{}', NULL), '401 42501', 'an anonymous request gets 401');
RESET roboto_orgs.user_id;

-- roboto_orgs.jwt_claim = email: deployments whose user ids are emails
SELECT is(pg_temp.outcome('POST', 'create_user', '{"user_id": "erin@acme.test", "email": "erin@acme.test"}', :'service'), '200',
          'a user whose id is an email');
SET LOCAL roboto_orgs.jwt_claim = 'email';
SELECT is(pg_temp.req('GET', 'caller_id', '{}', '{"role": "authenticated", "sub": "123", "email": "erin@acme.test"}'),
          '{"status": 200, "body": "erin@acme.test"}', 'jwt_claim = email: the email claim names the caller');
SELECT is(pg_temp.outcome('POST', 'create_org', '{"name": "Erin Co"}', '{"role": "authenticated", "sub": "123", "email": "erin@acme.test"}'),
          '200', 'and that caller creates an org');
SELECT is(pg_temp.outcome('POST', 'create_org', '{"name": "No Email Co"}', '{"role": "authenticated", "sub": "alice"}'),
          '403 42501', 'jwt_claim = email: a JWT without email is anonymous, whatever its sub');
RESET roboto_orgs.jwt_claim;

--------------------------------------------------------------------------------
-- Deletion
--------------------------------------------------------------------------------
CREATE TABLE public.projects (id int PRIMARY KEY, org_id text NOT NULL REFERENCES roboto_orgs.orgs (org_id));
INSERT INTO public.projects VALUES (1, :'beta');
SELECT is(pg_temp.outcome('POST', 'delete_org', jsonb_build_object('org', :'beta'), :'alice'), '409 23503',
          'delete_org while an app''s table references the org: 409');
DELETE FROM public.projects;
SELECT is(pg_temp.outcome('POST', 'delete_org', jsonb_build_object('org', :'beta'), :'bob'), '403 42501', 'delete_org by a non-owner: 403');
SELECT is(pg_temp.req('POST', 'delete_org', jsonb_build_object('org', :'beta'), :'alice'), '{"status": 204, "body": null}',
          'POST /rpc/delete_org by the owner: 204');
SELECT is(pg_temp.outcome('GET', 'get_org', jsonb_build_object('org', :'beta'), :'alice'), '404 PT404', 'the deleted org: 404');

--------------------------------------------------------------------------------
-- Every API function (from the catalog, so later ones are covered too)
--------------------------------------------------------------------------------
-- A plausible value for each argument, so that requests get past argument checks
CREATE FUNCTION pg_temp.plausible_args(f regprocedure, org text) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT COALESCE(jsonb_object_agg(a.name,
    CASE
      WHEN a.name = 'org' THEN to_jsonb(org)
      WHEN t.typtype = 'e' THEN to_jsonb((SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder LIMIT 1))
      WHEN et.typtype = 'e' THEN jsonb_build_array((SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = et.oid ORDER BY e.enumsortorder DESC LIMIT 1))
      WHEN t.oid = 'boolean'::regtype THEN 'false'
      WHEN t.typcategory = 'N' THEN '1'
      WHEN a.name LIKE '%domain%' THEN '"example.com"'
      ELSE '"alice"'
    END), '{}')
  FROM pg_temp.pgrst_args(f) a JOIN pg_type t ON t.oid = a.typ LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
  WHERE a.name IS NOT NULL
$$;
CREATE FUNCTION pg_temp.table_digest() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  t regclass;
  d text := '';
BEGIN
  FOR t IN SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'roboto_orgs'::regnamespace AND c.relkind = 'r' ORDER BY c.relname LOOP
    EXECUTE format('SELECT %L || md5(COALESCE(string_agg(r::text, E''\n'' ORDER BY r::text), '''')) FROM %s r', t::text, t) INTO STRICT d;
  END LOOP;
  RETURN d;
END
$$;
SELECT pg_temp.table_digest() AS digest_before \gset
SET LOCAL client_min_messages = error;

SELECT is(ARRAY(SELECT f::text || ' ' || (pg_temp.pgrst('POST', p.proname, pg_temp.plausible_args(f, :'acme'), NULL, true) ->> 'status')
                FROM unnest(roboto_orgs.api_functions()) f JOIN pg_proc p ON p.oid = f
                WHERE pg_temp.callable(f) AND NOT pg_temp.pure(f) ORDER BY 1),
          ARRAY(SELECT f::text || ' 401' FROM unnest(roboto_orgs.api_functions()) f
                WHERE pg_temp.callable(f) AND NOT pg_temp.pure(f) ORDER BY 1),
          'every API function that touches data: an anonymous request (the anon role) gets 401');
SELECT is(ARRAY(SELECT f::text || ' ' || (r ->> 'status') || ' ' || (r -> 'body')::text
                FROM unnest(roboto_orgs.api_functions()) f JOIN pg_proc p ON p.oid = f,
                     pg_temp.pgrst('POST', p.proname, pg_temp.plausible_args(f, :'acme'), :'nosub', true) r
                WHERE pg_temp.callable(f) AND NOT pg_temp.pure(f) AND NOT ((r ->> 'status')::int BETWEEN 400 AND 499)
                  AND NOT ((r ->> 'status') = '200' AND r -> 'body' IN ('null', 'false', '[]'))),
          '{}'::text[],
          'every API function that touches data: an authenticated role without a caller gets a 4xx error, or nothing (null, false, [])');
SELECT is(ARRAY(SELECT f::text FROM unnest(roboto_orgs.api_functions()) f JOIN pg_proc p ON p.oid = f,
                     pg_temp.pgrst('GET', p.proname, pg_temp.plausible_args(f, :'acme'), :'alice', true) r
                WHERE pg_temp.callable(f) AND p.provolatile <> 'v' AND ((r ->> 'status')::int >= 500 OR r -> 'body' ->> 'code' = '25006')),
          '{}'::text[],
          'every STABLE API function answers a GET (READ ONLY) without 405 or 5xx');
RESET client_min_messages;
SELECT is(pg_temp.table_digest(), :'digest_before', 'none of these requests changed a table');

-- Which API functions this file has not seen answer 2xx (not an error: the
-- sections above cover those there were when it was written)
SELECT diag('API functions without a successful request in this file: ' || string_agg(f::text, ', '))
FROM unnest(roboto_orgs.api_functions()) f JOIN pg_proc p ON p.oid = f
WHERE NOT EXISTS (SELECT FROM pg_temp.pgrst_log l WHERE l.fn = p.proname AND l.status < 300)
HAVING count(*) > 0;

SELECT * FROM finish();
ROLLBACK;
