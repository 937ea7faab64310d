-- TRUNCATE (0.3.0): the row triggers do not see it, so a statement trigger
-- refuses a TRUNCATE of the memberships that leaves orgs without an owner.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(8);

SELECT count(roboto_orgs.create_user(u)) FROM unnest(ARRAY['tr_alice', 'tr_bob']) u;
SET roboto_orgs.user_id = 'tr_alice';
SELECT count(*) FROM roboto_orgs.create_org('Truncate Acme');
RESET roboto_orgs.user_id;
SELECT pg_temp.fingerprint() AS fp \gset

SELECT throws_ok('TRUNCATE roboto_orgs.org_members', '23514',
  'TRUNCATE of roboto_orgs.org_members is refused while orgs remain',
  'TRUNCATE of the memberships with orgs left: 23514');
SELECT is(pg_temp.fingerprint(), :'fp', '... and nothing was truncated');
SELECT throws_ok('TRUNCATE roboto_orgs.org_members, roboto_orgs.org_invites', '23514', NULL,
  'with the invites too: 23514');
SELECT throws_ok('TRUNCATE roboto_orgs.org_invites', '23514', NULL,
  'TRUNCATE of the invites with orgs left: 23514 (their changes would go unlogged)');
SELECT throws_ok('TRUNCATE roboto_orgs.org_email_domains', '23514', NULL,
  'TRUNCATE of the email domain bindings with orgs left: 23514');
SELECT throws_ok('TRUNCATE roboto_orgs.users CASCADE', '23514', NULL,
  'TRUNCATE users CASCADE (which reaches the memberships, not the orgs): 23514');
SET CONSTRAINTS ALL IMMEDIATE;   -- create_org's deferred owner check, pending in this transaction
SELECT lives_ok('TRUNCATE roboto_orgs.orgs CASCADE', 'TRUNCATE of the orgs with CASCADE: allowed, no org is left');
SELECT is((SELECT count(*)::int FROM roboto_orgs.org_members), 0, '... and the memberships went with them');

SELECT * FROM finish();
ROLLBACK;
