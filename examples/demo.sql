-- roboto_orgs demo: a session of two companies, Acme and Globex, on one
-- database. Run it with scripts/demo.sh (a throwaway cluster), or by hand as
-- a superuser in a scratch database:  psql -X -v ON_ERROR_STOP=1 -f examples/demo.sql
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
\echo '   roboto_orgs_service: the trusted service (sign-up); app: the data layer of an app'
\echo
CREATE EXTENSION roboto_orgs;
CREATE ROLE roboto_orgs_service NOLOGIN;
CREATE ROLE signup_service NOLOGIN IN ROLE roboto_orgs_service;
CREATE ROLE app NOLOGIN;
-- Nothing is granted to PUBLIC: each API role gets USAGE on the schema and
-- EXECUTE on the API functions, and no table privileges.
SELECT roboto_orgs.grant_api_access('roboto_orgs_service');
SELECT roboto_orgs.grant_api_access('app');

\echo
\echo '== 1. Sign-up: the trusted service registers five users of two companies'
\echo
SET ROLE signup_service;
SELECT roboto_orgs.is_trusted_service();
SELECT u.*
FROM (VALUES ('alice@acme.example',  'Alice Chen'),
             ('bob@acme.example',    'Bob Okafor'),
             ('carol@acme.example',  'Carol Diaz'),
             ('dave@globex.example', 'Dave Kim'),
             ('erin@globex.example', 'Erin Novak')) AS v (email, name),
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
BEGIN;
SET LOCAL roboto_orgs.user_id = 'alice@acme.example';
SELECT org_id AS acme FROM roboto_orgs.create_org('Acme Robotics') \gset
SELECT * FROM roboto_orgs.get_org(:'acme');
COMMIT;

BEGIN;
SET LOCAL roboto_orgs.user_id = 'dave@globex.example';
SELECT org_id AS globex FROM roboto_orgs.create_org('Globex', data_region => 'eu-west') \gset
SELECT * FROM roboto_orgs.get_org(:'globex');
COMMIT;

\echo '   Org names are unique whatever their case:'
SET roboto_orgs.user_id = 'erin@globex.example';
\set ON_ERROR_STOP off \set expected 23505
SELECT roboto_orgs.create_org('ACME robotics');
\set ON_ERROR_STOP on
\ir expect_error.sql
RESET ROLE;

\echo
\echo '== 3. Colleagues join: here an operator (a superuser) inserts the memberships'
\echo '   directly. The invariant triggers check direct writes like any other.'
\echo
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES
  (:'acme',   'bob@acme.example',    '{user}'),
  (:'acme',   'carol@acme.example',  '{user}'),
  (:'globex', 'erin@globex.example', '{user}');

\echo '   A membership needs at least one role:'
\set ON_ERROR_STOP off \set expected 23514
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles)
VALUES (:'globex', 'carol@acme.example', '{}');
\set ON_ERROR_STOP on
\ir expect_error.sql

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
\echo '== 5. An admin renames the org'
\echo
SET roboto_orgs.user_id = 'bob@acme.example';
SELECT org_id, name, status FROM roboto_orgs.update_org(:'acme', name => 'Acme Robotics Inc.');

\echo
\echo '== 6. Members leave, but an org always keeps an owner'
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
\echo '== 7. Outsiders and anonymous callers are refused'
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
\echo '== 8. The wire form: to_jsonb() of the records gives the seed''s JSON'
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
\echo '== 9. Row-level security on an app''s own table, with is_member and has_role'
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
\echo '== 10. Deleting an org: refused while the app''s rows still reference it'
\echo
SET roboto_orgs.user_id = 'dave@globex.example';
\set ON_ERROR_STOP off \set expected 23503
SELECT roboto_orgs.delete_org(:'globex');
\set ON_ERROR_STOP on
\ir expect_error.sql
DELETE FROM datasets WHERE org_id = :'globex';
SELECT roboto_orgs.delete_org(:'globex');
SELECT count(*) AS daves_orgs FROM roboto_orgs.orgs_for_self();
RESET ROLE;

\echo
\echo 'Demo finished.'
