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
  'Internal: a new opaque id, prefix || ''_'' || 32 hex digits from a cryptographic random source (og_ for orgs, iv_ for invites)';

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
  'Trigger (invariant 2 and 3): a membership holds a non-empty set of roles, stored in role order; no membership changes while the org is de-provisioning';

CREATE FUNCTION roboto_orgs.members_keep_owner() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_members_keep_owner'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.members_keep_owner() IS
  'Trigger (invariant 1): removing or demoting an owner fails with 23514 when the org would be left without one; locks the org row and counts with the latest snapshot, so concurrent demotions cannot both commit';

CREATE FUNCTION roboto_orgs.orgs_check_status() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_orgs_check_status'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.orgs_check_status() IS
  'Trigger (invariant 3): status moves provisioning -> active -> de-provisioning (or provisioning -> de-provisioning) and never back; a de-provisioning org is not updated';

CREATE FUNCTION roboto_orgs.orgs_require_owner() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_orgs_require_owner'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.orgs_require_owner() IS
  'Deferred constraint trigger (invariant 1): an org inserted in a transaction has an owner when the transaction commits';

CREATE TRIGGER members_check_roles
  BEFORE INSERT OR UPDATE ON roboto_orgs.org_members
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
  'The calling user''s id: the claim named by roboto_orgs.jwt_claim (default sub) of request.jwt.claims; when request.jwt.claims is unset or empty (not a PostgREST request), roboto_orgs.user_id; else NULL (anonymous). Claims without that claim, or with an empty one, are anonymous whatever roboto_orgs.user_id says. Empty strings count as unset. Raises 22023 for claims that are not a JSON object.';

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
  'Sign-up (seed: UserRecord): registers a user. Trusted service only. Errors: 42501 not the trusted service; 22004 NULL user_id or flag; 22023 empty or over-long user_id, name, email without one @, picture_url; 23505 user_id taken.';

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
  'Org.create: creates an active free org; the caller becomes its sole owner. Any known user. Errors: 42501 anonymous or unknown caller; 22004 NULL argument; 22023 empty, blank or over 200 characters name; 23505 name taken (case-insensitive).';

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
  'Org.for_self: the orgs the caller is a member of, oldest membership first. Any known user. Errors: 42501 anonymous.';

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
  'UpdateOrgUserRequest: adds and removes roles of a member in one step. Admins; owners when role owner is touched or the member is an owner. Errors: 42501 not allowed; 22004 NULL org or user_id; 22023 no roles given (check_some_updates_present), a role both added and removed, a NULL role, no role left, org de-provisioning; 23514 last owner; PT404 no such org, or user not a member.';

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
  'Trigger (invariant 4): no invite for a member (23505) or to a de-provisioning org (23514); an answered invite never changes (23514); only status, answered and expires of a pending invite change';

CREATE FUNCTION roboto_orgs.members_close_invites() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_members_close_invites'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.members_close_invites() IS
  'Trigger (invariant 4): a user who becomes a member by any other path than accept_invite has their pending invites to that org revoked';

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
  'Org.invite_user, OrgInvite.create (InviteUserRequest): invites a user; the invite expires after roboto_orgs.invite_ttl (default 7 days). Admins. Errors: 42501 anonymous or not an admin; 22004 NULL argument; 22023 org not active; 23505 user already a member or already invited (pending); PT404 no such org or user.';

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
  'OrgInvite.accept: the invitee joins the org with role user; returns the membership. The invitee only. Errors: 42501 anonymous or not the invitee; 22004 NULL invite_id; 22023 invite not pending (accepted, declined, revoked) or expired, org not active; PT404 no such invite.';

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

INSERT INTO roboto_orgs.tier_limits (tier, max_members, max_email_domains) VALUES
  ('free', 10, 1),
  ('premium', NULL, NULL);
SELECT pg_catalog.pg_extension_config_dump('roboto_orgs.tier_limits', '');

CREATE FUNCTION roboto_orgs.check_seats() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_check_seats'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.check_seats() IS
  'Trigger (invariant 6): a new member or pending invite needs a free seat under the org''s tier limit (23514); the org row is locked and seats counted with the latest snapshot, so concurrent joins cannot both take the last seat';

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
  'Trigger: appends one event per change of an org, membership or invite and sends NOTIFY roboto_orgs_events';

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
  'RLS helper: true when the caller is a member of org; false for anonymous callers, unknown orgs and NULL. Anyone.';

CREATE FUNCTION roboto_orgs.has_role(org text, role roboto_orgs.org_role_name) RETURNS boolean
  AS 'MODULE_PATHNAME', 'roboto_orgs_has_role'
  LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.has_role(text, roboto_orgs.org_role_name) IS
  'RLS helper: true when the caller holds role or a role above it in org; false for anonymous callers, unknown orgs and NULL. Anyone.';

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
    'roboto_orgs.has_role(text, roboto_orgs.org_role_name)'
  ]::regprocedure[]
$$;
COMMENT ON FUNCTION roboto_orgs.api_functions() IS
  'The functions grant_api_access() grants EXECUTE on: every API function of roboto_orgs. STABLE: the names are looked up in the catalog. Superuser or the extension owner.';
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
