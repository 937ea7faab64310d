/* roboto_orgs 0.1.0: install script */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION roboto_orgs" to load this file. \quit

--------------------------------------------------------------------------------
-- Enums (the seed's OrgRoleName, OrgStatus, OrgTier, RobotoRegion)
--------------------------------------------------------------------------------

CREATE TYPE roboto_orgs.org_role_name AS ENUM ('user', 'admin', 'owner');
COMMENT ON TYPE roboto_orgs.org_role_name IS
  'Role of a member in an org (seed: OrgRoleName); ordered user < admin < owner, a role implies those below it';

CREATE TYPE roboto_orgs.org_status AS ENUM ('provisioning', 'active', 'de-provisioning');
COMMENT ON TYPE roboto_orgs.org_status IS
  'Lifecycle state of an org (seed: OrgStatus); moves provisioning -> active -> de-provisioning, never back';

CREATE TYPE roboto_orgs.org_tier AS ENUM ('free', 'premium');
COMMENT ON TYPE roboto_orgs.org_tier IS 'Subscription tier of an org (seed: OrgTier)';

CREATE TYPE roboto_orgs.roboto_region AS ENUM ('us-west', 'us-gov-west', 'us-east', 'eu-central', 'eu-west');
COMMENT ON TYPE roboto_orgs.roboto_region IS 'Region where an org''s data is stored (seed: RobotoRegion)';

--------------------------------------------------------------------------------
-- Records (the seed's wire forms; to_jsonb() of each gives the seed's keys)
--------------------------------------------------------------------------------

CREATE TYPE roboto_orgs.org_record AS (
  org_id      text,
  name        text,
  tier        roboto_orgs.org_tier,
  status      roboto_orgs.org_status,
  data_region roboto_orgs.roboto_region,
  created     timestamptz,
  created_by  text
);
COMMENT ON TYPE roboto_orgs.org_record IS 'An org as the seed''s OrgRecord';

CREATE TYPE roboto_orgs.user_record AS (
  user_id         text,
  email           text,
  name            text,
  picture_url     text,
  is_service_user boolean,
  is_system_user  boolean
);
COMMENT ON TYPE roboto_orgs.user_record IS 'A user as the seed''s UserRecord';

CREATE TYPE roboto_orgs.org_user_record AS (
  "user" roboto_orgs.user_record,
  org    roboto_orgs.org_record,
  roles  roboto_orgs.org_role_name[]
);
COMMENT ON TYPE roboto_orgs.org_user_record IS 'A member of an org with their roles, as the seed''s OrgUserRecord';

--------------------------------------------------------------------------------
-- Ids: opaque text, a prefix and 128 random bits from pg_strong_random()
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.new_id(prefix text) RETURNS text
  AS 'MODULE_PATHNAME', 'roboto_orgs_new_id'
  LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.new_id(text) IS
  'Internal: a new opaque id, prefix || ''_'' || 32 hex digits from a cryptographic random source (og_ for orgs, iv_ for invites). Not granted: superuser or the extension owner (column defaults). Errors: 22023 prefix not 1 to 8 lower-case ASCII letters.';

--------------------------------------------------------------------------------
-- Tables. roboto_orgs.orgs (keyed by org_id) is public and stable, so that an
-- app's tables can reference it; the other table names are internal.
--------------------------------------------------------------------------------

CREATE TABLE roboto_orgs.users (
  user_id         text PRIMARY KEY CHECK (pg_catalog.length(user_id) BETWEEN 1 AND 200),
  email           text CHECK (pg_catalog.length(email) BETWEEN 3 AND 320),
  name            text CHECK (pg_catalog.length(name) <= 200),
  picture_url     text CHECK (pg_catalog.length(picture_url) <= 2048),
  is_service_user boolean NOT NULL DEFAULT false,
  is_system_user  boolean NOT NULL DEFAULT false,
  created         timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE roboto_orgs.users IS 'Users known to roboto_orgs (internal; written by create_user)';

CREATE TABLE roboto_orgs.orgs (
  org_id      text PRIMARY KEY DEFAULT roboto_orgs.new_id('og'),
  name        text NOT NULL,
  tier        roboto_orgs.org_tier NOT NULL DEFAULT 'free',
  status      roboto_orgs.org_status NOT NULL DEFAULT 'active',
  data_region roboto_orgs.roboto_region NOT NULL DEFAULT 'us-west',
  created     timestamptz NOT NULL DEFAULT pg_catalog.now(),
  created_by  text,
  CONSTRAINT orgs_name_check CHECK (pg_catalog.length(name) <= 200 AND pg_catalog.btrim(name) <> '')
);
CREATE UNIQUE INDEX orgs_name_key ON roboto_orgs.orgs (pg_catalog.lower(name));
COMMENT ON TABLE roboto_orgs.orgs IS
  'Orgs (public and stable: apps may declare REFERENCES roboto_orgs.orgs (org_id)); write through the functions';

CREATE TABLE roboto_orgs.org_members (
  org_id  text NOT NULL REFERENCES roboto_orgs.orgs (org_id) ON DELETE CASCADE ON UPDATE CASCADE,
  user_id text NOT NULL REFERENCES roboto_orgs.users (user_id) ON DELETE CASCADE ON UPDATE CASCADE,
  roles   roboto_orgs.org_role_name[] NOT NULL,
  created timestamptz NOT NULL DEFAULT pg_catalog.now(),
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX org_members_user_idx ON roboto_orgs.org_members (user_id, org_id);
COMMENT ON TABLE roboto_orgs.org_members IS 'Memberships (internal): a user''s set of roles in an org';

SELECT pg_catalog.pg_extension_config_dump('roboto_orgs.users', '');
SELECT pg_catalog.pg_extension_config_dump('roboto_orgs.orgs', '');
SELECT pg_catalog.pg_extension_config_dump('roboto_orgs.org_members', '');

--------------------------------------------------------------------------------
-- Invariant triggers (C). They hold whatever path writes the tables.
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.members_check_roles() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_members_check_roles'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.members_check_roles() IS
  'Trigger (invariant 2 and 3): a membership holds a non-empty set of roles, stored in role order; no membership is added, changed or removed while the org is de-provisioning, except by deleting the org or the user. Errors: 23514 empty roles, a NULL or repeated role, a multi-dimensional array, org de-provisioning.';

CREATE FUNCTION roboto_orgs.members_keep_owner() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_members_keep_owner'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.members_keep_owner() IS
  'Trigger (invariant 1): removing or demoting an owner fails with 23514 when the org would be left without one; locks the org row and counts with the latest snapshot, so concurrent demotions cannot both commit';

CREATE FUNCTION roboto_orgs.orgs_check_status() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_orgs_check_status'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.orgs_check_status() IS
  'Trigger (invariant 3): status moves provisioning -> active -> de-provisioning (or provisioning -> de-provisioning) and never back; a de-provisioning org is not updated. Errors: 23514 status move not allowed, org de-provisioning.';

CREATE FUNCTION roboto_orgs.orgs_require_owner() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_orgs_require_owner'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.orgs_require_owner() IS
  'Deferred constraint trigger (invariant 1): an org inserted in a transaction has an owner when the transaction commits. Errors: 23514 no owner at commit.';

CREATE TRIGGER members_check_roles
  BEFORE INSERT OR UPDATE OR DELETE ON roboto_orgs.org_members
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.members_check_roles();

CREATE TRIGGER members_keep_owner
  AFTER UPDATE OR DELETE ON roboto_orgs.org_members
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.members_keep_owner();

CREATE TRIGGER orgs_check_status
  BEFORE UPDATE ON roboto_orgs.orgs
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.orgs_check_status();

CREATE CONSTRAINT TRIGGER orgs_require_owner
  AFTER INSERT ON roboto_orgs.orgs
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.orgs_require_owner();

--------------------------------------------------------------------------------
-- Who is calling
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.caller_id() RETURNS text
  AS 'MODULE_PATHNAME', 'roboto_orgs_caller_id'
  LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.caller_id() IS
  'The calling user''s id: the claim named by roboto_orgs.jwt_claim (default sub) of request.jwt.claims; when request.jwt.claims is unset or empty (not a PostgREST request), roboto_orgs.user_id; else NULL (anonymous). Claims without that claim, or with an empty one, are anonymous whatever roboto_orgs.user_id says. Empty strings count as unset. Anyone. Errors: 22P02 request.jwt.claims is not valid JSON; 22023 it is not a JSON object. Every function that reads the caller raises these two for such claims.';

CREATE FUNCTION roboto_orgs.is_trusted_service() RETURNS boolean
  AS 'MODULE_PATHNAME', 'roboto_orgs_is_trusted_service'
  LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.is_trusted_service() IS
  'True when current_user has the privileges of the role named by roboto_orgs.service_role (default roboto_orgs_service), or is a superuser: the trusted service path for sign-up, provisioning and support tools';

--------------------------------------------------------------------------------
-- Users (seed: UserRecord)
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.create_user(
  user_id text,
  email text DEFAULT NULL,
  name text DEFAULT NULL,
  picture_url text DEFAULT NULL,
  is_service_user boolean DEFAULT false,
  is_system_user boolean DEFAULT false)
RETURNS roboto_orgs.user_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_create_user'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.create_user(text, text, text, text, boolean, boolean) IS
  'Sign-up (seed: UserRecord): registers a user; a user whose email domain is bound to an org, and verified, joins it with role user at once (trigger users_join_by_email_domain), unless the org has no free seat (then the user is still created and an event member.join_skipped records why). Trusted service only. Errors: 42501 not the trusted service; 22004 NULL user_id or flag; 22023 blank or over 200 characters user_id or name, email not of the form local@domain (one @, no white space, at most 320 octets), picture_url over 2048 octets; 23505 user_id taken.';

--------------------------------------------------------------------------------
-- Orgs (seed: Org)
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.create_org(
  name text,
  bind_email_domain boolean DEFAULT false,
  data_region roboto_orgs.roboto_region DEFAULT 'us-west')
RETURNS roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_create_org'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.create_org(text, boolean, roboto_orgs.roboto_region) IS
  'Org.create: creates an active free org; the caller becomes its sole owner. With bind_email_domain, the domain of the caller''s email is bound to it, verified. Any known user. Errors: 42501 anonymous or unknown caller; 22004 NULL argument; 22023 empty, blank or over 200 characters name; with bind_email_domain, 22023 caller without an email address or with one at a public webmail domain or without a valid domain; 23505 name taken (case-insensitive), or with bind_email_domain the domain already bound to an org; with bind_email_domain, 23514 the free tier binds no email domain (roboto_orgs.tier_limits). On any error no org is created.';

CREATE FUNCTION roboto_orgs.get_org(org text) RETURNS roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_get_org'
  LANGUAGE C STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.get_org(text) IS
  'Org.from_id, Org.refresh: the org. Members only. Errors: 42501 anonymous or not a member; 22004 NULL org; PT404 no such org.';

CREATE FUNCTION roboto_orgs.orgs_for_self() RETURNS SETOF roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_orgs_for_self'
  LANGUAGE C STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  ROWS 10;
COMMENT ON FUNCTION roboto_orgs.orgs_for_self() IS
  'Org.for_self: the orgs the caller is a member of, oldest membership first. Any known user. Errors: 42501 anonymous or unknown caller.';

CREATE FUNCTION roboto_orgs.orgs_for_user(user_id text) RETURNS SETOF roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_orgs_for_user'
  LANGUAGE C STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  ROWS 10;
COMMENT ON FUNCTION roboto_orgs.orgs_for_user(text) IS
  'Org.for_user: the orgs a user is a member of, oldest membership first. That user, or the trusted service. Errors: 42501 anyone else; 22004 NULL user_id; PT404 no such user.';

CREATE FUNCTION roboto_orgs.update_org(
  org text,
  name text DEFAULT NULL,
  status roboto_orgs.org_status DEFAULT NULL)
RETURNS roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_update_org'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.update_org(text, text, roboto_orgs.org_status) IS
  'Org.update (UpdateOrgRequest): renames (admin) and/or moves the status (owner). Errors: 42501 not allowed; 22004 NULL org; 22023 no change given, bad name, org de-provisioning; 23505 name taken; 23514 status move not allowed; PT404 no such org.';

CREATE FUNCTION roboto_orgs.delete_org(org text) RETURNS void
  AS 'MODULE_PATHNAME', 'roboto_orgs_delete_org'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.delete_org(text) IS
  'Org.delete: deletes the org with its members, invites and email domains (its events stay). Owners only. Errors: 42501 anonymous or not an owner; 22004 NULL org; PT404 no such org; 23503 rows of another table still reference the org (the message names the table).';

--------------------------------------------------------------------------------
-- Members and roles (seed: Org.users, add/remove_role_for_user, remove_user,
-- UpdateOrgUserRequest, ModifyRoleForUserRequest)
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.org_users(org text) RETURNS SETOF roboto_orgs.org_user_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_org_users'
  LANGUAGE C STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  ROWS 20;
COMMENT ON FUNCTION roboto_orgs.org_users(text) IS
  'Org.users: the members with their roles, oldest membership first. Members only. Errors: 42501 anonymous or not a member; 22004 NULL org; PT404 no such org.';

CREATE FUNCTION roboto_orgs.add_role_for_user(org text, user_id text, role roboto_orgs.org_role_name)
RETURNS roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_add_role_for_user'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.add_role_for_user(text, text, roboto_orgs.org_role_name) IS
  'Org.add_role_for_user: grants a role to a member. Admins; owners for role owner or for a member who is an owner. Errors: 42501 not allowed; 22004 NULL argument; 22023 org de-provisioning; PT404 no such org, or user not a member.';

CREATE FUNCTION roboto_orgs.remove_role_from_user(org text, user_id text, role roboto_orgs.org_role_name)
RETURNS roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_remove_role_from_user'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.remove_role_from_user(text, text, roboto_orgs.org_role_name) IS
  'Org.remove_role_from_user: revokes a role; removing the last role removes the membership. Admins; owners for role owner or for a member who is an owner. Errors: 42501 not allowed; 22004 NULL argument; 22023 org de-provisioning; 23514 last owner; PT404 no such org, or user not a member.';

CREATE FUNCTION roboto_orgs.update_org_user(
  org text,
  user_id text,
  add_roles roboto_orgs.org_role_name[] DEFAULT NULL,
  remove_roles roboto_orgs.org_role_name[] DEFAULT NULL)
RETURNS roboto_orgs.org_user_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_update_org_user'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.update_org_user(text, text, roboto_orgs.org_role_name[], roboto_orgs.org_role_name[]) IS
  'UpdateOrgUserRequest: adds and removes roles of a member in one step. Admins; owners when role owner is touched or the member is an owner. Errors: 42501 not allowed; 22004 NULL org or user_id; 22023 no roles given (check_some_updates_present), a role both added and removed, a NULL role, a multi-dimensional array, no role left, org de-provisioning; 23514 last owner; PT404 no such org, or user not a member.';

CREATE FUNCTION roboto_orgs.modify_role_for_user(org text, user_id text, role_name roboto_orgs.org_role_name)
RETURNS roboto_orgs.org_user_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_modify_role_for_user'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.modify_role_for_user(text, text, roboto_orgs.org_role_name) IS
  'ModifyRoleForUserRequest (deprecated: use update_org_user): sets a member''s roles to exactly role_name and raises a WARNING (01P01). Admins; owners when role_name is owner or the member is an owner. Errors: 42501 not allowed; 22004 NULL argument; 22023 org de-provisioning; 23514 last owner; PT404 no such org, or user not a member.';

CREATE FUNCTION roboto_orgs.remove_user(org text, user_id text) RETURNS roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_remove_user'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.remove_user(text, text) IS
  'Org.remove_user (RemoveUserFromOrgRequest): removes a member. Admins (owners to remove an owner), or the member themself. Errors: 42501 not allowed; 22004 NULL argument; 22023 org de-provisioning; 23514 last owner; PT404 no such org, or user not a member.';

--------------------------------------------------------------------------------
-- Invitations (seed: OrgInvite, Org.invite_user, Org.invites)
--------------------------------------------------------------------------------

CREATE TYPE roboto_orgs.org_invite_status AS ENUM ('pending', 'accepted', 'declined', 'revoked', 'expired');
COMMENT ON TYPE roboto_orgs.org_invite_status IS
  'State of an invitation: pending until the invitee accepts or declines, an admin revokes it, or it expires (roboto_orgs.invite_ttl after creation); answered once';

CREATE TYPE roboto_orgs.org_invite_record AS (
  invite_id  text,
  user_id    text,
  invited_by roboto_orgs.user_record,
  org        roboto_orgs.org_record,
  status     roboto_orgs.org_invite_status,
  created    timestamptz,
  expires    timestamptz
);
COMMENT ON TYPE roboto_orgs.org_invite_record IS
  'An invitation as the seed''s OrgInviteRecord, with its status, creation and expiry times';

CREATE TABLE roboto_orgs.org_invites (
  invite_id  text PRIMARY KEY DEFAULT roboto_orgs.new_id('iv'),
  org_id     text NOT NULL REFERENCES roboto_orgs.orgs (org_id) ON DELETE CASCADE ON UPDATE CASCADE,
  user_id    text NOT NULL REFERENCES roboto_orgs.users (user_id) ON DELETE CASCADE ON UPDATE CASCADE,
  invited_by text REFERENCES roboto_orgs.users (user_id) ON DELETE SET NULL ON UPDATE CASCADE,
  status     roboto_orgs.org_invite_status NOT NULL DEFAULT 'pending',
  created    timestamptz NOT NULL DEFAULT pg_catalog.now(),
  expires    timestamptz NOT NULL,
  answered   timestamptz,
  CONSTRAINT org_invites_answered_check CHECK ((status = 'pending') = (answered IS NULL))
);
CREATE UNIQUE INDEX org_invites_one_pending ON roboto_orgs.org_invites (org_id, user_id) WHERE status = 'pending';
CREATE INDEX org_invites_user_idx ON roboto_orgs.org_invites (user_id);
COMMENT ON TABLE roboto_orgs.org_invites IS
  'Invitations (internal): at most one pending per (org, user); answered once';
SELECT pg_catalog.pg_extension_config_dump('roboto_orgs.org_invites', '');

CREATE FUNCTION roboto_orgs.invites_check() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_invites_check'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.invites_check() IS
  'Trigger (invariant 4): no invite for a member (23505) or to a de-provisioning org (23514); an answered invite never changes (23514); only status, answered and expires of a pending invite change, and any invite follows a rename of its org, user or inviter (ON UPDATE CASCADE). A new pending invite locks the org row and looks for the membership with the latest snapshot, so it cannot race a join';

CREATE FUNCTION roboto_orgs.members_close_invites() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_members_close_invites'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.members_close_invites() IS
  'Trigger (invariant 4): a user who becomes a member by any other path than accept_invite has their pending invites to that org revoked; locks the org row and revokes with the latest snapshot, so an invite sent concurrently is revoked too';

CREATE TRIGGER invites_check
  BEFORE INSERT OR UPDATE ON roboto_orgs.org_invites
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.invites_check();

CREATE TRIGGER members_close_invites
  AFTER INSERT ON roboto_orgs.org_members
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.members_close_invites();

CREATE FUNCTION roboto_orgs.invite_user(org text, invited_user_id text) RETURNS roboto_orgs.org_invite_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_invite_user'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.invite_user(text, text) IS
  'Org.invite_user, OrgInvite.create (InviteUserRequest): invites a user; the invite expires after roboto_orgs.invite_ttl (default 7 days). Admins. Errors: 42501 anonymous or not an admin; 22004 NULL argument; 22023 org not active; 23505 user already a member or already invited (pending); 23514 no free seat (members and pending invites at max_members of the org''s tier); PT404 no such org or user.';

CREATE FUNCTION roboto_orgs.org_invites(org text) RETURNS SETOF roboto_orgs.org_invite_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_org_invites'
  LANGUAGE C STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  ROWS 10;
COMMENT ON FUNCTION roboto_orgs.org_invites(text) IS
  'Org.invites, OrgInvite.for_org: the pending, unexpired invites of an org, oldest first. Admins. Errors: 42501 anonymous or not an admin; 22004 NULL org; PT404 no such org.';

CREATE FUNCTION roboto_orgs.get_invite(invite_id text) RETURNS roboto_orgs.org_invite_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_get_invite'
  LANGUAGE C STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.get_invite(text) IS
  'OrgInvite.from_id: an invite in any state (a pending one past its expiry shows as expired). The invitee or an admin of the org. Errors: 42501 anonymous or anyone else; 22004 NULL invite_id; PT404 no such invite.';

CREATE FUNCTION roboto_orgs.accept_invite(invite_id text) RETURNS roboto_orgs.org_user_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_accept_invite'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.accept_invite(text) IS
  'OrgInvite.accept: the invitee joins the org with role user; returns the membership. The invitee only. Errors: 42501 anonymous or not the invitee; 22004 NULL invite_id; 22023 invite not pending (accepted, declined, revoked) or expired, org not active; 23514 no free seat (the members at max_members of the org''s tier); PT404 no such invite.';

CREATE FUNCTION roboto_orgs.decline_invite(invite_id text) RETURNS void
  AS 'MODULE_PATHNAME', 'roboto_orgs_decline_invite'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.decline_invite(text) IS
  'OrgInvite.decline: the invite is declined for good. The invitee only. Errors: 42501 anonymous or not the invitee; 22004 NULL invite_id; 22023 invite not pending or expired; PT404 no such invite.';

CREATE FUNCTION roboto_orgs.revoke_invite(invite_id text) RETURNS void
  AS 'MODULE_PATHNAME', 'roboto_orgs_revoke_invite'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.revoke_invite(text) IS
  'Beyond the seed: an admin withdraws a pending invite. Admins of the org. Errors: 42501 anonymous or not an admin; 22004 NULL invite_id; 22023 invite not pending or expired; PT404 no such invite.';

--------------------------------------------------------------------------------
-- Tier limits (invariant 6)
--------------------------------------------------------------------------------

CREATE TABLE roboto_orgs.tier_limits (
  tier              roboto_orgs.org_tier PRIMARY KEY,
  max_members       integer CHECK (max_members >= 1),
  max_email_domains integer CHECK (max_email_domains >= 0)
);
COMMENT ON TABLE roboto_orgs.tier_limits IS
  'Limits per tier, editable by the deployment; NULL is unlimited. max_members counts members and pending invites. An INSERT of an existing tier updates it.';
COMMENT ON COLUMN roboto_orgs.tier_limits.max_members IS 'Members plus pending invites an org of this tier may have; NULL for no limit';
COMMENT ON COLUMN roboto_orgs.tier_limits.max_email_domains IS 'Email domains an org of this tier may bind; NULL for no limit';

CREATE FUNCTION roboto_orgs.tier_limits_merge() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  -- An existing tier is updated in place: so restoring a dump (which loads
  -- the rows again after CREATE EXTENSION shipped them) neither duplicates
  -- nor loses a deployment's edits.
  UPDATE roboto_orgs.tier_limits
     SET max_members = NEW.max_members, max_email_domains = NEW.max_email_domains
   WHERE tier = NEW.tier;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END;
$$;
COMMENT ON FUNCTION roboto_orgs.tier_limits_merge() IS
  'Trigger: an INSERT into tier_limits of a tier that is already there updates that row instead';

CREATE TRIGGER tier_limits_merge
  BEFORE INSERT ON roboto_orgs.tier_limits
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.tier_limits_merge();
-- Also with session_replication_role = replica, which a parallel pg_restore
-- needs (docs/operations.md): the restored rows still replace the shipped ones.
ALTER TABLE roboto_orgs.tier_limits ENABLE ALWAYS TRIGGER tier_limits_merge;

INSERT INTO roboto_orgs.tier_limits (tier, max_members, max_email_domains) VALUES
  ('free', 10, 1),
  ('premium', NULL, NULL);
SELECT pg_catalog.pg_extension_config_dump('roboto_orgs.tier_limits', '');

CREATE FUNCTION roboto_orgs.check_seats() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_check_seats'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.check_seats() IS
  'Trigger (invariant 6): a new member or pending invite needs a free seat under the org''s tier limit (max_members), a new email domain binding room under max_email_domains (23514); the org row is locked and seats counted with the latest snapshot, so concurrent joins cannot both take the last seat';

CREATE TRIGGER members_check_seats
  BEFORE INSERT ON roboto_orgs.org_members
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.check_seats();

CREATE TRIGGER invites_check_seats
  BEFORE INSERT ON roboto_orgs.org_invites
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.check_seats();

CREATE FUNCTION roboto_orgs.set_org_tier(org text, tier roboto_orgs.org_tier) RETURNS roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_set_org_tier'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.set_org_tier(text, roboto_orgs.org_tier) IS
  'Beyond the seed (Org.tier): moves an org to another tier (billing). Moving to a smaller tier removes nobody; it only stops new joins. Trusted service only. Errors: 42501 not the trusted service; 22004 NULL argument; 22023 org de-provisioning; PT404 no such org.';

--------------------------------------------------------------------------------
-- Event log: one row per change, NOTIFY roboto_orgs_events on commit
--------------------------------------------------------------------------------

CREATE SEQUENCE roboto_orgs.event_id_seq;
CREATE TABLE roboto_orgs.events (
  event_id   bigint PRIMARY KEY DEFAULT pg_catalog.nextval('roboto_orgs.event_id_seq'),
  org_id     text NOT NULL,
  actor      text,
  actor_role text,
  kind       text NOT NULL,
  subject    text,
  before     jsonb,
  after      jsonb,
  created    timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER SEQUENCE roboto_orgs.event_id_seq OWNED BY roboto_orgs.events.event_id;
CREATE INDEX events_org_idx ON roboto_orgs.events (org_id, event_id);
COMMENT ON TABLE roboto_orgs.events IS
  'Append-only event log: who (actor = caller id, actor_role = database role), when, what (kind, subject), before and after; kept after the org is deleted';
SELECT pg_catalog.pg_extension_config_dump('roboto_orgs.events', '');
SELECT pg_catalog.pg_extension_config_dump('roboto_orgs.event_id_seq', '');

CREATE TYPE roboto_orgs.org_event AS (
  event_id   bigint,
  org_id     text,
  actor      text,
  actor_role text,
  kind       text,
  subject    text,
  before     jsonb,
  after      jsonb,
  created    timestamptz
);
COMMENT ON TYPE roboto_orgs.org_event IS 'An event of the log, as org_events() returns it';

CREATE FUNCTION roboto_orgs.events_append_only() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_events_append_only'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.events_append_only() IS
  'Trigger: events are never updated (23514); only the extension owner or a superuser may delete them, for retention';

CREATE TRIGGER events_append_only
  BEFORE UPDATE ON roboto_orgs.events
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.events_append_only();

CREATE FUNCTION roboto_orgs.log_change() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_log_change'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.log_change() IS
  'Trigger: appends one event per change of an org, membership, invite or email domain binding and sends NOTIFY roboto_orgs_events';

CREATE TRIGGER log_change
  AFTER INSERT OR UPDATE OR DELETE ON roboto_orgs.orgs
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.log_change();
CREATE TRIGGER log_change
  AFTER INSERT OR UPDATE OR DELETE ON roboto_orgs.org_members
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.log_change();
CREATE TRIGGER log_change
  AFTER INSERT OR UPDATE OR DELETE ON roboto_orgs.org_invites
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.log_change();

CREATE FUNCTION roboto_orgs.org_events(
  org text,
  after_event_id bigint DEFAULT 0,
  max_rows integer DEFAULT 100)
RETURNS SETOF roboto_orgs.org_event
  AS 'MODULE_PATHNAME', 'roboto_orgs_org_events'
  LANGUAGE C STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  ROWS 100;
COMMENT ON FUNCTION roboto_orgs.org_events(text, bigint, integer) IS
  'Beyond the seed: pages through an org''s events in event_id order, after after_event_id, at most max_rows (1 to 1000). Admins of the org; the trusted service for any org, deleted ones included. Errors: 42501 anonymous or not an admin; 22004 NULL argument; 22023 max_rows out of range; PT404 no such org.';

--------------------------------------------------------------------------------
-- Row-level security helpers
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.is_member(org text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'roboto_orgs_is_member'
  LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.is_member(text) IS
  'RLS helper: true when the caller is a member of org; false for anonymous callers, unknown orgs and NULL. Anyone. Errors: only those of caller_id() for malformed request.jwt.claims (22P02, 22023).';

CREATE FUNCTION roboto_orgs.has_role(org text, role roboto_orgs.org_role_name) RETURNS boolean
  AS 'MODULE_PATHNAME', 'roboto_orgs_has_role'
  LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.has_role(text, roboto_orgs.org_role_name) IS
  'RLS helper: true when the caller holds role or a role above it in org; false for anonymous callers, unknown orgs and NULL. Anyone. Errors: only those of caller_id() for malformed request.jwt.claims (22P02, 22023).';

--------------------------------------------------------------------------------
-- Email domains (seed: BindEmailDomainRequest, Org.bind_email_domain,
-- Org.unbind_email_domain, Org.email_domains, CreateOrgRequest's
-- bind_email_domain; invariant 5: a domain is bound to at most one org,
-- compared on the normalised form)
--------------------------------------------------------------------------------

CREATE TYPE roboto_orgs.email_domain;

CREATE FUNCTION roboto_orgs.email_domain_in(cstring) RETURNS roboto_orgs.email_domain
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_in'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.email_domain_in(cstring) IS
  'Input of email_domain: normalises the text (see the type). Errors: 22P02 malformed (@, *, scheme, port, path, white space or other characters outside letters, digits, hyphens and dots, invalid punycode); 22023 not a registrable host name (empty, single label, empty label, label over 63 or name over 253 octets, leading or trailing hyphen, all-digit top-level label, rejected by IDNA2008, input over 2048 octets).';

CREATE FUNCTION roboto_orgs.email_domain_out(roboto_orgs.email_domain) RETURNS cstring
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_out'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.email_domain_out(roboto_orgs.email_domain) IS
  'Output of email_domain: the normalised ASCII (A-label) form';

CREATE FUNCTION roboto_orgs.email_domain_recv(internal) RETURNS roboto_orgs.email_domain
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_recv'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.email_domain_recv(internal) IS
  'Binary input of email_domain: text, normalised and checked as by email_domain_in. Errors as email_domain_in.';

CREATE FUNCTION roboto_orgs.email_domain_send(roboto_orgs.email_domain) RETURNS bytea
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_send'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.email_domain_send(roboto_orgs.email_domain) IS
  'Binary output of email_domain: the normalised form as text';

CREATE TYPE roboto_orgs.email_domain (
  INPUT = roboto_orgs.email_domain_in,
  OUTPUT = roboto_orgs.email_domain_out,
  RECEIVE = roboto_orgs.email_domain_recv,
  SEND = roboto_orgs.email_domain_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT = int4,
  STORAGE = extended
);
COMMENT ON TYPE roboto_orgs.email_domain IS
  'An email domain (seed: BindEmailDomainRequest.email_domain), stored normalised: white space trimmed, lower case, one trailing dot dropped, internationalised names as punycode A-labels (IDNA2008 with the UTS #46 non-transitional mapping, libidn2). Two spellings of a domain are equal; a subdomain or a look-alike suffix is not. Casts to and from text; btree and hash operator classes.';

CREATE FUNCTION roboto_orgs.email_domain(text) RETURNS roboto_orgs.email_domain
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_from_text'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.email_domain(text) IS
  'Cast from text to email_domain: normalises as email_domain_in. Errors as email_domain_in.';

CREATE CAST (text AS roboto_orgs.email_domain)
  WITH FUNCTION roboto_orgs.email_domain(text) AS ASSIGNMENT;
CREATE CAST (roboto_orgs.email_domain AS text)
  WITHOUT FUNCTION AS ASSIGNMENT;

CREATE FUNCTION roboto_orgs.email_domain_of(email text) RETURNS roboto_orgs.email_domain
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_of'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.email_domain_of(text) IS
  'The domain of an email address: the part after its last @, normalised as email_domain. Anyone. Errors: 22023 not an address (no @, nothing before it, white space in it); then as email_domain_in for the domain part.';

CREATE FUNCTION roboto_orgs.email_domain_unicode(email_domain roboto_orgs.email_domain) RETURNS text
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_unicode'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.email_domain_unicode(roboto_orgs.email_domain) IS
  'The Unicode (U-label) form of an email domain, for display: email_domain_unicode(''xn--bcher-kva.de'') = ''bücher.de''. Anyone. Errors: 22P05 when the database encoding cannot represent it.';

CREATE FUNCTION roboto_orgs.email_domain_eq(roboto_orgs.email_domain, roboto_orgs.email_domain) RETURNS boolean
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION roboto_orgs.email_domain_ne(roboto_orgs.email_domain, roboto_orgs.email_domain) RETURNS boolean
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION roboto_orgs.email_domain_lt(roboto_orgs.email_domain, roboto_orgs.email_domain) RETURNS boolean
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION roboto_orgs.email_domain_le(roboto_orgs.email_domain, roboto_orgs.email_domain) RETURNS boolean
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION roboto_orgs.email_domain_gt(roboto_orgs.email_domain, roboto_orgs.email_domain) RETURNS boolean
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION roboto_orgs.email_domain_ge(roboto_orgs.email_domain, roboto_orgs.email_domain) RETURNS boolean
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION roboto_orgs.email_domain_cmp(roboto_orgs.email_domain, roboto_orgs.email_domain) RETURNS integer
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION roboto_orgs.email_domain_hash(roboto_orgs.email_domain) RETURNS integer
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION roboto_orgs.email_domain_hash_extended(roboto_orgs.email_domain, bigint) RETURNS bigint
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION roboto_orgs.email_domain_cmp(roboto_orgs.email_domain, roboto_orgs.email_domain) IS
  'btree support: byte-wise order of the normalised forms';
COMMENT ON FUNCTION roboto_orgs.email_domain_hash(roboto_orgs.email_domain) IS
  'hash support: hash of the normalised form';

CREATE OPERATOR roboto_orgs.= (
  LEFTARG = roboto_orgs.email_domain, RIGHTARG = roboto_orgs.email_domain,
  FUNCTION = roboto_orgs.email_domain_eq,
  COMMUTATOR = OPERATOR(roboto_orgs.=), NEGATOR = OPERATOR(roboto_orgs.<>),
  RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR roboto_orgs.<> (
  LEFTARG = roboto_orgs.email_domain, RIGHTARG = roboto_orgs.email_domain,
  FUNCTION = roboto_orgs.email_domain_ne,
  COMMUTATOR = OPERATOR(roboto_orgs.<>), NEGATOR = OPERATOR(roboto_orgs.=),
  RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR roboto_orgs.< (
  LEFTARG = roboto_orgs.email_domain, RIGHTARG = roboto_orgs.email_domain,
  FUNCTION = roboto_orgs.email_domain_lt,
  COMMUTATOR = OPERATOR(roboto_orgs.>), NEGATOR = OPERATOR(roboto_orgs.>=),
  RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR roboto_orgs.<= (
  LEFTARG = roboto_orgs.email_domain, RIGHTARG = roboto_orgs.email_domain,
  FUNCTION = roboto_orgs.email_domain_le,
  COMMUTATOR = OPERATOR(roboto_orgs.>=), NEGATOR = OPERATOR(roboto_orgs.>),
  RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR roboto_orgs.> (
  LEFTARG = roboto_orgs.email_domain, RIGHTARG = roboto_orgs.email_domain,
  FUNCTION = roboto_orgs.email_domain_gt,
  COMMUTATOR = OPERATOR(roboto_orgs.<), NEGATOR = OPERATOR(roboto_orgs.<=),
  RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR roboto_orgs.>= (
  LEFTARG = roboto_orgs.email_domain, RIGHTARG = roboto_orgs.email_domain,
  FUNCTION = roboto_orgs.email_domain_ge,
  COMMUTATOR = OPERATOR(roboto_orgs.<=), NEGATOR = OPERATOR(roboto_orgs.<),
  RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR CLASS roboto_orgs.email_domain_ops
  DEFAULT FOR TYPE roboto_orgs.email_domain USING btree AS
    OPERATOR 1 roboto_orgs.<,
    OPERATOR 2 roboto_orgs.<=,
    OPERATOR 3 roboto_orgs.=,
    OPERATOR 4 roboto_orgs.>=,
    OPERATOR 5 roboto_orgs.>,
    FUNCTION 1 roboto_orgs.email_domain_cmp(roboto_orgs.email_domain, roboto_orgs.email_domain),
    FUNCTION 4 pg_catalog.btequalimage(oid);

CREATE OPERATOR CLASS roboto_orgs.email_domain_hash_ops
  DEFAULT FOR TYPE roboto_orgs.email_domain USING hash AS
    OPERATOR 1 roboto_orgs.=,
    FUNCTION 1 roboto_orgs.email_domain_hash(roboto_orgs.email_domain),
    FUNCTION 2 roboto_orgs.email_domain_hash_extended(roboto_orgs.email_domain, bigint);

-- Bindings. The primary key on the normalised domain is invariant 5. bound_by
-- references users so that pg_dump reloads users before bindings (it orders
-- extension tables by their foreign keys): the sign-up trigger then finds no
-- binding while the dumped users are reloaded, and adds no memberships of
-- its own next to the dumped ones.
CREATE TABLE roboto_orgs.org_email_domains (
  email_domain roboto_orgs.email_domain PRIMARY KEY,
  org_id       text NOT NULL REFERENCES roboto_orgs.orgs (org_id) ON DELETE CASCADE ON UPDATE CASCADE,
  verified     boolean NOT NULL DEFAULT false,
  bound_by     text REFERENCES roboto_orgs.users (user_id) ON DELETE SET NULL ON UPDATE CASCADE,
  created      timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX org_email_domains_org_idx ON roboto_orgs.org_email_domains (org_id, email_domain);
COMMENT ON TABLE roboto_orgs.org_email_domains IS
  'Email domains bound to orgs (internal; written by bind/verify/unbind_email_domain and create_org): a domain is bound to at most one org; only verified bindings make new users join';

-- Public webmail domains, which no org may bind. Editable by the extension
-- owner; kept by pg_dump as a whole (the merge trigger folds the dumped rows
-- into the list CREATE EXTENSION ships).
CREATE TABLE roboto_orgs.webmail_domains (
  email_domain roboto_orgs.email_domain PRIMARY KEY,
  refused      boolean NOT NULL DEFAULT true,
  note         text
);
COMMENT ON TABLE roboto_orgs.webmail_domains IS
  'Public webmail domains (editable): bind_email_domain and create_org refuse a domain listed here with refused = true, and its subdomains. To allow a shipped entry, set refused = false rather than deleting it (a deleted shipped entry comes back when a dump is restored).';

SELECT pg_catalog.pg_extension_config_dump('roboto_orgs.org_email_domains', '');
SELECT pg_catalog.pg_extension_config_dump('roboto_orgs.webmail_domains', '');

CREATE FUNCTION roboto_orgs.email_domains_check_org() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domains_check_org'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.email_domains_check_org() IS
  'Trigger (invariant 3): no email domain is bound to, or changed in, an org that is de-provisioning (23514)';

CREATE FUNCTION roboto_orgs.users_join_by_email_domain() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_users_join_by_email_domain'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.users_join_by_email_domain() IS
  'Trigger (sign-up auto-join): a new user whose email domain is bound to an org, and verified, joins it with role user in the same transaction, whatever path inserts the user; an org that is de-provisioning is skipped';

CREATE FUNCTION roboto_orgs.webmail_domains_merge() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_webmail_domains_merge'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.webmail_domains_merge() IS
  'Trigger: inserting a webmail domain that is listed updates its row instead, so a dump of the edited list restores over the shipped one';

CREATE TRIGGER email_domains_check_org
  BEFORE INSERT OR UPDATE ON roboto_orgs.org_email_domains
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.email_domains_check_org();

CREATE TRIGGER users_join_by_email_domain
  AFTER INSERT ON roboto_orgs.users
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.users_join_by_email_domain();

CREATE TRIGGER webmail_domains_merge
  BEFORE INSERT ON roboto_orgs.webmail_domains
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.webmail_domains_merge();
-- Also with session_replication_role = replica, as tier_limits_merge
ALTER TABLE roboto_orgs.webmail_domains ENABLE ALWAYS TRIGGER webmail_domains_merge;

-- Tier limit on bound domains (invariant 6) and the event log, as for the
-- other tables
CREATE TRIGGER email_domains_check_limit
  BEFORE INSERT ON roboto_orgs.org_email_domains
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.check_seats();

CREATE TRIGGER log_change
  AFTER INSERT OR UPDATE OR DELETE ON roboto_orgs.org_email_domains
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.log_change();

INSERT INTO roboto_orgs.webmail_domains (email_domain, note) VALUES
  ('gmail.com', 'Google'), ('googlemail.com', 'Google'),
  ('outlook.com', 'Microsoft'), ('outlook.de', 'Microsoft'), ('outlook.fr', 'Microsoft'),
  ('hotmail.com', 'Microsoft'), ('hotmail.co.uk', 'Microsoft'), ('hotmail.de', 'Microsoft'),
  ('hotmail.fr', 'Microsoft'), ('hotmail.it', 'Microsoft'), ('hotmail.es', 'Microsoft'),
  ('live.com', 'Microsoft'), ('live.co.uk', 'Microsoft'), ('live.de', 'Microsoft'),
  ('live.fr', 'Microsoft'), ('msn.com', 'Microsoft'), ('passport.com', 'Microsoft'),
  ('yahoo.com', 'Yahoo'), ('yahoo.co.uk', 'Yahoo'), ('yahoo.de', 'Yahoo'), ('yahoo.fr', 'Yahoo'),
  ('yahoo.co.jp', 'Yahoo'), ('yahoo.ca', 'Yahoo'), ('yahoo.com.br', 'Yahoo'),
  ('ymail.com', 'Yahoo'), ('rocketmail.com', 'Yahoo'),
  ('icloud.com', 'Apple'), ('me.com', 'Apple'), ('mac.com', 'Apple'),
  ('aol.com', 'AOL'), ('aim.com', 'AOL'),
  ('proton.me', 'Proton'), ('protonmail.com', 'Proton'), ('protonmail.ch', 'Proton'), ('pm.me', 'Proton'),
  ('gmx.com', 'GMX'), ('gmx.de', 'GMX'), ('gmx.net', 'GMX'), ('gmx.at', 'GMX'), ('gmx.ch', 'GMX'),
  ('web.de', 'WEB.DE'), ('mail.com', 'mail.com'), ('email.com', 'mail.com'),
  ('t-online.de', 'Telekom'), ('freenet.de', 'freenet'),
  ('mail.ru', 'VK'), ('bk.ru', 'VK'), ('inbox.ru', 'VK'), ('list.ru', 'VK'),
  ('yandex.ru', 'Yandex'), ('yandex.com', 'Yandex'), ('ya.ru', 'Yandex'), ('rambler.ru', 'Rambler'),
  ('qq.com', 'Tencent'), ('foxmail.com', 'Tencent'),
  ('163.com', 'NetEase'), ('126.com', 'NetEase'), ('yeah.net', 'NetEase'),
  ('sina.com', 'Sina'), ('sohu.com', 'Sohu'), ('aliyun.com', 'Alibaba'),
  ('naver.com', 'Naver'), ('daum.net', 'Kakao'), ('hanmail.net', 'Kakao'),
  ('zoho.com', 'Zoho'), ('zohomail.com', 'Zoho'),
  ('tutanota.com', 'Tuta'), ('tutanota.de', 'Tuta'), ('tuta.io', 'Tuta'), ('tuta.com', 'Tuta'),
  ('fastmail.com', 'Fastmail'), ('fastmail.fm', 'Fastmail'), ('hey.com', 'HEY'),
  ('duck.com', 'DuckDuckGo'), ('hushmail.com', 'Hushmail'),
  ('rediffmail.com', 'Rediff'), ('libero.it', 'Libero'), ('virgilio.it', 'Virgilio'),
  ('orange.fr', 'Orange'), ('wanadoo.fr', 'Orange'), ('free.fr', 'Free'), ('laposte.net', 'La Poste'),
  ('seznam.cz', 'Seznam'), ('wp.pl', 'Wirtualna Polska'), ('o2.pl', 'Wirtualna Polska'),
  ('interia.pl', 'Interia'), ('onet.pl', 'Onet'), ('ukr.net', 'ukr.net'),
  ('comcast.net', 'Comcast'), ('verizon.net', 'Verizon'), ('att.net', 'AT&T'), ('sbcglobal.net', 'AT&T'),
  ('btinternet.com', 'BT'), ('sky.com', 'Sky'), ('virginmedia.com', 'Virgin Media'),
  ('bigpond.com', 'Telstra'), ('shaw.ca', 'Shaw'), ('rogers.com', 'Rogers'),
  ('uol.com.br', 'UOL'), ('bol.com.br', 'UOL'), ('terra.com.br', 'Terra');

CREATE FUNCTION roboto_orgs.bind_email_domain(org text, email_domain roboto_orgs.email_domain)
RETURNS roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_bind_email_domain'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.bind_email_domain(text, roboto_orgs.email_domain) IS
  'Org.bind_email_domain (BindEmailDomainRequest): binds an email domain to the org, so that new users with addresses there join it. Verified at once when it is the caller''s own email domain; otherwise pending until verify_email_domain. Admins. Errors: 42501 anonymous or not an admin; 22004 NULL argument; 22P02/22023 not a valid domain (the type); 22023 a public webmail domain or a subdomain of one, org de-provisioning; 23505 already bound to an org (any spelling); 23514 the org binds max_email_domains of its tier already; PT404 no such org.';

CREATE FUNCTION roboto_orgs.verify_email_domain(org text, email_domain roboto_orgs.email_domain)
RETURNS roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_verify_email_domain'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.verify_email_domain(text, roboto_orgs.email_domain) IS
  'Beyond the seed: marks a binding verified, after the app has checked ownership (e.g. a DNS TXT record); only verified bindings make new users join. Trusted service only. Errors: 42501 not the trusted service; 22004 NULL argument; 22P02/22023 not a valid domain; 22023 org de-provisioning; PT404 no such org, or the domain is not bound to it.';

CREATE FUNCTION roboto_orgs.unbind_email_domain(org text, email_domain roboto_orgs.email_domain)
RETURNS roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_unbind_email_domain'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.unbind_email_domain(text, roboto_orgs.email_domain) IS
  'Org.unbind_email_domain: removes a binding; members who joined through it stay. Admins. Errors: 42501 anonymous or not an admin; 22004 NULL argument; 22P02/22023 not a valid domain; 22023 org de-provisioning; PT404 no such org, or the domain is not bound to it.';

CREATE FUNCTION roboto_orgs.email_domains(org text) RETURNS SETOF roboto_orgs.email_domain
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domains'
  LANGUAGE C STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  ROWS 3;
COMMENT ON FUNCTION roboto_orgs.email_domains(text) IS
  'Org.email_domains: the domains bound to the org, verified or pending, in order. Admins. Errors: 42501 anonymous or not an admin; 22004 NULL org; PT404 no such org.';

CREATE FUNCTION roboto_orgs.email_domain_bindings(org text)
RETURNS TABLE (email_domain roboto_orgs.email_domain, verified boolean, bound_by text, created timestamptz)
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_bindings'
  LANGUAGE C STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  ROWS 3;
COMMENT ON FUNCTION roboto_orgs.email_domain_bindings(text) IS
  'Beyond the seed: the org''s bindings with their verification state, who bound them and when, ordered by domain. Admins. Errors: 42501 anonymous or not an admin; 22004 NULL org; PT404 no such org.';

--------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC; grant_api_access() grants an API role what
-- it needs. Keep this section last: its REVOKEs at the end cover everything
-- created above. PostgREST's anonymous role gets USAGE on the schema only
-- (docs/postgrest.md), so every call it makes fails with 42501 (HTTP 401).
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.grant_api_access(role_name name) RETURNS void
  LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
  SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  fn regprocedure;
BEGIN
  IF role_name IS NULL OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = role_name) THEN
    RAISE EXCEPTION 'role "%" does not exist', role_name USING ERRCODE = '42704';
  END IF;
  EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA roboto_orgs TO %I', role_name);
  FOREACH fn IN ARRAY roboto_orgs.api_functions() LOOP
    EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %I', fn, role_name);
  END LOOP;
END;
$$;

CREATE FUNCTION roboto_orgs.api_functions() RETURNS regprocedure[]
  LANGUAGE sql STABLE PARALLEL SAFE
  SET search_path = pg_catalog, pg_temp
AS $$
  SELECT ARRAY[
    'roboto_orgs.caller_id()',
    'roboto_orgs.is_trusted_service()',
    'roboto_orgs.create_user(text, text, text, text, boolean, boolean)',
    'roboto_orgs.create_org(text, boolean, roboto_orgs.roboto_region)',
    'roboto_orgs.get_org(text)',
    'roboto_orgs.orgs_for_self()',
    'roboto_orgs.orgs_for_user(text)',
    'roboto_orgs.update_org(text, text, roboto_orgs.org_status)',
    'roboto_orgs.delete_org(text)',
    'roboto_orgs.org_users(text)',
    'roboto_orgs.add_role_for_user(text, text, roboto_orgs.org_role_name)',
    'roboto_orgs.remove_role_from_user(text, text, roboto_orgs.org_role_name)',
    'roboto_orgs.update_org_user(text, text, roboto_orgs.org_role_name[], roboto_orgs.org_role_name[])',
    'roboto_orgs.modify_role_for_user(text, text, roboto_orgs.org_role_name)',
    'roboto_orgs.remove_user(text, text)',
    'roboto_orgs.invite_user(text, text)',
    'roboto_orgs.org_invites(text)',
    'roboto_orgs.get_invite(text)',
    'roboto_orgs.accept_invite(text)',
    'roboto_orgs.decline_invite(text)',
    'roboto_orgs.revoke_invite(text)',
    'roboto_orgs.set_org_tier(text, roboto_orgs.org_tier)',
    'roboto_orgs.org_events(text, bigint, integer)',
    'roboto_orgs.is_member(text)',
    'roboto_orgs.has_role(text, roboto_orgs.org_role_name)',
    'roboto_orgs.email_domain_of(text)',
    'roboto_orgs.email_domain_unicode(roboto_orgs.email_domain)',
    'roboto_orgs.bind_email_domain(text, roboto_orgs.email_domain)',
    'roboto_orgs.verify_email_domain(text, roboto_orgs.email_domain)',
    'roboto_orgs.unbind_email_domain(text, roboto_orgs.email_domain)',
    'roboto_orgs.email_domains(text)',
    'roboto_orgs.email_domain_bindings(text)'
  ]::regprocedure[]
$$;
COMMENT ON FUNCTION roboto_orgs.api_functions() IS
  'The functions grant_api_access() grants EXECUTE on: every API function of roboto_orgs. STABLE: the names are looked up in the catalog. Superuser or the extension owner. Raises nothing.';
COMMENT ON FUNCTION roboto_orgs.grant_api_access(name) IS
  'Grants an API role (an app''s role, PostgREST''s authenticated role, the trusted service''s role) USAGE on schema roboto_orgs and EXECUTE on every function of api_functions(), nothing else: no table, sequence or internal function. Not for PostgREST''s anonymous role, which gets USAGE on the schema only. Idempotent. Superuser or the extension owner. Errors: 42704 no such role (or NULL).';

-- PUBLIC gets nothing: no USAGE on the schema, no privilege on a table or
-- sequence, no EXECUTE (which CREATE FUNCTION grants PUBLIC by default) on a
-- function, except those that touch no data: the ones that implement a type
-- (input and output, operators, casts, operator class support), which every
-- role comparing or indexing values of the type calls, and IMMUTABLE ones.
REVOKE ALL ON SCHEMA roboto_orgs FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA roboto_orgs FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA roboto_orgs FROM PUBLIC;
DO $$
DECLARE
  fn regprocedure;
BEGIN
  FOR fn IN
    SELECT p.oid FROM pg_catalog.pg_proc p
    WHERE p.pronamespace = 'roboto_orgs'::regnamespace
      AND p.provolatile <> 'i'
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_type t
                      WHERE p.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend,
                                      t.typmodin, t.typmodout, t.typanalyze, t.typsubscript))
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_operator o
                      WHERE p.oid IN (o.oprcode, o.oprrest, o.oprjoin))
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_cast c WHERE c.castfunc = p.oid)
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_amproc a WHERE a.amproc = p.oid)
  LOOP
    EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
  END LOOP;
END
$$;
