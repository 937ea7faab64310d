-- Email domains as claims (0.3.0, issue 13): a pending claim reserves
-- nothing and joins nobody; ownership is proven by a DNS token and
-- verify_email_domain; verifying drops the other orgs' claims (logged);
-- public suffixes are refused (libpsl); how claims count against the tier's
-- limit; errors echo bounded input.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(55);

CREATE FUNCTION pg_temp.roles_of(org_id text, user_id text) RETURNS text LANGUAGE sql SECURITY DEFINER AS $$
  SELECT m.roles::text FROM roboto_orgs.org_members m WHERE m.org_id = $1 AND m.user_id = $2
$$;
-- The bindings of a domain: org name, verified, has a token; ordered by org name
CREATE FUNCTION pg_temp.bindings_of(domain text) RETURNS TABLE (org text, verified boolean, has_token boolean)
  LANGUAGE sql SECURITY DEFINER AS $$
  SELECT o.name, d.verified, d.verification_token IS NOT NULL
  FROM roboto_orgs.org_email_domains d JOIN roboto_orgs.orgs o ON o.org_id = d.org_id
  WHERE d.email_domain::text = domain ORDER BY o.name
$$;
CREATE FUNCTION pg_temp.token_of(org_id text, domain text) RETURNS text LANGUAGE sql SECURITY DEFINER AS $$
  SELECT d.verification_token FROM roboto_orgs.org_email_domains d
  WHERE d.org_id = $1 AND d.email_domain::text = $2
$$;
CREATE FUNCTION pg_temp.events_of(org_id text, kind text) RETURNS bigint LANGUAGE sql SECURITY DEFINER AS $$
  SELECT count(*) FROM roboto_orgs.events e WHERE e.org_id = $1 AND e.kind = $2
$$;

CREATE ROLE roboto_claims_service NOLOGIN;
SELECT roboto_orgs.grant_api_access('roboto_claims_service') IS NOT NULL AS _ok \gset
SET roboto_orgs.service_role = 'roboto_claims_service';

SET ROLE roboto_claims_service;
SELECT roboto_orgs.create_user('mallory', 'mallory@squat.example') IS NOT NULL AS _ok \gset
SELECT roboto_orgs.create_user('trent', 'trent@other.example') IS NOT NULL AS _ok \gset
SELECT roboto_orgs.create_user('vic', 'vic@gmail.com') IS NOT NULL AS _ok \gset
RESET ROLE;
-- No limit while the claim rules are tested; the limit has its own section
UPDATE roboto_orgs.tier_limits SET max_email_domains = NULL WHERE tier = 'free';

SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'mallory';
SELECT org_id AS squat FROM roboto_orgs.create_org('Squatter') \gset
SET roboto_orgs.user_id = 'trent';
SELECT org_id AS other FROM roboto_orgs.create_org('Other') \gset
SET roboto_orgs.user_id = 'vic';
SELECT org_id AS victim FROM roboto_orgs.create_org('Victim') \gset

--------------------------------------------------------------------------------
-- A pending claim reserves nothing
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'mallory';
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'squat', 'Victim.Example'),
  'a squatter claims a domain it does not own');
SET roboto_orgs.user_id = 'trent';
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'other', 'victim.example.'),
  'a second org claims the same domain (another spelling): no 23505');
SET roboto_orgs.user_id = 'vic';
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'victim', 'victim.example'),
  'the real owner claims it too: the squatter''s claim blocks nobody');
SELECT results_eq($$SELECT * FROM pg_temp.bindings_of('victim.example')$$,
  $$VALUES ('Other', false, true), ('Squatter', false, true), ('Victim', false, true)$$,
  'three pending claims on one domain, each with a token');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'victim', 'VICTIM.example'), '23505',
  format('email domain "victim.example" is already bound to org "%s"', :'victim'),
  'claiming it twice in one org: 23505 naming this org');

SELECT matches(pg_temp.token_of(:'victim', 'victim.example'), '^rv_[0-9a-f]{32}$',
  'a token is rv_ and 128 random bits in hex');
