-- Email domain operations: bind_email_domain, verify_email_domain,
-- unbind_email_domain, email_domains, email_domain_bindings, binding on
-- create_org, auto-join on sign-up (create_user and direct inserts), the
-- webmail list, invariants 3 and 5 on the bindings table. Every success,
-- permission denial (as a non-superuser API role) and error; failed calls
-- write nothing.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(98);
-- Tier limits on bound domains are tested in lifecycle_limits.sql and at the
-- end of this file; here an org binds as many as it likes
UPDATE roboto_orgs.tier_limits SET max_email_domains = NULL WHERE tier = 'free';

-- Roles of user_id in org_id, as text (NULL for a non-member)
CREATE FUNCTION pg_temp.roles_of(org_id text, user_id text) RETURNS text LANGUAGE sql SECURITY DEFINER AS $$
  SELECT m.roles::text FROM roboto_orgs.org_members m WHERE m.org_id = $1 AND m.user_id = $2
$$;

-- A trusted service role (the API role is the fixture's roboto_test_api)
CREATE ROLE roboto_ed_service NOLOGIN;
SELECT roboto_orgs.grant_api_access('roboto_ed_service') IS NOT NULL AS _ok \gset
SET roboto_orgs.service_role = 'roboto_ed_service';

-- Users, signed up by the trusted service
SET ROLE roboto_ed_service;
SELECT roboto_orgs.create_user('alice', 'alice@acme.com') IS NOT NULL AS _ok \gset
SELECT roboto_orgs.create_user('eve', 'eve@Evil.io') IS NOT NULL AS _ok \gset
SELECT roboto_orgs.create_user('gina', 'gina@gmail.com') IS NOT NULL AS _ok \gset
SELECT roboto_orgs.create_user('nomail') IS NOT NULL AS _ok \gset
SELECT roboto_orgs.create_user('lou', 'lou@localhost') IS NOT NULL AS _ok \gset
SELECT roboto_orgs.create_user('uma', 'uma@acme.com') IS NOT NULL AS _ok \gset
RESET ROLE;

--------------------------------------------------------------------------------
-- create_org(..., bind_email_domain => true)
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT lives_ok($$SELECT roboto_orgs.create_org('Acme', bind_email_domain => true)$$,
  'create_org with bind_email_domain binds the creator''s domain');
RESET ROLE;
SELECT org_id AS acme FROM roboto_orgs.orgs WHERE name = 'Acme' \gset
SET ROLE roboto_test_api;
SELECT results_eq(
  format('SELECT email_domain::text, verified, bound_by FROM roboto_orgs.email_domain_bindings(%L)', :'acme'),
  $$VALUES ('acme.com', true, 'alice')$$,
  'the creator''s domain is bound, verified, by the creator');
SELECT is(pg_temp.roles_of(:'acme', 'uma'), NULL, 'binding does not add existing users with that domain');

SELECT pg_temp.fingerprint() AS before \gset
SET roboto_orgs.user_id = 'uma';
SELECT throws_ok($$SELECT roboto_orgs.create_org('Uma Inc', bind_email_domain => true)$$, '23505',
  'email domain "acme.com" is already bound to another org', 'create_org binding a bound domain: 23505');
SET roboto_orgs.user_id = 'gina';
SELECT throws_ok($$SELECT roboto_orgs.create_org('Gina Inc', bind_email_domain => true)$$, '22023',
  'email domain "gmail.com" is a public webmail domain', 'create_org binding a webmail domain: 22023');
SET roboto_orgs.user_id = 'nomail';
SELECT throws_ok($$SELECT roboto_orgs.create_org('Nomail Inc', bind_email_domain => true)$$, '22023',
  'user "nomail" has no email address whose domain could be bound', 'create_org binding without an email: 22023');
SET roboto_orgs.user_id = 'lou';
SELECT throws_ok($$SELECT roboto_orgs.create_org('Lou Inc', bind_email_domain => true)$$, '22023',
  'email address of user "lou" has no domain that can be bound', 'create_org binding an address without a valid domain: 22023');
RESET roboto_orgs.user_id;
SELECT throws_ok($$SELECT roboto_orgs.create_org('Anon Inc', bind_email_domain => true)$$, '42501', NULL,
  'create_org binding as an anonymous caller: 42501');
SELECT is(pg_temp.fingerprint(), :'before', 'failed create_org calls created no org, member or binding');

SET roboto_orgs.user_id = 'eve';
SELECT lives_ok($$SELECT roboto_orgs.create_org('Evil')$$, 'create_org without binding');
RESET ROLE;
SELECT org_id AS evil FROM roboto_orgs.orgs WHERE name = 'Evil' \gset
SET ROLE roboto_test_api;
SELECT is((SELECT count(*) FROM roboto_orgs.email_domains(:'evil')), 0::bigint, 'create_org without binding binds nothing');

--------------------------------------------------------------------------------
-- Auto-join on sign-up
--------------------------------------------------------------------------------
SET ROLE roboto_ed_service;
SELECT roboto_orgs.create_user('bob', 'Bob@ACME.com') IS NOT NULL AS _ok \gset
SELECT is(pg_temp.roles_of(:'acme', 'bob'), '{user}', 'create_user with a bound, verified domain joins the org as user');
RESET ROLE;
INSERT INTO roboto_orgs.users (user_id, email) VALUES ('erin', 'erin@acme.com.');
SELECT is(pg_temp.roles_of(:'acme', 'erin'), '{user}', 'a user inserted directly joins too (trigger)');
INSERT INTO roboto_orgs.users (user_id, email) VALUES ('frank', 'frank@mail.acme.com');
SELECT is(pg_temp.roles_of(:'acme', 'frank'), NULL, 'a subdomain of a bound domain joins nothing');
INSERT INTO roboto_orgs.users (user_id, email) VALUES ('gus', 'gus@acme.com.evil.io');
SELECT is(pg_temp.roles_of(:'acme', 'gus'), NULL, 'a look-alike suffix joins nothing');
INSERT INTO roboto_orgs.users (user_id, email) VALUES ('hal', 'not an address');
SELECT is((SELECT count(*) FROM roboto_orgs.org_members WHERE user_id = 'hal'), 0::bigint,
  'a user inserted with an email without a valid domain joins nothing, and is still inserted');

--------------------------------------------------------------------------------
-- bind_email_domain
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SELECT pg_temp.fingerprint() AS before \gset
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'acme', 'acme-labs.io'), '42501',
  format('user "bob" needs role admin in org "%s" to bind email domains', :'acme'), 'bind by a plain member: 42501');
