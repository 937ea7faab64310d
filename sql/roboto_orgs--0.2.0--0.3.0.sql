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

-- Roles that grant_api_access() served (they may execute get_org) get
-- email_domain_bindings() back (grant_api_access() again, which is idempotent)
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
-- TRUNCATE of the memberships, which the row triggers do not see, is refused
-- unless the orgs go in the same statement (invariant 1: no org without an
-- owner)
--------------------------------------------------------------------------------

CREATE FUNCTION roboto_orgs.members_truncate_check() RETURNS trigger
  AS 'MODULE_PATHNAME', 'roboto_orgs_members_truncate_check'
  LANGUAGE C SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION roboto_orgs.members_truncate_check() IS
  'Trigger (since 0.3.0): AFTER TRUNCATE ON org_members: 23514 when orgs are left (they would have no owner); TRUNCATE roboto_orgs.orgs CASCADE is allowed';
REVOKE ALL ON FUNCTION roboto_orgs.members_truncate_check() FROM PUBLIC;
CREATE TRIGGER members_truncate_check AFTER TRUNCATE ON roboto_orgs.org_members
  FOR EACH STATEMENT EXECUTE FUNCTION roboto_orgs.members_truncate_check();
