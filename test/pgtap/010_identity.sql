-- Who is calling: caller_id() (request.jwt.claims, roboto_orgs.jwt_claim,
-- roboto_orgs.user_id), the trusted service (superuser or a member of the role
-- named by roboto_orgs.service_role) and sign-up with create_user().
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(80);

-- A service role, and roles that are (not) members of it (the API role that
-- is not the trusted service is the fixture's roboto_test_api)
CREATE ROLE roboto_orgs_service NOLOGIN;
CREATE ROLE roboto_test_svc NOLOGIN IN ROLE roboto_orgs_service;
CREATE ROLE roboto_test_svc_noinherit NOLOGIN NOINHERIT IN ROLE roboto_orgs_service;
CREATE ROLE roboto_test_other_service NOLOGIN;
CREATE ROLE roboto_test_svc2 NOLOGIN IN ROLE roboto_test_other_service;
DO $$
BEGIN
  PERFORM roboto_orgs.grant_api_access(r)
  FROM unnest(ARRAY['roboto_test_api', 'roboto_test_svc', 'roboto_test_svc_noinherit', 'roboto_test_svc2']) r;
END
$$;

--------------------------------------------------------------------------------
-- caller_id()
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;

SELECT is(roboto_orgs.caller_id(), NULL, 'no claims, no user_id: caller_id() is NULL (anonymous)');

SET roboto_orgs.user_id = 'alice';
SELECT is(roboto_orgs.caller_id(), 'alice', 'roboto_orgs.user_id names the caller');

SET request.jwt.claims = '{"sub": "bob", "email": "bob@example.com"}';
SELECT is(roboto_orgs.caller_id(), 'bob', 'the sub claim of request.jwt.claims wins over roboto_orgs.user_id');

SET request.jwt.claims = '{"sub": ""}';
SELECT is(roboto_orgs.caller_id(), NULL, 'an empty sub claim is anonymous: the claims alone decide, roboto_orgs.user_id is not used');

SET request.jwt.claims = '{"sub": null}';
SELECT is(roboto_orgs.caller_id(), NULL, 'a null sub claim is anonymous');

SET request.jwt.claims = '{"email": "bob@example.com"}';
SELECT is(roboto_orgs.caller_id(), NULL, 'claims without sub are anonymous, whatever roboto_orgs.user_id says');

SET request.jwt.claims = '';
SELECT is(roboto_orgs.caller_id(), 'alice', 'empty request.jwt.claims counts as unset');

SET request.jwt.claims = '{"sub": 42}';
SELECT throws_ok('SELECT roboto_orgs.caller_id()', '22023', 'claim "sub" of request.jwt.claims is not a string',
                 'a numeric sub claim: 22023, not a caller named by its text');
SET request.jwt.claims = '{"sub": 1.0e2}';
SELECT throws_ok('SELECT roboto_orgs.caller_id()', '22023', NULL, 'a sub claim spelled 1.0e2: 22023 (never the caller "100")');
SET request.jwt.claims = '{"sub": true}';
SELECT throws_ok('SELECT roboto_orgs.caller_id()', '22023', NULL, 'a boolean sub claim: 22023');
SET request.jwt.claims = '{"sub": {"id": "alice"}}';
SELECT throws_ok('SELECT roboto_orgs.caller_id()', '22023', NULL, 'an object as sub claim: 22023');

SET request.jwt.claims = '[1, 2]';
SELECT throws_ok('SELECT roboto_orgs.caller_id()', '22023', 'request.jwt.claims is not a JSON object',
                 'claims that are not a JSON object: 22023');

SET request.jwt.claims = 'not json';
SELECT throws_ok('SELECT roboto_orgs.caller_id()', '22P02', NULL, 'claims that are not JSON: 22P02');

-- JSON that jsonb cannot hold (\u0000 in any claim) is refused like JSON
-- that does not parse, with the one documented SQLSTATE (not 22P05)
SET request.jwt.claims = '{"sub": "alice\u0000bob"}';
SELECT throws_ok('SELECT roboto_orgs.caller_id()', '22P02', 'request.jwt.claims is not valid JSON',
                 'claims with \u0000 in the sub claim: 22P02');
SET request.jwt.claims = '{"sub": "bob", "name": "\u0000"}';
SELECT throws_ok('SELECT roboto_orgs.is_member(''og_x'')', '22P02', 'request.jwt.claims is not valid JSON',
                 'claims with \u0000 in another claim: 22P02 from the RLS helpers too');

SET request.jwt.claims = '';
SET roboto_orgs.user_id = '';
SELECT is(roboto_orgs.caller_id(), NULL, 'empty roboto_orgs.user_id counts as unset: anonymous');

SELECT throws_ok($$SET roboto_orgs.jwt_claim = 'email'$$, '42501', NULL,
                 'an API role cannot change roboto_orgs.jwt_claim');
SELECT throws_ok($$SET roboto_orgs.service_role = 'roboto_test_api'$$, '42501', NULL,
                 'an API role cannot change roboto_orgs.service_role');

RESET ROLE;
SET roboto_orgs.jwt_claim = 'email';
SET ROLE roboto_test_api;
SET request.jwt.claims = '{"sub": "bob", "email": "bob@example.com"}';
SELECT is(roboto_orgs.caller_id(), 'bob@example.com', 'roboto_orgs.jwt_claim = email: the email claim names the caller');
SET request.jwt.claims = '{"sub": "bob"}';
SET roboto_orgs.user_id = 'alice';
SELECT is(roboto_orgs.caller_id(), NULL, 'roboto_orgs.jwt_claim = email, claims without email: anonymous');
RESET ROLE;
RESET roboto_orgs.jwt_claim;
RESET request.jwt.claims;
RESET roboto_orgs.user_id;

--------------------------------------------------------------------------------
-- The trusted service
--------------------------------------------------------------------------------
SELECT ok(roboto_orgs.is_trusted_service(), 'a superuser is the trusted service');
SET ROLE roboto_test_api;
SELECT ok(NOT roboto_orgs.is_trusted_service(), 'an API role outside roboto_orgs_service is not the trusted service');
RESET ROLE;
SET ROLE roboto_test_svc;
SELECT ok(roboto_orgs.is_trusted_service(), 'a member of roboto_orgs_service is the trusted service');
RESET ROLE;
SET ROLE roboto_test_svc_noinherit;
SELECT ok(NOT roboto_orgs.is_trusted_service(),
          'a NOINHERIT member of roboto_orgs_service (without its privileges) is not the trusted service');
RESET ROLE;

SET roboto_orgs.service_role = 'roboto_test_other_service';
SET ROLE roboto_test_svc;
SELECT ok(NOT roboto_orgs.is_trusted_service(), 'roboto_orgs.service_role renamed: old members are no longer trusted');
RESET ROLE;
SET ROLE roboto_test_svc2;
SELECT ok(roboto_orgs.is_trusted_service(), 'roboto_orgs.service_role renamed: members of the new role are trusted');
RESET ROLE;
SET roboto_orgs.service_role = 'roboto_test_no_such_role';
SET ROLE roboto_test_svc;
SELECT ok(NOT roboto_orgs.is_trusted_service(), 'roboto_orgs.service_role naming no role: nobody but superusers');
RESET ROLE;
SET roboto_orgs.service_role = '';
SET ROLE roboto_test_svc;
SELECT ok(NOT roboto_orgs.is_trusted_service(), 'empty roboto_orgs.service_role: nobody but superusers');
RESET ROLE;
SELECT ok(roboto_orgs.is_trusted_service(), 'empty roboto_orgs.service_role: a superuser still is');
RESET roboto_orgs.service_role;

--------------------------------------------------------------------------------
-- create_user(): the trusted service only
--------------------------------------------------------------------------------
SET ROLE roboto_test_svc;
SELECT is(
  roboto_orgs.create_user('alice@example.com', 'alice@example.com', 'Alice', 'https://example.com/a.png'),
  ROW('alice@example.com', 'alice@example.com', 'Alice', 'https://example.com/a.png', false, false)::roboto_orgs.user_record,
  'create_user() by a member of roboto_orgs_service returns the user_record');
SELECT is(
  roboto_orgs.create_user('robot', is_service_user => true, is_system_user => true),
  ROW('robot', NULL, NULL, NULL, true, true)::roboto_orgs.user_record,
  'create_user() with only a user_id and flags');
SELECT is(
  ARRAY(SELECT jsonb_object_keys(to_jsonb(roboto_orgs.create_user('carol', 'carol@example.com', 'Carol'))) ORDER BY 1),
  ARRAY['email', 'is_service_user', 'is_system_user', 'name', 'picture_url', 'user_id'],
  'to_jsonb(user_record) has the seed''s UserRecord keys');
SELECT is((roboto_orgs.create_user(repeat('u', 200))).user_id, repeat('u', 200), 'a user_id of 200 characters is accepted');
SELECT is((roboto_orgs.create_user('ü200', name => repeat('ü', 200))).name, repeat('ü', 200),
          'a name of 200 multibyte characters is accepted');
RESET ROLE;
SELECT is((roboto_orgs.create_user('bob', 'bob@example.com')).user_id, 'bob', 'create_user() by a superuser');
SELECT results_eq(
  $$SELECT user_id, email, name, is_service_user, is_system_user FROM roboto_orgs.users ORDER BY user_id$$,
  $$VALUES ('alice@example.com', 'alice@example.com', 'Alice', false, false),
           ('bob', 'bob@example.com', NULL, false, false),
           ('carol', 'carol@example.com', 'Carol', false, false),
           ('robot', NULL, NULL, true, true),
           (repeat('u', 200), NULL, NULL, false, false),
           ('ü200', NULL, repeat('ü', 200), false, false)$$,
  'create_user() wrote exactly the users');

SELECT pg_temp.fingerprint() AS fp \gset

SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice@example.com';
SELECT throws_ok($$SELECT roboto_orgs.create_user('mallory')$$, '42501', 'only the trusted service may create users',
                 'create_user() by an API role outside roboto_orgs_service: 42501, even with a known caller');
RESET roboto_orgs.user_id;
SELECT throws_ok($$SELECT roboto_orgs.create_user('mallory')$$, '42501', NULL,
                 'create_user() by an anonymous API role: 42501');
RESET ROLE;
SET ROLE roboto_test_svc_noinherit;
SELECT throws_ok($$SELECT roboto_orgs.create_user('mallory')$$, '42501', NULL,
                 'create_user() by a NOINHERIT member of roboto_orgs_service: 42501');
RESET ROLE;

SET ROLE roboto_test_svc;
SELECT throws_ok($$SELECT roboto_orgs.create_user(NULL)$$, '22004', NULL, 'create_user(NULL): 22004');
SELECT throws_ok($$SELECT roboto_orgs.create_user('x', is_service_user => NULL)$$, '22004', NULL,
                 'create_user() with a NULL is_service_user: 22004');
SELECT throws_ok($$SELECT roboto_orgs.create_user('x', is_system_user => NULL)$$, '22004', NULL,
                 'create_user() with a NULL is_system_user: 22004');
SELECT throws_ok($$SELECT roboto_orgs.create_user('')$$, '22023', 'user_id must not be empty or blank',
                 'create_user() with an empty user_id: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user(E' \t\n ')$$, '22023', NULL,
                 'create_user() with a white-space user_id: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user(repeat('u', 201))$$, '22023', 'user_id is longer than 200 characters',
                 'create_user() with a user_id over 200 characters: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user('x', name => '')$$, '22023', NULL,
                 'create_user() with an empty name: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user('x', name => '   ')$$, '22023', NULL,
                 'create_user() with a blank name: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user('x', name => repeat('n', 201))$$, '22023', NULL,
                 'create_user() with a name over 200 characters: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user('x', name => repeat('ü', 201))$$, '22023', NULL,
                 'create_user() with a name over 200 multibyte characters: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user('x', 'no-at-sign')$$, '22023', '"no-at-sign" is not an email address',
                 'create_user() with an email without @: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user('x', 'a@b@example.com')$$, '22023', NULL,
                 'create_user() with an email with two @: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user('x', '@example.com')$$, '22023', NULL,
                 'create_user() with an email with nothing before @: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user('x', 'x@')$$, '22023', NULL,
                 'create_user() with an email with nothing after @: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user('x', '')$$, '22023', NULL,
                 'create_user() with an empty email: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user('x', 'a b@example.com')$$, '22023', NULL,
                 'create_user() with white space in the email: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user('x', repeat('a', 310) || '@example.com')$$, '22023', NULL,
                 'create_user() with an email over 320 octets: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user('x', picture_url => repeat('p', 2049))$$, '22023', NULL,
                 'create_user() with a picture_url over 2048 octets: 22023');
SELECT throws_ok($$SELECT roboto_orgs.create_user('bob')$$, '23505', 'user "bob" already exists',
                 'create_user() with a taken user_id: 23505');
SELECT throws_ok($$SELECT roboto_orgs.create_user('bob', 'other@example.com', 'Other')$$, '23505', NULL,
                 'create_user() with a taken user_id and other details: 23505');
RESET ROLE;

SELECT is(pg_temp.fingerprint(), :'fp', 'the failed create_user() calls wrote nothing');

--------------------------------------------------------------------------------
-- orgs_for_user(): that user or the trusted service
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'alice@example.com';
SELECT (roboto_orgs.create_org('Alice Org')).org_id AS alice_org \gset
RESET roboto_orgs.user_id;

SET ROLE roboto_test_svc;
SELECT is(ARRAY(SELECT name FROM roboto_orgs.orgs_for_user('alice@example.com')), ARRAY['Alice Org'],
          'orgs_for_user() by the trusted service without a caller');
SELECT is(ARRAY(SELECT name FROM roboto_orgs.orgs_for_user('bob')), '{}'::text[],
          'orgs_for_user() by the trusted service: a user without orgs gives no rows');
SELECT throws_ok($$SELECT * FROM roboto_orgs.orgs_for_user('ghost')$$, 'PT404', 'user "ghost" does not exist',
                 'orgs_for_user() of an unknown user by the trusted service: PT404');
SELECT throws_ok($$SELECT * FROM roboto_orgs.orgs_for_user(NULL)$$, '22004', NULL, 'orgs_for_user(NULL): 22004');
RESET ROLE;

SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice@example.com';
SELECT is(ARRAY(SELECT name FROM roboto_orgs.orgs_for_user('alice@example.com')), ARRAY['Alice Org'],
          'orgs_for_user() of the caller themself by an API role outside roboto_orgs_service');
SELECT throws_ok($$SELECT * FROM roboto_orgs.orgs_for_user('bob')$$, '42501',
                 'only user "bob" or the trusted service may list the user''s orgs',
                 'orgs_for_user() of another user by an API role outside roboto_orgs_service: 42501');
SELECT throws_ok($$SELECT * FROM roboto_orgs.orgs_for_user('ghost')$$, '42501', NULL,
                 'orgs_for_user() of an unknown user by a caller who is not the trusted service: 42501');
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok($$SELECT * FROM roboto_orgs.orgs_for_user('alice@example.com')$$, '42501', NULL,
                 'orgs_for_user() of alice with caller bob: 42501');
SET request.jwt.claims = '{"sub": "alice@example.com"}';
SELECT is(ARRAY(SELECT name FROM roboto_orgs.orgs_for_user('alice@example.com')), ARRAY['Alice Org'],
          'orgs_for_user(): the JWT claim names the caller over roboto_orgs.user_id');
RESET request.jwt.claims;
RESET roboto_orgs.user_id;
SELECT throws_ok($$SELECT * FROM roboto_orgs.orgs_for_user('alice@example.com')$$, '42501', NULL,
                 'orgs_for_user() by an anonymous API role: 42501');
SELECT throws_ok($$SELECT * FROM roboto_orgs.orgs_for_user(NULL)$$, '22004', NULL,
                 'orgs_for_user(NULL) by an anonymous API role: 22004');
RESET ROLE;
SET ROLE roboto_test_svc_noinherit;
SELECT throws_ok($$SELECT * FROM roboto_orgs.orgs_for_user('alice@example.com')$$, '42501', NULL,
                 'orgs_for_user() by a NOINHERIT member of roboto_orgs_service: 42501');
RESET ROLE;
SET roboto_orgs.service_role = 'roboto_test_other_service';
SET ROLE roboto_test_svc2;
SELECT is(ARRAY(SELECT name FROM roboto_orgs.orgs_for_user('alice@example.com')), ARRAY['Alice Org'],
          'orgs_for_user() by a member of the role roboto_orgs.service_role names');
RESET ROLE;
SET ROLE roboto_test_svc;
SELECT throws_ok($$SELECT * FROM roboto_orgs.orgs_for_user('alice@example.com')$$, '42501', NULL,
                 'orgs_for_user() by a member of roboto_orgs_service once service_role names another role: 42501');
RESET ROLE;
RESET roboto_orgs.service_role;

--------------------------------------------------------------------------------
-- Anonymous callers fail with 42501 everywhere it matters
--------------------------------------------------------------------------------
SET ROLE roboto_test_svc;   -- even the trusted service needs a caller for these
SELECT throws_ok($$SELECT roboto_orgs.create_org('Anon Org')$$, '42501', 'anonymous caller is not allowed',
                 'create_org() by an anonymous trusted service: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.get_org(%L)', :'alice_org'), '42501', NULL, 'get_org() anonymous: 42501');
SELECT throws_ok($$SELECT * FROM roboto_orgs.orgs_for_self()$$, '42501', NULL, 'orgs_for_self() anonymous: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.update_org(%L, ''New'')', :'alice_org'), '42501', NULL, 'update_org() anonymous: 42501');
SELECT throws_ok(format('SELECT roboto_orgs.delete_org(%L)', :'alice_org'), '42501', NULL, 'delete_org() anonymous: 42501');
SELECT throws_ok(format('SELECT * FROM roboto_orgs.org_users(%L)', :'alice_org'), '42501', NULL, 'org_users() anonymous: 42501');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