SET roboto_orgs.user_id = 'eve';
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'acme', 'acme-labs.io'), '42501',
  format('user "eve" is not a member of org "%s"', :'acme'), 'bind by a non-member: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'acme', 'acme-labs.io'), '42501', NULL,
  'bind by an anonymous caller: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok($$SELECT roboto_orgs.bind_email_domain('og_nope', 'acme-labs.io')$$, 'PT404',
  'org "og_nope" does not exist', 'bind to no such org: PT404');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, NULL)', :'acme'), '22004', NULL, 'bind a NULL domain: 22004');
SELECT throws_ok($$SELECT roboto_orgs.bind_email_domain(NULL, 'acme-labs.io')$$, '22004', NULL, 'bind to a NULL org: 22004');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'acme', ''), '22023', NULL, 'bind an empty domain: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'acme', repeat('x', 1000000)), '22023', NULL,
  'bind a 1 MB domain: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'acme', 'alice@acme-labs.io'), '22P02', NULL,
  'bind an address: 22P02');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'acme', 'GMail.com.'), '22023',
  'email domain "gmail.com" is a public webmail domain', 'bind a webmail domain: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'acme', 'googlemail.com'), '22023', NULL,
  'bind a webmail provider''s alternate name: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'acme', 'eu.mail.yahoo.com'), '22023',
  'email domain "eu.mail.yahoo.com" is a public webmail domain', 'bind a subdomain of a webmail domain: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'acme', 'ACME.com.'), '23505',
  format('email domain "acme.com" is already bound to org "%s"', :'acme'), 'bind a domain bound to this org, another spelling: 23505');
