-- roboto_orgs demo: a session of two companies, Acme and Globex, on one
-- database. Run it with scripts/demo.sh (a throwaway cluster), or by hand as
-- a superuser in a scratch database:  psql -X -v ON_ERROR_STOP=1 -f examples/demo.sql
--
-- Everyone joins an org the way the product lets them: by creating it, by an
-- invitation, or by signing up with an address at a verified email domain of
-- the org. Nothing is inserted into roboto_orgs' tables directly.
--
-- Statements that must fail are wrapped as
--     \set ON_ERROR_STOP off \set expected <SQLSTATE>
--     <statement>
--     \set ON_ERROR_STOP on
--     \ir expect_error.sql
-- which prints the SQLSTATE and stops the demo if it was not the expected one.

\set QUIET on
\set ECHO queries
\set SHOW_CONTEXT never
\pset null '(null)'

\echo
\echo '== 0. Setup (as a superuser): the extension and the database roles'
\echo '   backend: the app''s back end (sign-up, billing, DNS checks), a member of'
\echo '   roboto_orgs_service, the trusted service; app: the data layer of an app'
\echo
CREATE EXTENSION roboto_orgs;
CREATE ROLE roboto_orgs_service NOLOGIN;
CREATE ROLE backend NOLOGIN IN ROLE roboto_orgs_service;
CREATE ROLE app NOLOGIN;
-- Nothing is granted to PUBLIC: each API role gets USAGE on the schema and
-- EXECUTE on the API functions, and no table privileges.
SELECT roboto_orgs.grant_api_access('roboto_orgs_service');
SELECT roboto_orgs.grant_api_access('app');

\echo
\echo '== 1. Sign-up: the trusted service registers the first users'
\echo '   The two founders, Erin of Globex, and three outsiders: a freelancer and two'
\echo '   consultants. (Acme''s other people sign up later, in section 3.)'
\echo
SET ROLE backend;
SELECT roboto_orgs.is_trusted_service();
SELECT u.*
FROM (VALUES ('alice@acme.example',    'Alice Chen'),
             ('dave@globex.example',   'Dave Kim'),
             ('erin@globex.example',   'Erin Novak'),
             ('frank@gmail.com',       'Frank Moreau'),
             ('grace@initech.example', 'Grace Hopper'),
             ('heidi@initech.example', 'Heidi Lang')) AS v (email, name),
     LATERAL roboto_orgs.create_user(user_id => v.email, email => v.email, name => v.name) AS u;
RESET ROLE;

\echo '   The app role is not the trusted service: it cannot sign users up.'
SET ROLE app;
\set ON_ERROR_STOP off \set expected 42501
SELECT roboto_orgs.create_user('mallory@evil.example');
\set ON_ERROR_STOP on
\ir expect_error.sql

\echo
\echo '== 2. Each company creates its org. The app names the caller per transaction'
\echo '   with SET LOCAL roboto_orgs.user_id; the creator becomes the sole owner.'
\echo
\echo '   Alice creates Acme and binds her own email domain, acme.example, to it:'
\echo '   her address there is the proof, so the binding is verified at once.'
BEGIN;
SET LOCAL roboto_orgs.user_id = 'alice@acme.example';
SELECT org_id AS acme FROM roboto_orgs.create_org('Acme Robotics', bind_email_domain => true) \gset
SELECT * FROM roboto_orgs.get_org(:'acme');
SELECT email_domain, verified, bound_by FROM roboto_orgs.email_domain_bindings(:'acme');
COMMIT;

\echo '   Dave creates Globex without binding a domain: its people will be invited.'
BEGIN;
SET LOCAL roboto_orgs.user_id = 'dave@globex.example';
SELECT org_id AS globex FROM roboto_orgs.create_org('Globex', data_region => 'eu-west') \gset
SELECT * FROM roboto_orgs.get_org(:'globex');
COMMIT;

