--
-- The >>> examples of the seed (roboto.domain.orgs), translated to SQL.
-- Each example quotes the original Python lines in a comment, then runs the
-- SQL that does the same. Ids are random, so the queries print names, roles,
-- counts and booleans, never raw ids or timestamps. The seed's "org_12345" is
-- the id of the org created first here (ids look like og_ and 32 hex digits).
--
-- The invitation examples (Org.invite_user, Org.invites, OrgInvite.*) are in
-- examples_invites.sql, the email domain ones (Org.bind_email_domain,
-- Org.email_domains, Org.unbind_email_domain, and the second Org.create
-- example with bind_email_domain=True) in examples_domains.sql.
--

-- The users, signed up by the trusted service (this test runs as a superuser)
SELECT u.user_id, u.name
FROM roboto_orgs.create_user('bob@example.com', 'bob@example.com', 'Bob') u;
SELECT u.user_id, u.name
FROM roboto_orgs.create_user('alice@example.com', 'alice@example.com', 'Alice') u;

-- Bob is the caller (the SDK's credentials)
SET roboto_orgs.user_id = 'bob@example.com';

-- Org.create: create a basic organization
-- >>> from roboto import Org
-- >>> org = Org.create("my-company")
-- >>> print(f"Created org: {org.name}")
SELECT format('Created org: %s', org.name) AS printed
FROM roboto_orgs.create_org('my-company') org;
SELECT org_id AS org_12345 FROM roboto_orgs.orgs_for_self() WHERE name = 'my-company' \gset
SELECT :'org_12345' ~ '^og_[0-9a-f]{32}$' AS org_id_is_og_and_32_hex_digits;

-- Org.create: create an organization with email domain binding
-- >>> from roboto import Org, RobotoRegion
-- >>> org = Org.create(
-- ...     name="acme-corp",
-- ...     bind_email_domain=True,
-- ...     data_region=RobotoRegion.EU_WEST
-- ... )
-- (bind_email_domain => true waits for email domains; the org is made without it)
SELECT org.name, org.tier, org.status, org.data_region, org.created_by
FROM roboto_orgs.create_org(name => 'acme-corp', data_region => 'eu-west') org;

-- Org.from_id: load an organization by ID
-- >>> from roboto import Org
-- >>> org = Org.from_id("org_12345")
-- >>> print(f"Organization: {org.name}")
SELECT format('Organization: %s', org.name) AS printed
FROM roboto_orgs.get_org(:'org_12345') org;

-- Org.refresh: refresh organization data
-- >>> from roboto import Org
-- >>> org = Org.from_id("org_12345")
-- >>> org.refresh() # Updates with latest data from server
SELECT org.name, org.status, org.created_by
FROM roboto_orgs.get_org(:'org_12345') org;

-- Org.to_dict: export organization data
-- >>> from roboto import Org
-- >>> org = Org.from_id("org_12345")
-- >>> org_data = org.to_dict()
-- >>> print(f"Org created: {org_data.get('created')}")
SELECT to_jsonb(org) - 'org_id' - 'created' AS org_data_but_id_and_created,
       (to_jsonb(org) ->> 'created') ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d' AS created_is_iso_8601,
       (to_jsonb(org) ->> 'created')::timestamptz = org.created AS created_round_trips
FROM roboto_orgs.get_org(:'org_12345') org;

-- Org.for_self: list the user's organizations
-- >>> from roboto import Org
-- >>> orgs = Org.for_self()
-- >>> for org in orgs:
-- ...     print(f"Member of: {org.name}")
SELECT format('Member of: %s', org.name) AS printed
FROM roboto_orgs.orgs_for_self() org;

-- (Alice joins my-company with role user: Bob invites her, she accepts.)
SELECT invite_id AS alice_invite FROM roboto_orgs.invite_user(:'org_12345', 'alice@example.com') \gset
SET roboto_orgs.user_id = 'alice@example.com';
SELECT (roboto_orgs.accept_invite(:'alice_invite')).roles AS alice_roles;
SET roboto_orgs.user_id = 'bob@example.com';

-- Org.for_user: list another user's organizations (as the trusted service)
-- >>> from roboto import Org
-- >>> orgs = Org.for_user("alice@example.com")
-- >>> print(f"Alice is in {len(orgs)} organizations")
SELECT format('Alice is in %s organizations', count(*)) AS printed
FROM roboto_orgs.orgs_for_user('alice@example.com');

-- Org.add_role_for_user: grant admin role to a user
-- >>> from roboto import Org, OrgRoleName
-- >>> org = Org.from_id("org_12345")
-- >>> org.add_role_for_user("alice@example.com", OrgRoleName.admin)
SELECT org.name
FROM roboto_orgs.add_role_for_user(:'org_12345', 'alice@example.com', 'admin') org;

-- Org.users: list organization members
-- >>> from roboto import Org
-- >>> org = Org.from_id("org_12345")
-- >>> users = org.users()
-- >>> for user_record in users:
-- ...     print(f"Member: {user_record.user.name} ({user_record.roles})")
SELECT format('Member: %s (%s)', (user_record).user.name, user_record.roles) AS printed
FROM roboto_orgs.org_users(:'org_12345') user_record;

-- Org.remove_role_from_user: remove admin role from a user
-- >>> from roboto import Org, OrgRoleName
-- >>> org = Org.from_id("org_12345")
-- >>> org.remove_role_from_user("alice@example.com", OrgRoleName.admin)
SELECT org.name
FROM roboto_orgs.remove_role_from_user(:'org_12345', 'alice@example.com', 'admin') org;
SELECT (u).user.user_id, u.roles
FROM roboto_orgs.org_users(:'org_12345') u;

-- Org.update: update organization name
-- >>> from roboto import Org, UpdateOrgRequest, OrgRecordUpdates
-- >>> org = Org.from_id("org_12345")
-- >>> update = UpdateOrgRequest(
-- ...     updates=OrgRecordUpdates(name="New Company Name")
-- ... )
-- >>> org.update(update)
SELECT org.name, org.status
FROM roboto_orgs.update_org(:'org_12345', name => 'New Company Name') org;

-- Org.remove_user: remove a user from the organization
-- >>> from roboto import Org
-- >>> org = Org.from_id("org_12345")
-- >>> org.remove_user("alice@example.com")
SELECT org.name
FROM roboto_orgs.remove_user(:'org_12345', 'alice@example.com') org;
SELECT (u).user.user_id, u.roles
FROM roboto_orgs.org_users(:'org_12345') u;

-- Org.delete: delete an organization
-- >>> from roboto import Org
-- >>> org = Org.from_id("org_12345")
-- >>> org.delete() # Permanently removes the organization
SELECT 'deleted' AS result FROM roboto_orgs.delete_org(:'org_12345');
SELECT org.name FROM roboto_orgs.orgs_for_self() org;

-- Leave the database as it was
RESET roboto_orgs.user_id;
DELETE FROM roboto_orgs.orgs;
DELETE FROM roboto_orgs.users;