SELECT is(pg_temp.fingerprint(), :'before', 'failed binds wrote nothing');

SELECT is((roboto_orgs.bind_email_domain(:'acme', 'Acme-Labs.IO')).org_id, :'acme', 'an admin binds another domain; the org is returned');
SELECT results_eq(
  format('SELECT email_domain::text, verified, bound_by FROM roboto_orgs.email_domain_bindings(%L)', :'acme'),
  $$VALUES ('acme-labs.io', false, 'alice'), ('acme.com', true, 'alice')$$,
  'a domain that is not the caller''s own waits unverified; bindings are ordered');
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'acme', 'bücher.de'), 'bind an internationalised domain');

SET roboto_orgs.user_id = 'eve';
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'evil', 'XN--BCHER-KVA.de'),
  'another org claims a domain (another spelling) that an org holds only pending: a claim reserves nothing');
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'evil', 'acme.com'), '23505', NULL,
  'another org binding a bound domain: 23505');
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'evil', 'EVIL.io'), 'eve binds her own domain');
SELECT results_eq(
  format('SELECT email_domain::text, verified FROM roboto_orgs.email_domain_bindings(%L)', :'evil'),
  $$VALUES ('evil.io', true), ('xn--bcher-kva.de', false)$$, 'the caller''s own email domain is verified at once; the other is a claim');

--------------------------------------------------------------------------------
-- email_domains and email_domain_bindings
--------------------------------------------------------------------------------
SET roboto_orgs.user_id = 'alice';
SELECT results_eq(format('SELECT d::text FROM roboto_orgs.email_domains(%L) d', :'acme'),
  ARRAY['acme-labs.io', 'acme.com', 'xn--bcher-kva.de'], 'email_domains lists the bound domains, ordered');
SELECT results_eq(format('SELECT roboto_orgs.email_domain_unicode(d) FROM roboto_orgs.email_domains(%L) d', :'acme'),
  ARRAY['acme-labs.io', 'acme.com', 'bücher.de'], 'their Unicode forms, for display');