\echo '   Frank, a freelancer, cannot bind gmail.com: anyone can have an address there.'
SET roboto_orgs.user_id = 'frank@gmail.com';
\set ON_ERROR_STOP off \set expected 22023
SELECT roboto_orgs.create_org('Frank Consulting', bind_email_domain => true);
\set ON_ERROR_STOP on
\ir expect_error.sql

\echo '   Org names are unique whatever their case:'
SET roboto_orgs.user_id = 'erin@globex.example';
\set ON_ERROR_STOP off \set expected 23505
SELECT roboto_orgs.create_org('ACME robotics');
\set ON_ERROR_STOP on
\ir expect_error.sql
RESET roboto_orgs.user_id;

\echo
\echo '== 3. Acme''s colleagues sign up later, and are members at once'
\echo '   (their email domain is bound to Acme and verified: they join with role user)'
\echo
SET ROLE backend;
SELECT u.user_id, u.email
FROM (VALUES ('bob@acme.example',   'Bob Okafor'),
             ('carol@acme.example', 'Carol Diaz')) AS v (email, name),
     LATERAL roboto_orgs.create_user(user_id => v.email, email => v.email, name => v.name) AS u;
SELECT name AS bobs_orgs FROM roboto_orgs.orgs_for_user('bob@acme.example');

\echo
\echo '== 4. Roles. Admins manage members; only owners grant owner or touch an owner.'
\echo
SET ROLE app;
SET roboto_orgs.user_id = 'alice@acme.example';
SELECT name FROM roboto_orgs.add_role_for_user(:'acme', 'bob@acme.example', 'admin');

\echo '   Bob, now an admin, makes Carol an admin, then takes it back:'
SET roboto_orgs.user_id = 'bob@acme.example';
SELECT ("user").user_id, roles
FROM roboto_orgs.update_org_user(:'acme', 'carol@acme.example', add_roles => '{admin}');
SELECT name FROM roboto_orgs.remove_role_from_user(:'acme', 'carol@acme.example', 'admin');

\echo '   An admin cannot make himself owner:'
\set ON_ERROR_STOP off \set expected 42501
SELECT roboto_orgs.add_role_for_user(:'acme', 'bob@acme.example', 'owner');
\set ON_ERROR_STOP on
\ir expect_error.sql

\echo '   update_org_user refuses to leave a member without a role (remove_user removes members):'
\set ON_ERROR_STOP off \set expected 22023
SELECT roboto_orgs.update_org_user(:'acme', 'carol@acme.example', remove_roles => '{user}');
\set ON_ERROR_STOP on
\ir expect_error.sql

\echo '   Alice makes Bob a second owner:'
SET roboto_orgs.user_id = 'alice@acme.example';
SELECT ("user").user_id, roles
FROM roboto_orgs.update_org_user(:'acme', 'bob@acme.example', add_roles => '{owner}');

SELECT ("user").user_id, ("user").name, roles FROM roboto_orgs.org_users(:'acme');

\echo
\echo '== 5. Invitations: for people no bound email domain brings in'
\echo
\echo '   Dave invites Erin to Globex; Bob invites Frank, Grace and Heidi to Acme.'
\echo '   An invite is valid for roboto_orgs.invite_ttl (7 days by default).'
SET roboto_orgs.user_id = 'dave@globex.example';
SELECT invite_id AS inv_erin FROM roboto_orgs.invite_user(:'globex', 'erin@globex.example') \gset
SET roboto_orgs.user_id = 'bob@acme.example';
SELECT invite_id AS inv_frank FROM roboto_orgs.invite_user(:'acme', 'frank@gmail.com') \gset
SELECT invite_id AS inv_grace FROM roboto_orgs.invite_user(:'acme', 'grace@initech.example') \gset
SELECT invite_id AS inv_heidi FROM roboto_orgs.invite_user(:'acme', 'heidi@initech.example') \gset

\echo '   Acme''s pending invites, as the app''s API returns them (JSON, oldest first):'
\pset format unaligned
\pset tuples_only on
SELECT jsonb_pretty(jsonb_agg(to_jsonb(i))) FROM roboto_orgs.org_invites(:'acme') AS i;
\pset format aligned
\pset tuples_only off

