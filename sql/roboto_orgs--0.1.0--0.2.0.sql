/* roboto_orgs 0.1.0 -> 0.2.0 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION roboto_orgs UPDATE TO '0.2.0'" to load this file. \quit

--------------------------------------------------------------------------------
-- invites_for_self(): an invitee finds their own pending invites
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.invites_for_self() RETURNS SETOF roboto_orgs.org_invite_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_invites_for_self'
  LANGUAGE C STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  ROWS 10;
COMMENT ON FUNCTION roboto_orgs.invites_for_self() IS
  'Beyond the seed (since 0.2.0): the caller''s own pending, unexpired invites, of orgs that exist, oldest first; the invitee answers them with accept_invite or decline_invite. Any known user. Errors: 42501 anonymous or unknown caller; 22P02/22023 malformed request.jwt.claims.';
REVOKE ALL ON FUNCTION roboto_orgs.invites_for_self() FROM PUBLIC;

--------------------------------------------------------------------------------
-- Row-level security helpers, for policies of an app's own tables.
--
-- Two ways to write a policy (README, Performance):
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
-- All are STABLE and PARALLEL SAFE and carry no SET search_path (a SET
-- clause costs microseconds per call); rls.c explains why that is safe.
-- In 0.2.0 is_member and has_role keep their signatures; their C code gained
-- the cache.
--------------------------------------------------------------------------------

COMMENT ON FUNCTION roboto_orgs.is_member(text) IS
  'RLS helper: true when the caller is a member of org; false for anonymous callers, unknown orgs and NULL. Anyone. Cached per query (a statement sees roles changed by earlier statements). Errors: 22P02/22023 malformed request.jwt.claims.';
COMMENT ON FUNCTION roboto_orgs.has_role(text, roboto_orgs.org_role_name) IS
  'RLS helper: true when the caller holds role or a role above it in org; false for anonymous callers, unknown orgs and NULL. Anyone. Cached per query (a statement sees roles changed by earlier statements). Errors: 22P02/22023 malformed request.jwt.claims.';

CREATE FUNCTION roboto_orgs.caller_org_ids(min_role roboto_orgs.org_role_name DEFAULT 'user')
RETURNS SETOF text
  AS 'MODULE_PATHNAME', 'roboto_orgs_caller_org_ids'
  LANGUAGE C STABLE STRICT PARALLEL SAFE
  ROWS 100;
COMMENT ON FUNCTION roboto_orgs.caller_org_ids(roboto_orgs.org_role_name) IS
  'RLS helper (since 0.2.0) for the planned-once pattern, USING (org_id = ANY (ARRAY(SELECT roboto_orgs.caller_org_ids(''admin'')))): ids of the orgs where the caller holds min_role or a role above it, ordered by id; no rows for anonymous callers or a NULL min_role. Anyone. Errors: 22P02/22023 malformed request.jwt.claims.';
REVOKE ALL ON FUNCTION roboto_orgs.caller_org_ids(roboto_orgs.org_role_name) FROM PUBLIC;

--------------------------------------------------------------------------------
-- The cast from email_domain to text becomes a function (it was binary
-- coercible). On PostgreSQL 18, d::text LIKE 'x%' (or ~ '^x') over an
-- indexed email_domain column failed while planning with "cache lookup
-- failed for collation 0": the planner matched the relabelled column to its
-- index and looked up the collation of a type that has none. A function cast
-- is not matched to the index, so such queries plan as on earlier versions.
-- Views made under 0.1.0 keep the old expression: recreate them on 18.
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.email_domain_text(roboto_orgs.email_domain) RETURNS text
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_to_text'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.email_domain_text(roboto_orgs.email_domain) IS
  'Cast from email_domain to text (since 0.2.0; binary coercible before): the normalised form. Anyone. Errors: none.';
DROP CAST (roboto_orgs.email_domain AS text);
CREATE CAST (roboto_orgs.email_domain AS text)
  WITH FUNCTION roboto_orgs.email_domain_text(roboto_orgs.email_domain) AS ASSIGNMENT;

--------------------------------------------------------------------------------
-- The exactly-once change feed (src/event_feed.c explains the design).
-- events.event_id now comes from next_event_id(), which registers the
-- writing transaction before it takes its first id, so that event_feed()
-- knows which ids may still commit.
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.next_event_id(seq regclass) RETURNS bigint
  AS 'MODULE_PATHNAME', 'roboto_orgs_next_event_id'
  LANGUAGE C VOLATILE STRICT SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.next_event_id(regclass) IS
  'Internal (since 0.2.0): the default of events.event_id. Registers the transaction as an event writer for event_feed(), then returns nextval(seq). Not granted to anyone.';
REVOKE ALL ON FUNCTION roboto_orgs.next_event_id(regclass) FROM PUBLIC;
ALTER TABLE roboto_orgs.events
  ALTER COLUMN event_id SET DEFAULT roboto_orgs.next_event_id('roboto_orgs.event_id_seq'::pg_catalog.regclass);

CREATE FUNCTION roboto_orgs.event_feed(after text DEFAULT NULL, max_events integer DEFAULT 1000)
RETURNS TABLE (cursor text, event_id bigint, org_id text, actor text, actor_role text, kind text,
               subject text, before_state jsonb, after_state jsonb, created timestamptz)
  AS 'MODULE_PATHNAME', 'roboto_orgs_event_feed'
  LANGUAGE C VOLATILE SET search_path = pg_catalog, pg_temp
  ROWS 1000;
COMMENT ON FUNCTION roboto_orgs.event_feed(text, integer) IS
  'Beyond the seed (since 0.2.0): committed events of every org in feed order (event_id), at most max_events (1 to 10000). Pass the cursor of the last row received as after (NULL: from the first event) to get every committed event exactly once, whatever order concurrent transactions commit in; never waits. The event''s before and after are named before_state and after_state here (a parameter is named after). The trusted service, or members of the role named by roboto_orgs.event_consumer_role (default roboto_orgs_event_consumer); not API roles. Errors: 42501 neither; 22004 NULL max_events; 22023 max_events out of range, after not a cursor of event_feed; 0A000 on a standby.';
REVOKE ALL ON FUNCTION roboto_orgs.event_feed(text, integer) FROM PUBLIC;

--------------------------------------------------------------------------------
-- Permissions: app-defined permissions mapped to roles by the deployment.
-- A role has its own permissions and those of every role below it.
--------------------------------------------------------------------------------

CREATE TABLE roboto_orgs.role_permissions (
  role       roboto_orgs.org_role_name NOT NULL,
  permission text NOT NULL
    CONSTRAINT role_permissions_permission_check
    CHECK (permission COLLATE "C" OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_.:-]{0,62}$'),
  PRIMARY KEY (role, permission)
);
CREATE INDEX role_permissions_permission_idx ON roboto_orgs.role_permissions (permission, role);
COMMENT ON TABLE roboto_orgs.role_permissions IS
  'Since 0.2.0: the deployment''s mapping of roles to app-defined permissions (e.g. admin -> datasets:write). A role has its own permissions and those of every role below it (owner > admin > user). Written by a superuser or the trusted service (others: 42501, by trigger); names match ^[a-z][a-z0-9_.:-]{0,62}$ (else 23514); every change is an event (permission.granted, .revoked, .changed; no org).';
SELECT pg_catalog.pg_extension_config_dump('roboto_orgs.role_permissions', '');
ALTER TABLE roboto_orgs.events ALTER COLUMN org_id DROP NOT NULL;
COMMENT ON COLUMN roboto_orgs.events.org_id IS 'The org; NULL for a change of no org (role_permissions)';

CREATE FUNCTION roboto_orgs.role_permissions_check() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_role_permissions_check'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.role_permissions_check() IS
  'Trigger (since 0.2.0): only a superuser or the trusted service changes role_permissions (42501)';
CREATE TRIGGER role_permissions_check BEFORE INSERT OR UPDATE OR DELETE ON roboto_orgs.role_permissions
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.role_permissions_check();
CREATE FUNCTION roboto_orgs.role_permissions_log() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_role_permissions_log'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.role_permissions_log() IS
  'Trigger (since 0.2.0): logs a change of role_permissions as an event of no org';
CREATE TRIGGER role_permissions_log AFTER INSERT OR UPDATE OR DELETE ON roboto_orgs.role_permissions
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.role_permissions_log();
REVOKE ALL ON FUNCTION roboto_orgs.role_permissions_check() FROM PUBLIC;
REVOKE ALL ON FUNCTION roboto_orgs.role_permissions_log() FROM PUBLIC;
REVOKE ALL ON TABLE roboto_orgs.role_permissions FROM PUBLIC;

CREATE FUNCTION roboto_orgs.has_permission(org text, permission text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'roboto_orgs_has_permission'
  LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.has_permission(text, text) IS
  'RLS helper (since 0.2.0): true when one of the caller''s roles in org, or a role below it, has permission in role_permissions; false for anonymous callers, unknown orgs or permissions, and NULL. Anyone. Cached per query like has_role (a statement sees mappings and roles changed by earlier statements). Errors: 22P02/22023 malformed request.jwt.claims.';
REVOKE ALL ON FUNCTION roboto_orgs.has_permission(text, text) FROM PUBLIC;

CREATE FUNCTION roboto_orgs.caller_org_ids_with(permission text) RETURNS SETOF text
  AS 'MODULE_PATHNAME', 'roboto_orgs_caller_org_ids_with'
  LANGUAGE C STABLE STRICT PARALLEL SAFE
  ROWS 100;
COMMENT ON FUNCTION roboto_orgs.caller_org_ids_with(text) IS
  'RLS helper (since 0.2.0) for the planned-once pattern by permission, USING (org_id = ANY (ARRAY(SELECT roboto_orgs.caller_org_ids_with(''datasets:read'')))): ids of the orgs where the caller has permission, ordered by id; no rows for anonymous callers, unknown permissions or NULL. Anyone. Errors: 22P02/22023 malformed request.jwt.claims.';
REVOKE ALL ON FUNCTION roboto_orgs.caller_org_ids_with(text) FROM PUBLIC;

CREATE FUNCTION roboto_orgs.my_permissions(org text) RETURNS SETOF text
  AS 'MODULE_PATHNAME', 'roboto_orgs_my_permissions'
  LANGUAGE C STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  ROWS 20;
COMMENT ON FUNCTION roboto_orgs.my_permissions(text) IS
  'Beyond the seed (since 0.2.0): the caller''s permissions in org (those of their roles and the roles below), ordered, for an app to render its UI; no rows for anonymous callers, non-members, unknown orgs and NULL. Anyone. Errors: 22P02/22023 malformed request.jwt.claims.';
REVOKE ALL ON FUNCTION roboto_orgs.my_permissions(text) FROM PUBLIC;

-- One trigger function per table. In 0.1.0, check_seats() and log_change()
-- each served several tables and chose what to do by the table's name; each
-- table now has its own function. The triggers keep their names, so they
-- fire in the same order. The C symbols of 0.1.0's functions stay in the
-- module (the 0.1.0 script must load), but nothing calls them after this.
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.members_check_seats() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_members_check_seats'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.members_check_seats() IS
  'Trigger (invariant 6, since 0.2.0): a new member needs a free seat under the org''s tier limit (max_members), pending invites included (23514); the org row is locked and seats counted with the latest snapshot, so concurrent joins cannot both take the last seat';
CREATE FUNCTION roboto_orgs.invites_check_seats() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_invites_check_seats'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.invites_check_seats() IS
  'Trigger (invariant 6, since 0.2.0): a new pending invite holds a seat, so it needs a free one under the org''s tier limit (max_members) (23514); the org row is locked and seats counted with the latest snapshot';
CREATE FUNCTION roboto_orgs.email_domains_check_limit() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domains_check_limit'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.email_domains_check_limit() IS
  'Trigger (invariant 6, since 0.2.0): a new email domain binding needs room under the org''s tier limit (max_email_domains) (23514); the org row is locked and bindings counted with the latest snapshot';

CREATE FUNCTION roboto_orgs.orgs_log_change() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_orgs_log_change'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.orgs_log_change() IS
  'Trigger (since 0.2.0): appends one event per change of an org (org.created, org.renamed, org.status_changed, org.tier_changed, org.updated, org.deleted) and sends NOTIFY roboto_orgs_events';
CREATE FUNCTION roboto_orgs.members_log_change() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_members_log_change'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.members_log_change() IS
  'Trigger (since 0.2.0): appends one event per change of a membership (member.joined, member.role_added, member.role_removed, member.roles_changed, member.removed) and sends NOTIFY roboto_orgs_events';
CREATE FUNCTION roboto_orgs.invites_log_change() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_invites_log_change'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.invites_log_change() IS
  'Trigger (since 0.2.0): appends one event per invite sent or answered (invite.sent, invite.<status>) and sends NOTIFY roboto_orgs_events';
CREATE FUNCTION roboto_orgs.email_domains_log_change() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domains_log_change'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.email_domains_log_change() IS
  'Trigger (since 0.2.0): appends one event per change of an email domain binding (domain.bound, domain.verified, domain.unverified, domain.updated, domain.unbound) and sends NOTIFY roboto_orgs_events';

REVOKE ALL ON FUNCTION roboto_orgs.members_check_seats(), roboto_orgs.invites_check_seats(),
  roboto_orgs.email_domains_check_limit(), roboto_orgs.orgs_log_change(),
  roboto_orgs.members_log_change(), roboto_orgs.invites_log_change(),
  roboto_orgs.email_domains_log_change() FROM PUBLIC;

CREATE OR REPLACE TRIGGER members_check_seats
  BEFORE INSERT ON roboto_orgs.org_members
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.members_check_seats();
CREATE OR REPLACE TRIGGER invites_check_seats
  BEFORE INSERT ON roboto_orgs.org_invites
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.invites_check_seats();
CREATE OR REPLACE TRIGGER email_domains_check_limit
  BEFORE INSERT ON roboto_orgs.org_email_domains
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.email_domains_check_limit();

CREATE OR REPLACE TRIGGER log_change
  AFTER INSERT OR UPDATE OR DELETE ON roboto_orgs.orgs
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.orgs_log_change();
CREATE OR REPLACE TRIGGER log_change
  AFTER INSERT OR UPDATE OR DELETE ON roboto_orgs.org_members
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.members_log_change();
CREATE OR REPLACE TRIGGER log_change
  AFTER INSERT OR UPDATE OR DELETE ON roboto_orgs.org_invites
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.invites_log_change();
CREATE OR REPLACE TRIGGER log_change
  AFTER INSERT OR UPDATE OR DELETE ON roboto_orgs.org_email_domains
  FOR EACH ROW EXECUTE FUNCTION roboto_orgs.email_domains_log_change();

DROP FUNCTION roboto_orgs.check_seats();
DROP FUNCTION roboto_orgs.log_change();

--------------------------------------------------------------------------------
-- api_functions() lists what 0.2.0 adds, so grant_api_access() grants it
--------------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION roboto_orgs.api_functions() RETURNS regprocedure[]
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
    'roboto_orgs.invites_for_self()',
    'roboto_orgs.set_org_tier(text, roboto_orgs.org_tier)',
    'roboto_orgs.org_events(text, bigint, integer)',
    'roboto_orgs.event_feed(text, integer)',
    'roboto_orgs.is_member(text)',
    'roboto_orgs.has_role(text, roboto_orgs.org_role_name)',
    'roboto_orgs.caller_org_ids(roboto_orgs.org_role_name)',
    'roboto_orgs.has_permission(text, text)',
    'roboto_orgs.caller_org_ids_with(text)',
    'roboto_orgs.my_permissions(text)',
    'roboto_orgs.email_domain_of(text)',
    'roboto_orgs.email_domain_unicode(roboto_orgs.email_domain)',
    'roboto_orgs.bind_email_domain(text, roboto_orgs.email_domain)',
    'roboto_orgs.verify_email_domain(text, roboto_orgs.email_domain)',
    'roboto_orgs.unbind_email_domain(text, roboto_orgs.email_domain)',
    'roboto_orgs.email_domains(text)',
    'roboto_orgs.email_domain_bindings(text)'
  ]::regprocedure[]
$$;

-- Roles that grant_api_access() served under 0.1.0 (they may execute
-- get_org) get what 0.2.0 adds (grant_api_access() again, which is
-- idempotent), so an update never takes an API away
DO $$
DECLARE
  r regrole;
BEGIN
  FOR r IN
    SELECT DISTINCT a.grantee::regrole
    FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
    WHERE p.oid = 'roboto_orgs.get_org(text)'::regprocedure
      AND a.privilege_type = 'EXECUTE' AND a.grantee <> 0 AND a.grantee <> p.proowner
  LOOP
    -- every function of the new api_functions(): what 0.2.0 adds, and again what it had
    PERFORM roboto_orgs.grant_api_access(r::pg_catalog.text::pg_catalog.name);
  END LOOP;
END
$$;
