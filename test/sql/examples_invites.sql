--
-- The invitation >>> examples of the seed (roboto.domain.orgs: Org.invite_user,
-- Org.invites, OrgInvite.*), translated to SQL. Each example quotes the
-- original Python lines in a comment, then runs the SQL that does the same.
-- Ids and times are random, so the queries print names, statuses and the
-- shape of ids, never raw ids or timestamps. The seed's "org_12345" is the org
-- made here, and "invite_12345" the invite the example before it made.
--
-- The examples run as one story: the owner invites alice, lists and reads
-- the invite, alice declines it, the owner invites her again
-- (OrgInvite.create), and she accepts.
--

-- The users, signed up by the trusted service (this test runs as a superuser)
SELECT u.user_id, u.name
FROM roboto_orgs.create_user('owner@example.com', 'owner@example.com', 'Owner') u;
SELECT u.user_id, u.name
FROM roboto_orgs.create_user('alice@example.com', 'alice@example.com', 'Alice') u;

-- The owner is the caller (the SDK's credentials) and makes the org
SET roboto_orgs.user_id = 'owner@example.com';
SELECT org_id AS org_12345 FROM roboto_orgs.create_org('invite-examples') \gset

-- Org.invite_user: invite a user to the organization
-- >>> from roboto import Org
-- >>> org = Org.from_id("org_12345")
-- >>> invite = org.invite_user("alice@example.com")
-- >>> print(f"Invitation created: {invite.invite_id}")
SELECT format('Invitation created: %s',
              regexp_replace(invite.invite_id, '^iv_[0-9a-f]{32}$', 'iv_<32 hex digits>')) AS printed
FROM roboto_orgs.invite_user(:'org_12345', 'alice@example.com') invite;
SELECT invite_id AS invite_12345 FROM roboto_orgs.org_invites(:'org_12345') WHERE user_id = 'alice@example.com' \gset

-- Org.invites: list pending invitations
-- >>> from roboto import Org
-- >>> org = Org.from_id("org_12345")
-- >>> invites = org.invites()
-- >>> for invite in invites:
-- ...     print(f"Pending invite for: {invite.invited_user_id}")
SELECT format('Pending invite for: %s', invite.user_id) AS printed
FROM roboto_orgs.org_invites(:'org_12345') invite;

-- OrgInvite.for_org: list all invitations for an organization
-- >>> from roboto import OrgInvite
-- >>> invites = OrgInvite.for_org("org_12345")
-- >>> for invite in invites:
-- ...     print(f"Pending invite for: {invite.invited_user_id}")
SELECT format('Pending invite for: %s', invite.user_id) AS printed
FROM roboto_orgs.org_invites(:'org_12345') invite;

-- OrgInvite.from_id: load an invitation by ID (the invited user reads it)
-- >>> from roboto import OrgInvite
-- >>> invite = OrgInvite.from_id("invite_12345")
-- >>> print(f"Invited user: {invite.invited_user_id}")
SET roboto_orgs.user_id = 'alice@example.com';
SELECT format('Invited user: %s', invite.user_id) AS printed
FROM roboto_orgs.get_invite(:'invite_12345') invite;
-- its other properties: invited_by_user_id, org_id, and beyond the seed its
-- status and how long it stays acceptable (roboto_orgs.invite_ttl, 7 days)
SELECT (invite.invited_by).user_id AS invited_by_user_id,
       (invite.org).org_id = :'org_12345' AS org_id_is_org_12345,
       (invite.org).name AS org_name,
       invite.status,
       invite.expires - invite.created AS valid_for
FROM roboto_orgs.get_invite(:'invite_12345') invite;

-- OrgInvite.to_dict: export invitation data
-- >>> from roboto import OrgInvite
-- >>> invite = OrgInvite.from_id("invite_12345")
-- >>> invite_data = invite.to_dict()
-- >>> print(f"Invited user: {invite_data.get('user_id')}")
SELECT format('Invited user: %s', to_jsonb(invite) ->> 'user_id') AS printed
FROM roboto_orgs.get_invite(:'invite_12345') invite;
-- the keys of the dictionary, and those of the inviter within it
SELECT array_agg(k ORDER BY k) AS keys
FROM jsonb_object_keys(to_jsonb(roboto_orgs.get_invite(:'invite_12345'))) k;
SELECT array_agg(k ORDER BY k) AS invited_by_keys
FROM jsonb_object_keys(to_jsonb(roboto_orgs.get_invite(:'invite_12345')) -> 'invited_by') k;

-- OrgInvite.decline: decline an invitation (alice is the caller)
-- >>> from roboto import OrgInvite
-- >>> invite = OrgInvite.from_id("invite_12345")
-- >>> invite.decline() # Do not join the organization
SELECT roboto_orgs.decline_invite(:'invite_12345');
SELECT invite.status FROM roboto_orgs.get_invite(:'invite_12345') invite;
SELECT org.name FROM roboto_orgs.orgs_for_self() org;

-- OrgInvite.create: create an invitation (the owner is the caller; alice
-- declined the first one, so she may be invited again)
-- >>> from roboto import OrgInvite
-- >>> invite = OrgInvite.create("alice@example.com", "org_12345")
SET roboto_orgs.user_id = 'owner@example.com';
SELECT invite.user_id, (invite.invited_by).user_id AS invited_by, invite.status
FROM roboto_orgs.invite_user(:'org_12345', 'alice@example.com') invite;
SELECT invite_id AS invite_12345 FROM roboto_orgs.org_invites(:'org_12345') WHERE user_id = 'alice@example.com' \gset

-- OrgInvite.accept: accept an invitation (alice is the caller)
-- >>> from roboto import OrgInvite
-- >>> invite = OrgInvite.from_id("invite_12345")
-- >>> invite.accept() # Join the organization
SET roboto_orgs.user_id = 'alice@example.com';
SELECT (m).user.user_id, (m).org.name AS org_name, m.roles
FROM roboto_orgs.accept_invite(:'invite_12345') m;
SELECT invite.status FROM roboto_orgs.get_invite(:'invite_12345') invite;
SELECT org.name FROM roboto_orgs.orgs_for_self() org;

-- Afterwards: no invitation is pending, both are in the org
SET roboto_orgs.user_id = 'owner@example.com';
SELECT count(*) AS pending_invites FROM roboto_orgs.org_invites(:'org_12345');
SELECT (u).user.user_id, u.roles FROM roboto_orgs.org_users(:'org_12345') u;

-- Leave the database as it was
RESET roboto_orgs.user_id;
DELETE FROM roboto_orgs.orgs WHERE org_id = :'org_12345';
DELETE FROM roboto_orgs.users WHERE user_id IN ('owner@example.com', 'alice@example.com');