SELECT is((SELECT count(*) FROM roboto_orgs.email_domain_bindings(:'acme') WHERE created IS NOT NULL), 3::bigint,
  'email_domain_bindings gives the creation time');
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok(format('SELECT * FROM roboto_orgs.email_domains(%L)', :'acme'), '42501', NULL, 'email_domains by a plain member: 42501');
SELECT throws_ok(format('SELECT * FROM roboto_orgs.email_domain_bindings(%L)', :'acme'), '42501', NULL, 'email_domain_bindings by a plain member: 42501');
SET roboto_orgs.user_id = 'eve';
SELECT throws_ok(format('SELECT * FROM roboto_orgs.email_domains(%L)', :'acme'), '42501', NULL, 'email_domains by a non-member: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok(format('SELECT * FROM roboto_orgs.email_domain_bindings(%L)', :'acme'), '42501', NULL, 'email_domain_bindings anonymous: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok($$SELECT * FROM roboto_orgs.email_domains('og_nope')$$, 'PT404', NULL, 'email_domains of no such org: PT404');
SELECT throws_ok($$SELECT * FROM roboto_orgs.email_domain_bindings(NULL)$$, '22004', NULL, 'email_domain_bindings of NULL: 22004');

--------------------------------------------------------------------------------
-- Unverified bindings never auto-join; verify_email_domain
--------------------------------------------------------------------------------
SET ROLE roboto_ed_service;
SELECT roboto_orgs.create_user('carl', 'carl@acme-labs.io') IS NOT NULL AS _ok \gset
SELECT is(pg_temp.roles_of(:'acme', 'carl'), NULL, 'an unverified binding makes nobody join');

SET ROLE roboto_test_api;
SELECT pg_temp.fingerprint() AS before \gset
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok(format('SELECT roboto_orgs.verify_email_domain(%L, %L)', :'acme', 'acme-labs.io'), '42501',
  'only the trusted service may verify email domains', 'verify by an org owner who is not the trusted service: 42501');
RESET ROLE;
SET ROLE roboto_ed_service;
SELECT throws_ok(format('SELECT roboto_orgs.verify_email_domain(%L, %L)', :'acme', 'nobody.io'), 'PT404',
  format('email domain "nobody.io" is not bound to org "%s"', :'acme'), 'verify a domain not bound: PT404');
SELECT throws_ok(format('SELECT roboto_orgs.verify_email_domain(%L, %L)', :'acme', 'evil.io'), '23505',
  'email domain "evil.io" is already bound to another org', 'verify a domain verified for another org: 23505');
SELECT throws_ok($$SELECT roboto_orgs.verify_email_domain('og_nope', 'acme-labs.io')$$, 'PT404',
  'org "og_nope" does not exist', 'verify for no such org: PT404');
SELECT throws_ok(format('SELECT roboto_orgs.verify_email_domain(%L, NULL)', :'acme'), '22004', NULL, 'verify NULL: 22004');
SELECT throws_ok(format('SELECT roboto_orgs.verify_email_domain(%L, %L)', :'acme', 'a b'), '22P02', NULL, 'verify a malformed domain: 22P02');
SELECT is(pg_temp.fingerprint(), :'before', 'failed verifications wrote nothing');
SELECT is((roboto_orgs.verify_email_domain(:'acme', 'ACME-LABS.io.')).org_id, :'acme', 'the trusted service verifies (any spelling)');
RESET roboto_orgs.user_id;
SELECT results_eq(
  format('SELECT email_domain::text, verified, verification_token IS NOT NULL FROM roboto_orgs.email_domain_bindings(%L)', :'acme'),
  $$VALUES ('acme-labs.io', true, false), ('acme.com', true, false), ('xn--bcher-kva.de', false, true)$$,
  'the trusted service without a caller lists the bindings and the pending one''s token (to check it in DNS)');
SELECT is(pg_temp.roles_of(:'acme', 'carl'), NULL, 'verifying later does not add existing users');
SELECT lives_ok(format('SELECT roboto_orgs.verify_email_domain(%L, %L)', :'acme', 'acme-labs.io'), 'verifying again is harmless');
SELECT roboto_orgs.create_user('dana', 'dana@Acme-Labs.io') IS NOT NULL AS _ok \gset
SELECT is(pg_temp.roles_of(:'acme', 'dana'), '{user}', 'after verification, new users join');
RESET ROLE;
SELECT ok((SELECT verified FROM roboto_orgs.org_email_domains WHERE email_domain OPERATOR(roboto_orgs.=) 'acme-labs.io'),
  'the binding is verified');

--------------------------------------------------------------------------------
-- unbind_email_domain
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SELECT pg_temp.fingerprint() AS before \gset
SET roboto_orgs.user_id = 'bob';
SELECT throws_ok(format('SELECT roboto_orgs.unbind_email_domain(%L, %L)', :'acme', 'acme-labs.io'), '42501',
  format('user "bob" needs role admin in org "%s" to unbind email domains', :'acme'), 'unbind by a plain member: 42501');
SET roboto_orgs.user_id = 'eve';
SELECT throws_ok(format('SELECT roboto_orgs.unbind_email_domain(%L, %L)', :'acme', 'acme-labs.io'), '42501', NULL,
  'unbind by a non-member: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok(format('SELECT roboto_orgs.unbind_email_domain(%L, %L)', :'acme', 'acme-labs.io'), '42501', NULL,
  'unbind by an anonymous caller: 42501');
SET roboto_orgs.user_id = 'alice';
SELECT throws_ok(format('SELECT roboto_orgs.unbind_email_domain(%L, %L)', :'acme', 'evil.io'), 'PT404',
  format('email domain "evil.io" is not bound to org "%s"', :'acme'), 'unbind a domain bound to another org: PT404');
SELECT throws_ok(format('SELECT roboto_orgs.unbind_email_domain(%L, %L)', :'acme', 'old-company.com'), 'PT404', NULL,
  'unbind a domain bound nowhere: PT404');
SELECT throws_ok($$SELECT roboto_orgs.unbind_email_domain('og_nope', 'acme.com')$$, 'PT404', NULL, 'unbind from no such org: PT404');
SELECT throws_ok(format('SELECT roboto_orgs.unbind_email_domain(%L, NULL)', :'acme'), '22004', NULL, 'unbind NULL: 22004');
SELECT throws_ok(format('SELECT roboto_orgs.unbind_email_domain(%L, %L)', :'acme', '*.acme.com'), '22P02', NULL, 'unbind a wildcard: 22P02');
SELECT is(pg_temp.fingerprint(), :'before', 'failed unbinds wrote nothing');
SELECT is((roboto_orgs.unbind_email_domain(:'acme', 'Acme-Labs.IO')).org_id, :'acme', 'an admin unbinds (any spelling)');
SELECT results_eq(format('SELECT d::text FROM roboto_orgs.email_domains(%L) d', :'acme'),
  ARRAY['acme.com', 'xn--bcher-kva.de'], 'the domain is no longer listed');
SELECT is(pg_temp.roles_of(:'acme', 'dana'), '{user}', 'members who joined through it stay');
SELECT throws_ok(format('SELECT roboto_orgs.unbind_email_domain(%L, %L)', :'acme', 'acme-labs.io'), 'PT404', NULL,
  'unbinding twice: PT404');
SET ROLE roboto_ed_service;
SELECT roboto_orgs.create_user('ida', 'ida@acme-labs.io') IS NOT NULL AS _ok \gset
SELECT is(pg_temp.roles_of(:'acme', 'ida'), NULL, 'after unbinding, new users no longer join');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'eve';
SELECT lives_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'evil', 'acme-labs.io'), 'an unbound domain can be bound by another org');

