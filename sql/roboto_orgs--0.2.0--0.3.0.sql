/* roboto_orgs 0.2.0 -> 0.3.0 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION roboto_orgs UPDATE TO '0.3.0'" to load this file. \quit

-- 0.2.0 is released and its scripts are frozen: what 0.3.0 adds or changes
-- goes here. A fresh install of 0.3.0 runs 0.1.0, then 0.1.0--0.2.0, then
-- this script.

--------------------------------------------------------------------------------
-- Email domains: a binding is a claim until it is verified (issue 13)
--
-- Several orgs may hold pending claims on one domain; at most one binding of
-- a domain is verified (invariant 5, now a partial unique index instead of
-- the primary key on the domain). A pending claim carries the token its org
-- publishes in DNS; a verified binding carries none.
--------------------------------------------------------------------------------

ALTER TABLE roboto_orgs.org_email_domains ADD COLUMN verification_token text;
COMMENT ON COLUMN roboto_orgs.org_email_domains.verification_token IS
  'Since 0.3.0: the random token (rv_ and 32 hex digits) an org publishes as the DNS TXT record "_roboto-verification.<domain> = roboto-verification=<token>" to prove it owns the domain; NULL once verified';

-- Pending bindings made before 0.3.0 get their token. The triggers that
-- guard and log bindings step aside for this one update: it changes no
-- binding's state (no event), and a de-provisioning org's pending claim
-- gets its token too.
ALTER TABLE roboto_orgs.org_email_domains DISABLE TRIGGER email_domains_check_org;
ALTER TABLE roboto_orgs.org_email_domains DISABLE TRIGGER log_change;
UPDATE roboto_orgs.org_email_domains SET verification_token = roboto_orgs.new_id('rv')
  WHERE NOT verified;
ALTER TABLE roboto_orgs.org_email_domains ENABLE TRIGGER email_domains_check_org;
ALTER TABLE roboto_orgs.org_email_domains ENABLE TRIGGER log_change;

-- One row per (domain, org); at most one verified row per domain
ALTER TABLE roboto_orgs.org_email_domains DROP CONSTRAINT org_email_domains_pkey;
ALTER TABLE roboto_orgs.org_email_domains ADD CONSTRAINT org_email_domains_pkey
  PRIMARY KEY (email_domain, org_id);
CREATE UNIQUE INDEX org_email_domains_verified_key
  ON roboto_orgs.org_email_domains (email_domain) WHERE verified;
COMMENT ON INDEX roboto_orgs.org_email_domains_verified_key IS
  'Invariant 5 (since 0.3.0): at most one verified binding per email domain, whatever path writes the table';
COMMENT ON TABLE roboto_orgs.org_email_domains IS
  'Email domains bound to orgs (internal; written by bind/verify/unbind_email_domain and create_org): a binding is a claim until it is verified; several orgs may claim a domain, at most one binding of it is verified (index org_email_domains_verified_key), and only a verified binding makes new users join';

COMMENT ON FUNCTION roboto_orgs.bind_email_domain(text, roboto_orgs.email_domain) IS
  'Org.bind_email_domain (BindEmailDomainRequest): claims an email domain for the org. Verified at once when it is the caller''s own email domain (other orgs'' pending claims on it are then dropped); otherwise a pending claim with a verification_token to publish in DNS (see email_domain_bindings) until the trusted service calls verify_email_domain. A pending claim reserves nothing: several orgs may hold one, it joins nobody and blocks nobody; it counts against its own org''s max_email_domains only. Admins. Errors: 42501 anonymous or not an admin; 22004 NULL argument; 22P02/22023 not a valid domain (the type); 22023 a public webmail domain or a subdomain of one, a public suffix (libpsl: co.uk, github.io), org de-provisioning; 23505 the verified binding is held by another org, or the org holds this domain already (any spelling); 23514 the tier''s max_email_domains reached; PT404 no such org.';
COMMENT ON FUNCTION roboto_orgs.verify_email_domain(text, roboto_orgs.email_domain) IS
  'Beyond the seed: marks the org''s claim on a domain verified, after the trusted service has found the claim''s token in DNS (TXT record _roboto-verification.<domain> with value roboto-verification=<token>); every other org''s pending claim on the domain is dropped in the same transaction (event domain.claim_dropped). Only verified bindings make new users join. Already verified: no change. Trusted service only. Errors: 42501 not the trusted service; 22004 NULL argument; 22P02/22023 not a valid domain; 22023 a public webmail domain or public suffix, org de-provisioning; 23505 another org holds the verified binding; PT404 no such org, or the domain is not bound to it.';
COMMENT ON FUNCTION roboto_orgs.unbind_email_domain(text, roboto_orgs.email_domain) IS
  'Org.unbind_email_domain: removes the org''s binding or pending claim; members who joined through it stay. Admins. Errors: 42501 anonymous or not an admin; 22004 NULL argument; 22P02/22023 not a valid domain; 22023 org de-provisioning; PT404 no such org, or the domain is not bound to it.';

-- email_domain_bindings() gains verification_token: a new result type, so
-- the function is dropped and made again, and the roles it was granted to
-- get it back below
DROP FUNCTION roboto_orgs.email_domain_bindings(text);
CREATE FUNCTION roboto_orgs.email_domain_bindings(org text)
RETURNS TABLE (email_domain roboto_orgs.email_domain, verified boolean, verification_token text,
               bound_by text, created timestamptz)
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_domain_bindings'
  LANGUAGE C STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
  ROWS 3;
COMMENT ON FUNCTION roboto_orgs.email_domain_bindings(text) IS
  'Beyond the seed: the org''s bindings with their verification state, the verification_token to publish (TXT record _roboto-verification.<domain> with value roboto-verification=<token>; NULL once verified), who bound them and when, ordered by domain. Admins, or the trusted service (to check the token in DNS before verify_email_domain). Errors: 42501 anonymous or not an admin; 22004 NULL org; PT404 no such org.';
REVOKE ALL ON FUNCTION roboto_orgs.email_domain_bindings(text) FROM PUBLIC;

COMMENT ON FUNCTION roboto_orgs.email_domains_log_change() IS
  'Trigger (since 0.2.0): appends one event per change of an email domain binding (domain.bound, domain.verified, domain.unverified, domain.updated, domain.unbound; since 0.3.0 domain.claim_dropped for a pending claim removed because another org verified the domain) and sends NOTIFY roboto_orgs_events';

-- (the roles it was granted to get it back at the end of this script)

--------------------------------------------------------------------------------
-- Email addresses are compared on a key (src/email_address.c): the local
-- part with its ASCII letters lower-cased, "@", the domain normalised as the
-- email_domain type normalises it. Users' addresses are unique on that key.
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.email_address_key(email text) RETURNS text
  AS 'MODULE_PATHNAME', 'roboto_orgs_email_address_key'
  LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION roboto_orgs.email_address_key(text) IS
  'Since 0.3.0: the key email addresses are compared on: the local part with ASCII letters lower-cased (other characters as written), "@", and the domain normalised as email_domain (lower case, trailing dot dropped, IDN labels as punycode). Text that is not such an address (no @, a domain email_domain rejects) is keyed on its ASCII-lower-cased text. Users'' addresses are unique on it; invite_email() finds its invitee by it. Anyone. Raises nothing.';

-- Existing duplicates stop the update: an invitation by email must resolve
-- to exactly one account, and which of two accounts should keep an address
-- is the deployment's decision, not ours. ALTER EXTENSION runs in one
-- transaction, so nothing has changed when it fails.
DO $$
DECLARE
  groups bigint;
  listed text;
BEGIN
  SELECT pg_catalog.count(*),
         pg_catalog.string_agg(d.key || ': ' || d.ids, '; ' ORDER BY d.key) FILTER (WHERE d.n <= 20)
    INTO groups, listed
  FROM (SELECT k.key, pg_catalog.row_number() OVER (ORDER BY k.key) AS n,
               pg_catalog.string_agg(pg_catalog.quote_literal(k.user_id), ', ' ORDER BY k.user_id) AS ids
        FROM (SELECT u.user_id, roboto_orgs.email_address_key(u.email) AS key
              FROM roboto_orgs.users u WHERE u.email IS NOT NULL) k
        GROUP BY k.key HAVING pg_catalog.count(*) > 1) d;
  IF groups > 0 THEN
    RAISE EXCEPTION 'roboto_orgs 0.3.0 makes users'' email addresses unique, and % address(es) belong to several users', groups
      USING ERRCODE = '23505',
            DETAIL = 'Address (compared case-insensitively, domain normalised): user ids. ' || listed
                     || CASE WHEN groups > 20 THEN ' (first 20 of ' || groups || ')' ELSE '' END,
            HINT = 'Give each of these users an address of their own (UPDATE roboto_orgs.users SET email = ... WHERE user_id = ...) or delete the duplicate accounts, then run ALTER EXTENSION roboto_orgs UPDATE again. Nothing was changed.';
  END IF;
END
$$;

CREATE UNIQUE INDEX users_email_key ON roboto_orgs.users (roboto_orgs.email_address_key(email));
COMMENT ON INDEX roboto_orgs.users_email_key IS
  'Since 0.3.0: a user''s email address is unique on email_address_key(), so an invitation by email resolves to one account';

--------------------------------------------------------------------------------
-- Invitations with a role, and by email. An invite names its invitee by
-- user id (user_id) or by address (email), never both; the role is what
-- accepting grants. At most one pending invite per (org, user) and per
-- (org, address key).
--------------------------------------------------------------------------------

ALTER TABLE roboto_orgs.org_invites
  ADD COLUMN role roboto_orgs.org_role_name NOT NULL DEFAULT 'user',
  ADD COLUMN email text CONSTRAINT org_invites_email_check CHECK (pg_catalog.octet_length(email) BETWEEN 3 AND 320),
  ALTER COLUMN user_id DROP NOT NULL,
  ADD CONSTRAINT org_invites_invitee_check CHECK ((user_id IS NULL) <> (email IS NULL));
COMMENT ON COLUMN roboto_orgs.org_invites.role IS 'Since 0.3.0: the role accepting the invite grants';
COMMENT ON COLUMN roboto_orgs.org_invites.email IS
  'Since 0.3.0: the address of an invitation by email, as the admin gave it (user_id is then NULL); the user whose address has the same email_address_key() answers it';
CREATE UNIQUE INDEX org_invites_one_pending_email ON roboto_orgs.org_invites (org_id, roboto_orgs.email_address_key(email))
  WHERE status = 'pending' AND email IS NOT NULL;
CREATE INDEX org_invites_email_idx ON roboto_orgs.org_invites (roboto_orgs.email_address_key(email))
  WHERE email IS NOT NULL;

ALTER TYPE roboto_orgs.org_invite_record
  ADD ATTRIBUTE role roboto_orgs.org_role_name,
  ADD ATTRIBUTE email text;
COMMENT ON TYPE roboto_orgs.org_invite_record IS
  'An invitation as the seed''s OrgInviteRecord, with its status, creation and expiry times; since 0.3.0 also the role accepting grants and, for an invitation by email, the address (user_id NULL)';

COMMENT ON FUNCTION roboto_orgs.invites_check() IS
  'Trigger (invariant 4): no invite for a member, by user id or by the address of a member (23505), or to a de-provisioning org (23514); an answered invite never changes (23514); only status, answered and expires of a pending invite change (its role and address never do), and any invite follows a rename of its org, user or inviter (ON UPDATE CASCADE). A new pending invite locks the org row and looks for the membership with the latest snapshot, so it cannot race a join';
COMMENT ON FUNCTION roboto_orgs.members_close_invites() IS
  'Trigger (invariant 4): a user who becomes a member by any other path than accept_invite has their pending invites to that org revoked, by user id and by their address; locks the org row and revokes with the latest snapshot, so an invite sent concurrently is revoked too';

DROP FUNCTION roboto_orgs.invite_user(text, text);
CREATE FUNCTION roboto_orgs.invite_user(
  org text,
  invited_user_id text,
  role roboto_orgs.org_role_name DEFAULT 'user')
RETURNS roboto_orgs.org_invite_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_invite_user'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.invite_user(text, text, roboto_orgs.org_role_name) IS
  'Org.invite_user, OrgInvite.create (InviteUserRequest): invites a user; accepting grants role (default user; the role argument since 0.3.0); the invite expires after roboto_orgs.invite_ttl (default 7 days). Admins; owners for role owner. Errors: 42501 anonymous, not an admin, or not an owner for role owner; 22004 NULL argument; 22023 org not active; 23505 user already a member or already invited (pending); 23514 no free seat (tier_limits.max_members counts members and pending invites); PT404 no such org or user.';

CREATE FUNCTION roboto_orgs.invite_email(
  org text,
  email text,
  role roboto_orgs.org_role_name DEFAULT 'user')
RETURNS roboto_orgs.org_invite_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_invite_email'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.invite_email(text, text, roboto_orgs.org_role_name) IS
  'Beyond the seed (since 0.3.0): invites an email address, whether or not an account has it (the answer is the same either way); the user whose address has the same email_address_key(), now or after sign-up, sees it in invites_for_self() and alone may accept or decline it; accepting grants role. Holds a seat like any pending invite. Admins; owners for role owner. Errors: 42501 anonymous, not an admin, or not an owner for role owner; 22004 NULL argument; 22023 not one email address (no or several @, empty local part, white space, over 320 octets, invalid domain), org not active; 23505 the address already has a pending invite to the org or belongs to a member; 23514 no free seat; PT404 no such org.';

CREATE FUNCTION roboto_orgs.resend_invite(invite_id text) RETURNS roboto_orgs.org_invite_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_resend_invite'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.resend_invite(text) IS
  'Beyond the seed (since 0.3.0): gives a pending invite, expired or not, a new expiry (now + roboto_orgs.invite_ttl) and logs invite.resent, for the app''s mailer to send it again. Admins of the org; owners for an invite with role owner. Errors: 42501 anonymous or not allowed; 22004 NULL invite_id; 22023 invite answered (accepted, declined, revoked), org not active; PT404 no such invite.';

COMMENT ON FUNCTION roboto_orgs.invites_log_change() IS
  'Trigger (since 0.2.0): appends one event per invite sent, resent (since 0.3.0: a new expiry of a pending invite) or answered (invite.sent, invite.resent, invite.<status>) and sends NOTIFY roboto_orgs_events';

--------------------------------------------------------------------------------
-- Ownership transfer in one step
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.transfer_ownership(org text, new_owner_user_id text)
RETURNS roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_transfer_ownership'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.transfer_ownership(text, text) IS
  'Beyond the seed (since 0.3.0): the member new_owner_user_id gains role owner and the caller gives up theirs, keeping admin, in one step. Owners. Errors: 42501 anonymous or not an owner; 22004 NULL argument; 22023 new_owner_user_id is the caller, org de-provisioning; PT404 no such org, or new_owner_user_id not a member.';

--------------------------------------------------------------------------------
-- Org metadata and slug. org_record shows them: slug and public_metadata to
-- members, private_metadata to admins (NULL in the record anyone else sees).
--------------------------------------------------------------------------------

ALTER TABLE roboto_orgs.orgs
  ADD COLUMN slug text
    CONSTRAINT orgs_slug_check
    CHECK (slug COLLATE "C" OPERATOR(pg_catalog.~) '^[a-z0-9]+(-[a-z0-9]+)*$' AND pg_catalog.length(slug) <= 63),
  ADD COLUMN public_metadata jsonb NOT NULL DEFAULT '{}'
    CONSTRAINT orgs_public_metadata_check
    CHECK (pg_catalog.jsonb_typeof(public_metadata) OPERATOR(pg_catalog.=) 'object'
           AND pg_catalog.octet_length(public_metadata::pg_catalog.text) <= 8192),
  ADD COLUMN private_metadata jsonb NOT NULL DEFAULT '{}'
    CONSTRAINT orgs_private_metadata_check
    CHECK (pg_catalog.jsonb_typeof(private_metadata) OPERATOR(pg_catalog.=) 'object'
           AND pg_catalog.octet_length(private_metadata::pg_catalog.text) <= 8192);
CREATE UNIQUE INDEX orgs_slug_key ON roboto_orgs.orgs (slug);
COMMENT ON COLUMN roboto_orgs.orgs.slug IS
  'Since 0.3.0: optional, unique, lower-case and URL-safe: 1 to 63 of a-z, 0-9 and single inner hyphens';
COMMENT ON COLUMN roboto_orgs.orgs.public_metadata IS
  'Since 0.3.0: a JSON object of at most 8192 octets (as text) that members read';
COMMENT ON COLUMN roboto_orgs.orgs.private_metadata IS
  'Since 0.3.0: a JSON object of at most 8192 octets (as text) that only admins read';

ALTER TYPE roboto_orgs.org_record
  ADD ATTRIBUTE slug text,
  ADD ATTRIBUTE public_metadata jsonb,
  ADD ATTRIBUTE private_metadata jsonb;
COMMENT ON TYPE roboto_orgs.org_record IS
  'An org as the seed''s OrgRecord; since 0.3.0 also its slug and public_metadata (NULL for a caller who is not a member) and private_metadata (NULL for a caller who is not an admin)';

DROP FUNCTION roboto_orgs.update_org(text, text, roboto_orgs.org_status);
CREATE FUNCTION roboto_orgs.update_org(
  org text,
  name text DEFAULT NULL,
  status roboto_orgs.org_status DEFAULT NULL,
  public_metadata jsonb DEFAULT NULL,
  private_metadata jsonb DEFAULT NULL,
  slug text DEFAULT NULL)
RETURNS roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_update_org'
  LANGUAGE C VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.update_org(text, text, roboto_orgs.org_status, jsonb, jsonb, text) IS
  'Org.update (UpdateOrgRequest): renames (admin), moves the status (owner), and since 0.3.0 replaces public_metadata or private_metadata (admin; a JSON object of at most 8192 octets as text) or sets the slug (admin; '''' removes it). NULL arguments change nothing. Errors: 42501 not allowed; 22004 NULL org; 22023 no change given, bad name, metadata not a JSON object or over 8192 octets, malformed slug, org de-provisioning; 23505 name or slug taken; 23514 status move not allowed; PT404 no such org.';

CREATE FUNCTION roboto_orgs.get_org_by_slug(slug text) RETURNS roboto_orgs.org_record
  AS 'MODULE_PATHNAME', 'roboto_orgs_get_org_by_slug'
  LANGUAGE C STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.get_org_by_slug(text) IS
  'Beyond the seed (since 0.3.0): the org with this slug. Members only. Errors: 42501 anonymous or not a member; 22004 NULL slug; PT404 no org has the slug (also for a malformed one).';

REVOKE ALL ON FUNCTION roboto_orgs.invite_user(text, text, roboto_orgs.org_role_name),
  roboto_orgs.invite_email(text, text, roboto_orgs.org_role_name), roboto_orgs.resend_invite(text),
  roboto_orgs.transfer_ownership(text, text),
  roboto_orgs.update_org(text, text, roboto_orgs.org_status, jsonb, jsonb, text),
  roboto_orgs.get_org_by_slug(text) FROM PUBLIC;

--------------------------------------------------------------------------------
-- api_functions() lists what 0.3.0 adds, so grant_api_access() grants it
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
    'roboto_orgs.get_org_by_slug(text)',
    'roboto_orgs.orgs_for_self()',
    'roboto_orgs.orgs_for_user(text)',
    'roboto_orgs.update_org(text, text, roboto_orgs.org_status, jsonb, jsonb, text)',
    'roboto_orgs.delete_org(text)',
    'roboto_orgs.org_users(text)',
    'roboto_orgs.add_role_for_user(text, text, roboto_orgs.org_role_name)',
    'roboto_orgs.remove_role_from_user(text, text, roboto_orgs.org_role_name)',
    'roboto_orgs.update_org_user(text, text, roboto_orgs.org_role_name[], roboto_orgs.org_role_name[])',
    'roboto_orgs.modify_role_for_user(text, text, roboto_orgs.org_role_name)',
    'roboto_orgs.remove_user(text, text)',
    'roboto_orgs.transfer_ownership(text, text)',
    'roboto_orgs.invite_user(text, text, roboto_orgs.org_role_name)',
    'roboto_orgs.invite_email(text, text, roboto_orgs.org_role_name)',
    'roboto_orgs.resend_invite(text)',
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

-- Roles that grant_api_access() served before (they may execute get_org)
-- get what 0.3.0 adds or re-creates (invite_user and update_org have new
-- signatures), so an update never takes an API away
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
    PERFORM roboto_orgs.grant_api_access(r::pg_catalog.text::pg_catalog.name);
  END LOOP;
END
$$;

--------------------------------------------------------------------------------
-- TRUNCATE, which the row triggers do not see, of the memberships, invites
-- and email domain bindings is refused unless the orgs go in the same
-- statement: it would leave orgs without an owner (invariant 1) and make
-- changes the event log never hears of
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.truncate_check() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_truncate_check'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.truncate_check() IS
  'Trigger (since 0.3.0): AFTER TRUNCATE ON org_members, org_invites, org_email_domains: 23514 while orgs remain (owners would be lost, changes would go unlogged); TRUNCATE roboto_orgs.orgs CASCADE is allowed';
REVOKE ALL ON FUNCTION roboto_orgs.truncate_check() FROM PUBLIC;
CREATE TRIGGER truncate_check AFTER TRUNCATE ON roboto_orgs.org_members
  FOR EACH STATEMENT EXECUTE FUNCTION roboto_orgs.truncate_check();
CREATE TRIGGER truncate_check AFTER TRUNCATE ON roboto_orgs.org_invites
  FOR EACH STATEMENT EXECUTE FUNCTION roboto_orgs.truncate_check();
CREATE TRIGGER truncate_check AFTER TRUNCATE ON roboto_orgs.org_email_domains
  FOR EACH STATEMENT EXECUTE FUNCTION roboto_orgs.truncate_check();