SELECT is((SELECT count(DISTINCT d.verification_token)::int FROM roboto_orgs.email_domain_bindings(:'victim') d), 1,
  'the org''s admins see their token in email_domain_bindings()');
SELECT is((SELECT d.verification_token FROM roboto_orgs.email_domain_bindings(:'victim') d WHERE d.email_domain::text = 'victim.example'),
  pg_temp.token_of(:'victim', 'victim.example'), 'the token shown is the claim''s');
SELECT isnt(pg_temp.token_of(:'squat', 'victim.example'), pg_temp.token_of(:'victim', 'victim.example'),
  'each claim has a token of its own: one org''s token does not verify another''s claim');
SELECT is((SELECT array_agg(u.x ORDER BY u.n) FROM pg_proc p, unnest(p.proargnames, p.proargmodes::text[]) WITH ORDINALITY u(x, m, n)
           WHERE p.oid = 'roboto_orgs.email_domain_bindings(text)'::regprocedure AND u.m = 't'),
  ARRAY['email_domain', 'verified', 'verification_token', 'bound_by', 'created']::text[],
  'email_domain_bindings(org) returns (email_domain, verified, verification_token, bound_by, created)');

SET ROLE roboto_claims_service;
SELECT roboto_orgs.create_user('wendy', 'wendy@victim.example') IS NOT NULL AS _ok \gset
RESET ROLE;
SELECT is((SELECT count(*) FROM roboto_orgs.org_members WHERE user_id = 'wendy'), 0::bigint,
  'a pending claim makes nobody join, whichever org holds it');

--------------------------------------------------------------------------------
-- verify_email_domain: the trusted service, after its DNS check
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'vic';
SELECT throws_ok(format('SELECT roboto_orgs.verify_email_domain(%L, %L)', :'victim', 'victim.example'), '42501', NULL,
  'an org owner cannot verify its own claim: 42501');
RESET roboto_orgs.user_id;
SET ROLE roboto_claims_service;
SELECT is((SELECT d.verification_token FROM roboto_orgs.email_domain_bindings(:'victim') d WHERE d.email_domain::text = 'victim.example'),
  pg_temp.token_of(:'victim', 'victim.example'), 'the trusted service (no caller) reads the token to look for in DNS');
SELECT is((roboto_orgs.verify_email_domain(:'victim', 'victim.example')).name, 'Victim', 'the trusted service verifies the real owner''s claim');
RESET ROLE;
SELECT results_eq($$SELECT * FROM pg_temp.bindings_of('victim.example')$$,
  $$VALUES ('Victim', true, false)$$,
  'the other orgs'' pending claims are gone; the verified binding has no token left');
SELECT is(pg_temp.events_of(:'squat', 'domain.claim_dropped'), 1::bigint, 'the squatter''s dropped claim is logged (domain.claim_dropped)');
SELECT is(pg_temp.events_of(:'other', 'domain.claim_dropped'), 1::bigint, 'so is the other org''s');
SELECT is(pg_temp.events_of(:'victim', 'domain.verified'), 1::bigint, 'the verification is logged (domain.verified)');
SELECT is(pg_temp.events_of(:'victim', 'domain.updated'), 0::bigint, 'clearing the token is part of domain.verified, not an update');
SET ROLE roboto_claims_service;
SELECT lives_ok(format('SELECT roboto_orgs.verify_email_domain(%L, %L)', :'victim', 'victim.example'), 'verifying again changes nothing');
SELECT roboto_orgs.create_user('xena', 'xena@victim.example') IS NOT NULL AS _ok \gset
RESET ROLE;
SELECT is(pg_temp.roles_of(:'victim', 'xena'), '{user}', 'after verification, a sign-up joins the verified org');
SELECT is((SELECT count(*) FROM roboto_orgs.org_members WHERE user_id = 'xena'), 1::bigint, '... and that org only');

SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'mallory';
SELECT pg_temp.fingerprint() AS before \gset
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'squat', 'victim.example'), '23505',
  'email domain "victim.example" is already bound to another org',
  'claiming a domain another org holds verified: 23505, the org not named');
RESET roboto_orgs.user_id;
SET ROLE roboto_claims_service;
SELECT throws_ok(format('SELECT roboto_orgs.verify_email_domain(%L, %L)', :'squat', 'victim.example'), '23505', NULL,
  'verifying for another org a domain verified elsewhere: 23505');
RESET ROLE;
SELECT is(pg_temp.fingerprint(), :'before', 'the refused calls wrote nothing');

--------------------------------------------------------------------------------
-- Verified at once by the caller's own address; that drops the other claims too
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'mallory';
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'squat', 'other.example'), 'the squatter claims trent''s domain');
SET roboto_orgs.user_id = 'trent';
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'other', 'other.example'), 'trent binds his own email domain');
RESET ROLE;
SELECT results_eq($$SELECT * FROM pg_temp.bindings_of('other.example')$$, $$VALUES ('Other', true, false)$$,
  'his own address proves it: verified at once, the squatter''s claim dropped');
SELECT is(pg_temp.events_of(:'squat', 'domain.claim_dropped'), 2::bigint, '... and logged');


--------------------------------------------------------------------------------
-- Public suffixes (libpsl, both sections of the list)
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'mallory';
SELECT pg_temp.fingerprint() AS before \gset
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'squat', 'co.uk'), '22023',
  'email domain "co.uk" is a public suffix', 'co.uk (ICANN section): 22023');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'squat', 'COM.au.'), '22023',
  'email domain "com.au" is a public suffix', 'com.au, any spelling: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'squat', 'github.io'), '22023',
  'email domain "github.io" is a public suffix', 'github.io (private section): 22023');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'squat', 'blogspot.com'), '22023', NULL,
  'blogspot.com (private section): 22023');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'squat', '公司.cn'), '22023', NULL,
  'an internationalised public suffix (公司.cn, stored as punycode): 22023');
SELECT is(pg_temp.fingerprint(), :'before', 'refused public suffixes wrote nothing');
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'squat', 'acme.co.uk'), 'a name under co.uk can be claimed');
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'squat', 'mallory.github.io'), 'a name under github.io can be claimed');
RESET ROLE;
-- a claim on a public suffix made another way (e.g. before 0.3.0) cannot be verified
INSERT INTO roboto_orgs.org_email_domains (email_domain, org_id, verified, verification_token)
  VALUES ('com.au', :'squat', false, 'rv_00000000000000000000000000000000');
SET ROLE roboto_claims_service;
SELECT throws_ok(format('SELECT roboto_orgs.verify_email_domain(%L, %L)', :'squat', 'com.au'), '22023',
  'email domain "com.au" is a public suffix', 'verifying a public suffix: 22023');
SELECT roboto_orgs.create_user('pat', 'pat@github.io') IS NOT NULL AS _ok \gset
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'pat';
SELECT throws_ok($$SELECT roboto_orgs.create_org('Pat Pages', bind_email_domain => true)$$, '22023',
  'email domain "github.io" is a public suffix', 'create_org binding a creator''s public-suffix domain: 22023');
RESET ROLE;

--------------------------------------------------------------------------------
-- Tier limit: claims count against their own org's max_email_domains only
--------------------------------------------------------------------------------
UPDATE roboto_orgs.tier_limits SET max_email_domains = 1 WHERE tier = 'free';
SET ROLE roboto_claims_service;
SELECT roboto_orgs.create_user('lena', 'lena@lena.example') IS NOT NULL AS _ok \gset
SELECT roboto_orgs.create_user('lars', 'lars@lars.example') IS NOT NULL AS _ok \gset
SELECT roboto_orgs.create_user('lisa', 'lisa@lisa.example') IS NOT NULL AS _ok \gset
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'lena';
SELECT org_id AS lena FROM roboto_orgs.create_org('Lena') \gset
SET roboto_orgs.user_id = 'lars';
SELECT org_id AS lars FROM roboto_orgs.create_org('Lars') \gset
SET roboto_orgs.user_id = 'lisa';
SELECT org_id AS lisa FROM roboto_orgs.create_org('Lisa') \gset