\echo '   Only the invitee may answer an invite: Erin cannot accept Frank''s.'
SET roboto_orgs.user_id = 'erin@globex.example';
\set ON_ERROR_STOP off \set expected 42501
SELECT roboto_orgs.accept_invite(:'inv_frank');
\set ON_ERROR_STOP on
\ir expect_error.sql

\echo '   Erin accepts her own invite and joins Globex with role user:'
SELECT ("user").user_id, (org).name AS org, roles FROM roboto_orgs.accept_invite(:'inv_erin');

\echo '   Every change also sends NOTIFY roboto_orgs_events at commit. A webhook worker'
\echo '   listens on its own connection; this session listens while Frank accepts'
\echo '   (psql prints the notifications after the result):'
LISTEN roboto_orgs_events;
SET roboto_orgs.user_id = 'frank@gmail.com';
SELECT ("user").user_id, (org).name AS org, roles FROM roboto_orgs.accept_invite(:'inv_frank');
UNLISTEN roboto_orgs_events;

\echo '   Grace declines; Bob withdraws Heidi''s invite before she answers:'
SET roboto_orgs.user_id = 'grace@initech.example';
SELECT roboto_orgs.decline_invite(:'inv_grace') \g /dev/null
SET roboto_orgs.user_id = 'bob@acme.example';
SELECT roboto_orgs.revoke_invite(:'inv_heidi') \g /dev/null
SELECT i.user_id, i.status
FROM unnest(ARRAY[:'inv_frank', :'inv_grace', :'inv_heidi']) AS id,
     LATERAL roboto_orgs.get_invite(id) AS i;
SELECT count(*) AS acme_pending_invites FROM roboto_orgs.org_invites(:'acme');

\echo
\echo '== 6. Tier limits: a free org has a fixed number of seats'
\echo
\echo '   The shipped free tier has 10 seats. For this demo the operator (a superuser)'
\echo '   lowers it to 4, which Acme already uses (Alice, Bob, Carol, Frank):'
RESET ROLE;
UPDATE roboto_orgs.tier_limits SET max_members = 4 WHERE tier = 'free';
SELECT * FROM roboto_orgs.tier_limits ORDER BY tier;

\echo '   Mia, a new Acme hire, signs up. The user is created, but Acme has no free'
\echo '   seat, so she does not join (the event log records member.join_skipped):'
RESET roboto_orgs.user_id;
SET ROLE backend;
SELECT user_id FROM roboto_orgs.create_user('mia@acme.example', email => 'mia@acme.example', name => 'Mia Weber');
SELECT count(*) AS mias_orgs FROM roboto_orgs.orgs_for_user('mia@acme.example');

\echo '   Bob invites Mia instead: refused too, as an invite would hold a seat.'
\echo '   The hint says what to do:'
SET ROLE app;
SET roboto_orgs.user_id = 'bob@acme.example';
\set ON_ERROR_STOP off \set expected 23514
SELECT roboto_orgs.invite_user(:'acme', 'mia@acme.example');
\set ON_ERROR_STOP on
\ir expect_error.sql

\echo '   Acme pays: the back end''s billing, as the trusted service, moves it to premium,'
\echo '   which has no cap.'
RESET roboto_orgs.user_id;
SET ROLE backend;
SELECT name, tier FROM roboto_orgs.set_org_tier(:'acme', 'premium');

\echo '   Now the invite works, and Mia accepts:'
SET ROLE app;
SET roboto_orgs.user_id = 'bob@acme.example';
SELECT invite_id AS inv_mia FROM roboto_orgs.invite_user(:'acme', 'mia@acme.example') \gset
SET roboto_orgs.user_id = 'mia@acme.example';
SELECT ("user").user_id, (org).name AS org, roles FROM roboto_orgs.accept_invite(:'inv_mia');