--------------------------------------------------------------------------------
-- Direct writes by API roles are refused
--------------------------------------------------------------------------------
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_email_domains (email_domain, org_id) VALUES ('direct.io', %L)$$, :'evil'),
  '42501', NULL, 'an API role cannot insert bindings directly');
SELECT throws_ok($$DELETE FROM roboto_orgs.webmail_domains$$, '42501', NULL, 'an API role cannot edit the webmail list');

--------------------------------------------------------------------------------
-- Invariant 5 whatever path writes: the unique index on the normalised form of verified bindings
--------------------------------------------------------------------------------
RESET ROLE;
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_email_domains (email_domain, org_id, verified) VALUES ('EVIL.IO.', %L, true)$$, :'acme'),
  '23505', NULL, 'a direct insert of a second verified binding, another spelling: 23505');

--------------------------------------------------------------------------------
-- An org that is de-provisioning (invariant 3)
--------------------------------------------------------------------------------
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'alice';
SELECT roboto_orgs.create_org('Doomed', bind_email_domain => false) IS NOT NULL AS _ok \gset
RESET ROLE;
SELECT org_id AS doomed FROM roboto_orgs.orgs WHERE name = 'Doomed' \gset
SET ROLE roboto_test_api;
SELECT roboto_orgs.bind_email_domain(:'doomed', 'doomed.io') IS NOT NULL AS _ok \gset
SELECT roboto_orgs.bind_email_domain(:'doomed', 'doomed-too.io') IS NOT NULL AS _ok \gset
SET ROLE roboto_ed_service;
SELECT roboto_orgs.verify_email_domain(:'doomed', 'doomed.io') IS NOT NULL AS _ok \gset
SET ROLE roboto_test_api;
SELECT roboto_orgs.update_org(:'doomed', status => 'de-provisioning') IS NOT NULL AS _ok \gset
SELECT pg_temp.fingerprint() AS before \gset
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'doomed', 'doomed-3.io'), '22023',
  format('org "%s" is being de-provisioned', :'doomed'), 'bind while de-provisioning: 22023');
SELECT throws_ok(format('SELECT roboto_orgs.unbind_email_domain(%L, %L)', :'doomed', 'doomed.io'), '22023', NULL,
  'unbind while de-provisioning: 22023');
SET ROLE roboto_ed_service;
SELECT throws_ok(format('SELECT roboto_orgs.verify_email_domain(%L, %L)', :'doomed', 'doomed-too.io'), '22023', NULL,
  'verify while de-provisioning: 22023');