SET roboto_orgs.user_id = 'lars';
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'lars', 'lena.example'), 'Lars (free, 1 domain) claims Lena''s domain');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'lars', 'lars.example'), '23514',
  format('org "%s" cannot bind another email domain', :'lars'),
  'a pending claim counts against its own org''s limit: Lars cannot bind a second domain');
SET roboto_orgs.user_id = 'lisa';
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'lisa', 'lena.example'), 'Lisa claims it too');
SET roboto_orgs.user_id = 'lena';
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'lena', 'lena.example'),
  'Lena still binds her domain: other orgs'' claims never count against her limit');
RESET ROLE;
SELECT results_eq($$SELECT * FROM pg_temp.bindings_of('lena.example')$$, $$VALUES ('Lena', true, false)$$,
  'verified (her own address); the claims are dropped');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'lars';
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'lars', 'lars.example'),
  'the dropped claim freed Lars''s room: he binds his own domain');
SET roboto_orgs.user_id = 'lena';
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'lena', 'lena-two.example'), '23514', NULL,
  'Lena''s verified binding counts against her limit');
RESET ROLE;

--------------------------------------------------------------------------------
-- Input echoed in errors is bounded (64 characters, then …)
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'lena';
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  m text; d text; h text;
BEGIN
  EXECUTE q;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
  RETURN concat_ws(' | ', m, NULLIF(d, ''), NULLIF(h, ''));
END
$$;
SELECT cmp_ok(length(pg_temp.error_of(format('SELECT roboto_orgs.get_org(%L)', repeat('a', 1048576)))), '<', 300,
  'get_org with a 1 MB id: a short error');
SELECT is(pg_temp.error_of(format('SELECT roboto_orgs.get_org(%L)', repeat('a', 1048576))),
  format('org "%s…" does not exist', repeat('a', 64)), '... the id cut at 64 characters, then …');
SELECT is(pg_temp.error_of(format('SELECT roboto_orgs.get_org(%L)', repeat('é', 100))),
  format('org "%s…" does not exist', repeat('é', 64)), 'cut on a character boundary (64 two-byte characters)');
SELECT is(pg_temp.error_of(format('SELECT roboto_orgs.get_org(%L)', repeat('b', 64))),
  format('org "%s" does not exist', repeat('b', 64)), 'an id of 64 characters is echoed whole');
SELECT cmp_ok(length(pg_temp.error_of(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'lena', repeat('x', 1048576)))), '<', 300,
  'bind_email_domain with a 1 MB domain: a short error');
SELECT cmp_ok(length(pg_temp.error_of(format('SELECT roboto_orgs.remove_user(%L, %L)', :'lena', repeat('u', 1048576)))), '<', 300,
  'remove_user with a 1 MB user id: a short error');
SELECT cmp_ok(length(pg_temp.error_of(format('SELECT roboto_orgs.get_invite(%L)', repeat('i', 1048576)))), '<', 300,
  'get_invite with a 1 MB id: a short error');
SET roboto_orgs.user_id = 'nobody-with-a-very-long-name-that-goes-on-and-on-and-on-past-sixty-four-characters';
SELECT is(pg_temp.error_of('SELECT roboto_orgs.create_org(''X'')'),
  'caller "nobody-with-a-very-long-name-that-goes-on-and-on-and-on-past-six…" is not a known user | Register the user with roboto_orgs.create_user() first.',
  'a long caller id is cut too');
RESET roboto_orgs.user_id;
SET ROLE roboto_claims_service;
SELECT cmp_ok(length(pg_temp.error_of(format('SELECT roboto_orgs.create_user(%L, %L)', 'lena', repeat('e', 1048576) || '@x'))), '<', 300,
  'create_user with a 1 MB email: a short error');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