\echo
\echo '== 7. A second email domain: Acme''s Munich office, acme-münchen.example'
\echo
\echo '   Bob binds it (a free org could bind one domain only; Acme is premium now).'
\echo '   It is not his own email domain, so the binding waits, unverified:'
SET roboto_orgs.user_id = 'bob@acme.example';
SELECT name FROM roboto_orgs.bind_email_domain(:'acme', 'ACME-München.example.');
\echo '   The type stores the ASCII (punycode) form; email_domain_unicode gives the display form:'
SELECT email_domain, roboto_orgs.email_domain_unicode(email_domain) AS display, verified, bound_by
FROM roboto_orgs.email_domain_bindings(:'acme');

\echo '   Jonas of the Munich office signs up while it is pending: he joins nothing.'
RESET roboto_orgs.user_id;
SET ROLE backend;
SELECT user_id FROM roboto_orgs.create_user('jonas@acme-münchen.example', email => 'jonas@acme-münchen.example', name => 'Jonas Huber');
SELECT count(*) AS jonas_orgs FROM roboto_orgs.orgs_for_user('jonas@acme-münchen.example');

\echo '   The back end checks a DNS TXT record Acme published, then verifies the binding:'
SELECT name FROM roboto_orgs.verify_email_domain(:'acme', 'acme-münchen.example');

\echo '   Lena signs up next and is a member at once. (Verifying adds nobody who signed'
\echo '   up before: Jonas still needs an invite.)'
SELECT user_id FROM roboto_orgs.create_user('lena@acme-münchen.example', email => 'lena@acme-münchen.example', name => 'Lena Vogel');
SELECT name AS lenas_orgs FROM roboto_orgs.orgs_for_user('lena@acme-münchen.example');
SELECT count(*) AS jonas_orgs FROM roboto_orgs.orgs_for_user('jonas@acme-münchen.example');

SET ROLE app;
SET roboto_orgs.user_id = 'bob@acme.example';
SELECT invite_id AS inv_jonas FROM roboto_orgs.invite_user(:'acme', 'jonas@acme-münchen.example') \gset
SET roboto_orgs.user_id = 'jonas@acme-münchen.example';
SELECT ("user").user_id, (org).name AS org, roles FROM roboto_orgs.accept_invite(:'inv_jonas');

\echo
\echo '== 8. An admin renames the org'
\echo
SET roboto_orgs.user_id = 'bob@acme.example';
SELECT org_id, name, tier, status FROM roboto_orgs.update_org(:'acme', name => 'Acme Robotics Inc.');
\echo '   Acme''s members now: every one of them joined through the product.'
SELECT ("user").user_id, ("user").name, roles FROM roboto_orgs.org_users(:'acme');

\echo
\echo '== 9. Members leave, but an org always keeps an owner'
\echo
\echo '   Erin leaves Globex (a member may always remove themself):'
SET roboto_orgs.user_id = 'erin@globex.example';
SELECT name FROM roboto_orgs.remove_user(:'globex', 'erin@globex.example');
SELECT count(*) AS erins_orgs FROM roboto_orgs.orgs_for_self();

\echo '   Dave is the only owner of Globex; he cannot give that up:'
SET roboto_orgs.user_id = 'dave@globex.example';
\set ON_ERROR_STOP off \set expected 23514
SELECT roboto_orgs.remove_role_from_user(:'globex', 'dave@globex.example', 'owner');
\set ON_ERROR_STOP on
\ir expect_error.sql

\echo
\echo '== 10. Outsiders and anonymous callers are refused'
\echo
\echo '   Dave is not a member of Acme:'
\set ON_ERROR_STOP off \set expected 42501
SELECT * FROM roboto_orgs.get_org(:'acme');
\set ON_ERROR_STOP on
\ir expect_error.sql

\echo '   No caller at all:'
RESET roboto_orgs.user_id;
\set ON_ERROR_STOP off \set expected 42501
SELECT * FROM roboto_orgs.orgs_for_self();
\set ON_ERROR_STOP on
\ir expect_error.sql

