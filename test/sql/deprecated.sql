--
-- modify_role_for_user() (the seed's ModifyRoleForUserRequest, deprecated in
-- favour of UpdateOrgUserRequest) works and says so with a WARNING.
--
SELECT u.user_id FROM roboto_orgs.create_user('owner') u;
SELECT u.user_id FROM roboto_orgs.create_user('member') u;
SET roboto_orgs.user_id = 'owner';
SELECT org_id AS org FROM roboto_orgs.create_org('Deprecated Inc') \gset
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:'org', 'member', '{user}');

\set VERBOSITY default
SELECT (m).user.user_id, m.roles
FROM roboto_orgs.modify_role_for_user(:'org', 'member', 'admin') m;
SELECT (m).user.user_id, m.roles
FROM roboto_orgs.update_org_user(:'org', 'member', add_roles => '{user}') m;
-- The roles become exactly the one given
SELECT (m).user.user_id, m.roles
FROM roboto_orgs.modify_role_for_user(:'org', 'member', 'user') m;
\set VERBOSITY terse

RESET roboto_orgs.user_id;
DELETE FROM roboto_orgs.orgs;
DELETE FROM roboto_orgs.users;
