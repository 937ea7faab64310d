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
  'The calling user''s id: the claim named by roboto_orgs.jwt_claim (default sub) of request.jwt.claims, else roboto_orgs.user_id, else NULL (anonymous). Empty strings count as unset. Raises 22023 for claims that are not a JSON object.';

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
  'Org.delete: deletes the org with its members. Owners only. Errors: 42501 not an owner; 22004 NULL org; PT404 no such org; 23503 rows of other tables still reference the org.';

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
  'ModifyRoleForUserRequest (deprecated: use update_org_user): sets a member''s roles to exactly role_name and raises a WARNING. Permissions and errors as update_org_user.';

CREATE FUNCTION roboto_orgs.remove_user(org text, user_id text) RETURNS roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_remove_user'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.remove_user(text, text) IS
  'Org.remove_user (RemoveUserFromOrgRequest): removes a member. Admins (owners to remove an owner), or the member themself. Errors: 42501 not allowed; 22004 NULL argument; 22023 org de-provisioning; 23514 last owner; PT404 no such org, or user not a member.';

--------------------------------------------------------------------------------
-- Row-level security helpers, for policies of an app's own tables.
--
-- Two ways to write a policy (measured in docs/performance.md):
--   USING (roboto_orgs.has_role(org_id, 'admin'))      -- or is_member(org_id)
--     per row, answered from a per-query cache of the caller's memberships
--     (one query per statement, then a hash probe per row). The default: it
--     reads like the rule, works in any expression (WITH CHECK, CASE, joins)
--     and costs less per row than the planned-once pattern.
--   USING (org_id = ANY (ARRAY(SELECT roboto_orgs.caller_org_ids('admin'))))
--     the planned-once pattern: the caller's org ids are computed once per
--     query, and with an index on org_id the scan reads only the caller's
--     rows. Use it for large tables of which a caller sees a small part.
--     (org_id IN (SELECT roboto_orgs.caller_org_ids()) also works, but as a
--     filter on every row, not as an index condition.)
-- Both are STABLE and PARALLEL SAFE and carry no SET search_path (a SET
-- clause costs microseconds per call); rls.c explains why that is safe.
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.is_member(org text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'roboto_orgs_is_member'
  LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.is_member(text) IS
  'RLS helper: true when the caller is a member of org; false for anonymous callers, unknown orgs and NULL. Anyone. Cached per query (a statement sees roles changed by earlier statements). Errors: 22023 request.jwt.claims is not a JSON object.';

CREATE FUNCTION roboto_orgs.has_role(org text, role roboto_orgs.org_role_name) RETURNS boolean
  AS 'MODULE_PATHNAME', 'roboto_orgs_has_role'
  LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.has_role(text, roboto_orgs.org_role_name) IS
  'RLS helper: true when the caller holds role or a role above it in org; false for anonymous callers, unknown orgs and NULL. Anyone. Cached per query (a statement sees roles changed by earlier statements). Errors: 22023 request.jwt.claims is not a JSON object.';

CREATE FUNCTION roboto_orgs.caller_org_ids(min_role roboto_orgs.org_role_name DEFAULT 'user')
RETURNS SETOF text
  AS 'MODULE_PATHNAME', 'roboto_orgs_caller_org_ids'
  LANGUAGE C STABLE STRICT PARALLEL SAFE
  ROWS 100;
COMMENT ON FUNCTION roboto_orgs.caller_org_ids(roboto_orgs.org_role_name) IS
  'RLS helper for the planned-once pattern, USING (org_id = ANY (ARRAY(SELECT roboto_orgs.caller_org_ids(''admin'')))): ids of the orgs where the caller holds min_role or a role above it, ordered by id; no rows for anonymous callers or a NULL min_role. Anyone. Errors: 22023 request.jwt.claims is not a JSON object.';

--------------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC; grant_api_access() grants an API role what
-- it needs.
--------------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA roboto_orgs FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA roboto_orgs FROM PUBLIC;

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
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
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
    'roboto_orgs.is_member(text)',
    'roboto_orgs.has_role(text, roboto_orgs.org_role_name)',
    'roboto_orgs.caller_org_ids(roboto_orgs.org_role_name)'
  ]::regprocedure[]
$$;
COMMENT ON FUNCTION roboto_orgs.api_functions() IS
  'The functions grant_api_access() grants EXECUTE on: every API function of roboto_orgs.';
COMMENT ON FUNCTION roboto_orgs.grant_api_access(name) IS
  'Grants an API role (an app''s role, PostgREST''s authenticated role, the trusted service''s role) USAGE on schema roboto_orgs and EXECUTE on every API function; no table privileges. Superuser or the extension owner. Errors: 42704 no such role.';

REVOKE ALL ON FUNCTION roboto_orgs.grant_api_access(name) FROM PUBLIC;
REVOKE ALL ON FUNCTION roboto_orgs.api_functions() FROM PUBLIC;