\echo
\echo '== 11. The wire form: to_jsonb() of the records gives the seed''s JSON'
\echo
SET roboto_orgs.user_id = 'carol@acme.example';
\pset format unaligned
\pset tuples_only on
SELECT jsonb_pretty(jsonb_agg(to_jsonb(o))) FROM roboto_orgs.orgs_for_self() AS o;
SELECT jsonb_pretty(to_jsonb(u))
FROM roboto_orgs.org_users(:'acme') AS u
WHERE (u."user").user_id = 'carol@acme.example';
\pset format aligned
\pset tuples_only off

\echo
\echo '== 12. Row-level security on an app''s own table, with is_member and has_role'
\echo '   Members read their org''s datasets; admins add and delete them.'
\echo
RESET ROLE;
CREATE TABLE datasets (
  dataset_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id     text NOT NULL REFERENCES roboto_orgs.orgs (org_id),
  name       text NOT NULL
);
ALTER TABLE datasets ENABLE ROW LEVEL SECURITY;
CREATE POLICY datasets_read   ON datasets FOR SELECT USING (roboto_orgs.is_member(org_id));
CREATE POLICY datasets_add    ON datasets FOR INSERT WITH CHECK (roboto_orgs.has_role(org_id, 'admin'));
CREATE POLICY datasets_delete ON datasets FOR DELETE USING (roboto_orgs.has_role(org_id, 'admin'));
GRANT SELECT, INSERT, DELETE ON datasets TO app;

SET ROLE app;
SET roboto_orgs.user_id = 'bob@acme.example';
INSERT INTO datasets (org_id, name) VALUES (:'acme', 'warehouse-lidar'), (:'acme', 'arm-calibration');
SET roboto_orgs.user_id = 'dave@globex.example';
INSERT INTO datasets (org_id, name) VALUES (:'globex', 'drone-flights');

\echo '   Carol (role user) reads Acme''s datasets only, and may not add one:'
SET roboto_orgs.user_id = 'carol@acme.example';
SELECT roboto_orgs.is_member(:'acme') AS member_of_acme,
       roboto_orgs.has_role(:'acme', 'admin') AS admin_of_acme,
       roboto_orgs.is_member(:'globex') AS member_of_globex;
SELECT name FROM datasets ORDER BY dataset_id;
\set ON_ERROR_STOP off \set expected 42501
INSERT INTO datasets (org_id, name) VALUES (:'acme', 'carols-upload');
\set ON_ERROR_STOP on
\ir expect_error.sql

\echo '   Dave sees Globex''s only; an anonymous caller sees nothing:'
SET roboto_orgs.user_id = 'dave@globex.example';
SELECT name FROM datasets ORDER BY dataset_id;
RESET roboto_orgs.user_id;
SELECT count(*) AS visible_to_anonymous FROM datasets;

\echo
\echo '== 13. Deleting an org: refused while the app''s rows still reference it'
\echo
SET roboto_orgs.user_id = 'dave@globex.example';
\set ON_ERROR_STOP off \set expected 23503
SELECT roboto_orgs.delete_org(:'globex');
\set ON_ERROR_STOP on
\ir expect_error.sql
DELETE FROM datasets WHERE org_id = :'globex';
SELECT roboto_orgs.delete_org(:'globex') \g /dev/null
SELECT count(*) AS daves_orgs FROM roboto_orgs.orgs_for_self();

\echo
\echo '== 14. The event log: every change, by whom, in order'
\echo '   An admin reads the org''s log with org_events. actor is the calling user;'
\echo '   it is (null) for the trusted service (sign-up, the tier change, verifying).'
\echo '   subject is the member for member.*, the invite for invite.*, the domain for domain.*.'
\echo '   Ids come from one sequence for all orgs (a failed call uses some up too),'
\echo '   so an org''s ids have gaps.'
\echo
SET roboto_orgs.user_id = 'alice@acme.example';
SELECT event_id, kind, actor, subject FROM roboto_orgs.org_events(:'acme');

\echo '   Events outlive their org: the trusted service still reads deleted Globex''s log.'
RESET roboto_orgs.user_id;
SET ROLE backend;
SELECT event_id, kind, actor, subject FROM roboto_orgs.org_events(:'globex');
RESET ROLE;

\echo
\echo 'Demo finished.'
