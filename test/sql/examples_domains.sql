-- The email domain examples of the seed (roboto.domain.orgs) translated to
-- SQL: each ">>>" line of the seed is quoted above its translation. Runs in
-- one transaction that is rolled back, with ON_ERROR_ROLLBACK so that the
-- errors shown do not end it. Errors are shown by SQLSTATE (org ids are
-- random).
\set ON_ERROR_ROLLBACK on
\set VERBOSITY sqlstate
BEGIN;
SET LOCAL search_path = public, roboto_orgs;

-- Sign-up by the trusted service (this superuser session)
SELECT user_id, email FROM roboto_orgs.create_user('alice@acme-corp.com', 'alice@acme-corp.com', 'Alice');
SET LOCAL roboto_orgs.user_id = 'alice@acme-corp.com';

-- >>> from roboto import Org, RobotoRegion
-- >>> org = Org.create(
-- ...     name="acme-corp",
-- ...     bind_email_domain=True,
-- ...     data_region=RobotoRegion.EU_WEST
-- ... )
SELECT name, tier, status, data_region, created_by
FROM roboto_orgs.create_org(name => 'acme-corp', bind_email_domain => true, data_region => 'eu-west');
SELECT org_id AS org FROM roboto_orgs.orgs WHERE name = 'acme-corp' \gset
-- The creator's email domain is bound, and verified (her address proves it)
SELECT email_domain, verified, bound_by FROM roboto_orgs.email_domain_bindings(:'org');
-- The free tier binds one email domain; billing (the trusted service, this
-- superuser session) moves the org to premium, which binds any number
SELECT tier FROM roboto_orgs.set_org_tier(:'org', 'premium');

-- >>> from roboto import Org
-- >>> org = Org.from_id("org_12345")
-- >>> org.bind_email_domain("acme.com")
SELECT name FROM roboto_orgs.bind_email_domain(:'org', 'acme.com');
-- Not the caller's own domain: it waits for the trusted service, which
-- verifies it after e.g. a DNS TXT check
SELECT email_domain, verified FROM roboto_orgs.email_domain_bindings(:'org');
SELECT name FROM roboto_orgs.verify_email_domain(:'org', 'ACME.com.');

-- Any spelling of a bound domain is the same domain; public webmail domains
-- are refused; so are things that are not domains
SELECT name FROM roboto_orgs.bind_email_domain(:'org', 'Acme.COM');
SELECT name FROM roboto_orgs.bind_email_domain(:'org', 'gmail.com');
SELECT name FROM roboto_orgs.bind_email_domain(:'org', 'https://acme.com/');
SELECT name FROM roboto_orgs.bind_email_domain(:'org', 'old-company.com');
SELECT name FROM roboto_orgs.bind_email_domain(:'org', 'Bücher.de');

-- >>> from roboto import Org
-- >>> org = Org.from_id("org_12345")
-- >>> domains = org.email_domains()
-- >>> for domain in domains:
-- ...     print(f"Bound domain: {domain}")
SELECT 'Bound domain: ' || domain::text AS line FROM roboto_orgs.email_domains(:'org') AS domain;
-- The Unicode form, for display
SELECT domain, roboto_orgs.email_domain_unicode(domain) AS display FROM roboto_orgs.email_domains(:'org') AS domain;

-- A user signing up with an address at a verified domain joins the org
SELECT user_id FROM roboto_orgs.create_user('bob@acme.com', 'Bob@ACME.com', 'Bob');
SELECT (u."user").user_id, u.roles FROM roboto_orgs.org_users(:'org') u;

-- >>> from roboto import Org
-- >>> org = Org.from_id("org_12345")
-- >>> org.unbind_email_domain("old-company.com")
SELECT name FROM roboto_orgs.unbind_email_domain(:'org', 'old-company.com');
SELECT domain FROM roboto_orgs.email_domains(:'org') AS domain;
-- Unbinding it again: not bound to this org
SELECT name FROM roboto_orgs.unbind_email_domain(:'org', 'old-company.com');

-- The domain of an email address
SELECT roboto_orgs.email_domain_of('Carol@Bücher.DE');
SELECT roboto_orgs.email_domain_of('carol');

ROLLBACK;