SELECT lives_ok($$SELECT roboto_orgs.create_user('jo', 'jo@doomed.io')$$, 'a sign-up with the domain of a de-provisioning org succeeds');
SELECT is(pg_temp.roles_of(:'doomed', 'jo'), NULL, '... and joins nothing');
RESET ROLE;
DELETE FROM roboto_orgs.users WHERE user_id = 'jo';
SELECT is(pg_temp.fingerprint(), :'before', 'nothing was written for the de-provisioning org');
SELECT throws_ok(format($$INSERT INTO roboto_orgs.org_email_domains (email_domain, org_id) VALUES ('doomed-4.io', %L)$$, :'doomed'),
  '23514', NULL, 'a direct insert for a de-provisioning org: 23514 (trigger)');
SELECT throws_ok(format($$UPDATE roboto_orgs.org_email_domains SET verified = true WHERE org_id = %L$$, :'doomed'),
  '23514', NULL, 'a direct update for a de-provisioning org: 23514 (trigger)');
SET ROLE roboto_test_api;
SELECT lives_ok(format('SELECT roboto_orgs.delete_org(%L)', :'doomed'), 'the owner deletes the org');
RESET ROLE;
SELECT is((SELECT count(*) FROM roboto_orgs.org_email_domains WHERE email_domain::text LIKE 'doomed%'), 0::bigint,
  'deleting an org removes its bindings');

--------------------------------------------------------------------------------
-- The webmail list is editable
--------------------------------------------------------------------------------
SELECT cmp_ok((SELECT count(*) FROM roboto_orgs.webmail_domains), '>=', 50::bigint, 'a list of webmail domains ships');
SELECT ok((SELECT bool_and(refused) FROM roboto_orgs.webmail_domains
  WHERE email_domain OPERATOR(roboto_orgs.=) ANY (ARRAY['gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'yahoo.com',
    'icloud.com', 'me.com', 'mac.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.de', 'mail.ru', 'yandex.ru',
    'qq.com', '163.com']::roboto_orgs.email_domain[])
  HAVING count(*) = 19), 'the big providers and their alternate names are refused');
SELECT is(obj_description('roboto_orgs.webmail_domains'::regclass, 'pg_class') IS NOT NULL, true, 'the table is documented');
SELECT ok(EXISTS (SELECT 1 FROM pg_extension e WHERE e.extname = 'roboto_orgs'
  AND 'roboto_orgs.webmail_domains'::regclass = ANY (e.extconfig)
  AND 'roboto_orgs.org_email_domains'::regclass = ANY (e.extconfig)), 'both tables are kept by pg_dump');
INSERT INTO roboto_orgs.webmail_domains (email_domain, refused, note) VALUES ('GMAIL.com', false, 'allowed here');
SELECT is((SELECT refused::text || ' ' || note FROM roboto_orgs.webmail_domains WHERE email_domain OPERATOR(roboto_orgs.=) 'gmail.com'),
  'false allowed here', 'inserting a listed domain merges into its row (so a dump restores over the shipped list)');
INSERT INTO roboto_orgs.webmail_domains (email_domain, note) VALUES ('webmail.example', 'local provider');
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'gina';
SELECT lives_ok($$SELECT roboto_orgs.create_org('Gina Inc', bind_email_domain => true)$$, 'a domain no longer refused can be bound');
SET roboto_orgs.user_id = 'eve';
SELECT throws_ok(format('SELECT roboto_orgs.bind_email_domain(%L, %L)', :'evil', 'webmail.example'), '22023', NULL,
  'a domain added to the list is refused');

--------------------------------------------------------------------------------
-- Privileges of the type
--------------------------------------------------------------------------------
SELECT ok(has_function_privilege('roboto_test_api', 'roboto_orgs.email_domain_of(text)', 'EXECUTE'), 'API roles may call email_domain_of');
SELECT ok(has_function_privilege('public', 'roboto_orgs.email_domain_eq(roboto_orgs.email_domain, roboto_orgs.email_domain)', 'EXECUTE'),
  'the type''s operators are usable by anyone');
SELECT is((SELECT 'B.com'::roboto_orgs.email_domain OPERATOR(roboto_orgs.=) 'b.com'), true, 'an API role compares domains');

SELECT * FROM finish();
ROLLBACK;
