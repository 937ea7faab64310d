-- Data made through the API of an old version, before ALTER EXTENSION UPDATE:
-- users (one auto-joined by email domain), two orgs, roles, invites in every
-- state, a verified and a pending email domain binding, an edited tier limit, and so events.
\set ON_ERROR_STOP on
SELECT count(*) AS users FROM (
  SELECT roboto_orgs.create_user(u, u || '@acme.example', initcap(u))
  FROM unnest(ARRAY['alice', 'bob', 'carol', 'dave']) u) s;
SELECT roboto_orgs.create_user('erin', 'erin@globex.example', 'Erin') IS NOT NULL AS erin;
UPDATE roboto_orgs.tier_limits SET max_members = 25 WHERE tier = 'free';
-- an API role served by grant_api_access() of the old version
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'roboto_upgrade_api') THEN
    CREATE ROLE roboto_upgrade_api NOLOGIN;
  END IF;
END $$;
SELECT roboto_orgs.grant_api_access('roboto_upgrade_api');

BEGIN;
SET LOCAL roboto_orgs.user_id = 'alice';
SELECT org_id AS acme FROM roboto_orgs.create_org('Acme', bind_email_domain => true) \gset
SELECT invite_id AS inv_bob FROM roboto_orgs.invite_user(:'acme', 'bob') \gset
SELECT invite_id AS inv_carol FROM roboto_orgs.invite_user(:'acme', 'carol') \gset
SELECT invite_id AS inv_dave FROM roboto_orgs.invite_user(:'acme', 'dave') \gset
SELECT invite_id AS inv_erin FROM roboto_orgs.invite_user(:'acme', 'erin') \gset
COMMIT;

-- frank signs up after the binding: he joins Acme at once
SELECT roboto_orgs.create_user('frank', 'frank@acme.example', 'Frank') IS NOT NULL AS frank;

BEGIN; SET LOCAL roboto_orgs.user_id = 'bob'; SELECT (roboto_orgs.accept_invite(:'inv_bob')).roles; COMMIT;
BEGIN; SET LOCAL roboto_orgs.user_id = 'carol'; SELECT roboto_orgs.decline_invite(:'inv_carol'); COMMIT;
BEGIN;
SET LOCAL roboto_orgs.user_id = 'alice';
SELECT roboto_orgs.revoke_invite(:'inv_dave');
SELECT (roboto_orgs.update_org_user(:'acme', 'bob', add_roles => '{admin,owner}')).roles;
SELECT name FROM roboto_orgs.update_org(:'acme', name => 'Acme Corp');
COMMIT;

BEGIN;
SET LOCAL roboto_orgs.user_id = 'erin';
SELECT org_id AS globex FROM roboto_orgs.create_org('Globex', data_region => 'eu-central') \gset
-- a pending binding (not erin's own domain): 0.3.0 gives it a verification token
SELECT name FROM roboto_orgs.bind_email_domain(:'globex', 'globex-claim.example');
COMMIT;
