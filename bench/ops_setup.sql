-- Data for bench/ops.sh: psql -v orgs=N. N users u1..uN and N orgs; org k is
-- 'og_' || md5('org' || k), owned by uk, with four more members, users
-- u((k - 1 + j * 7919) mod N + 1) for j = 1..4 (j = 1 an admin), so every
-- user owns one org and belongs to four others: 5N memberships, and the same
-- shape for every size.
--
-- Loaded in bulk as superuser with session_replication_role = replica, which
-- skips the per-row invariant triggers and the foreign-key triggers (an
-- INSERT ... SELECT of millions of rows would otherwise run one SPI query
-- per row); the rows keep the invariants by construction, and the set-wise
-- checks after the load prove it, as the triggers would have.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET maintenance_work_mem = '512MB';
CREATE EXTENSION IF NOT EXISTS roboto_orgs;

BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO roboto_orgs.users (user_id, email, name)
  SELECT 'u' || i, 'u' || i || '@example.com', 'User ' || i FROM generate_series(1, :orgs) i;
-- premium, so that the invitations of the invite_user bench meet no
-- members-per-free-org limit
INSERT INTO roboto_orgs.orgs (org_id, name, tier, created_by)
  SELECT 'og_' || md5('org' || k), 'Org ' || k, 'premium', 'u' || k FROM generate_series(1, :orgs) k;
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles)
  SELECT 'og_' || md5('org' || k),
         CASE WHEN j = 0 THEN 'u' || k ELSE 'u' || ((k - 1 + j * 7919) % :orgs + 1) END,
         CASE j WHEN 0 THEN '{owner}' WHEN 1 THEN '{user,admin}' ELSE '{user}' END::roboto_orgs.org_role_name[]
  FROM generate_series(1, :orgs) k, generate_series(0, 4) j
  ORDER BY 1, 2;
COMMIT;

-- What the skipped triggers enforce
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM roboto_orgs.orgs o WHERE NOT EXISTS (
       SELECT 1 FROM roboto_orgs.org_members m WHERE m.org_id = o.org_id AND 'owner' = ANY (m.roles))) THEN
    RAISE EXCEPTION 'bulk load: an org without an owner';
  END IF;
  IF EXISTS (SELECT 1 FROM roboto_orgs.org_members m
             LEFT JOIN roboto_orgs.orgs o ON o.org_id = m.org_id
             LEFT JOIN roboto_orgs.users u ON u.user_id = m.user_id
             WHERE o.org_id IS NULL OR u.user_id IS NULL OR cardinality(m.roles) = 0) THEN
    RAISE EXCEPTION 'bulk load: a membership without its org or user, or without roles';
  END IF;
END
$$;
CREATE SCHEMA IF NOT EXISTS bench;
CREATE SEQUENCE IF NOT EXISTS bench.invitee;
VACUUM (ANALYZE) roboto_orgs.users, roboto_orgs.orgs, roboto_orgs.org_members;
CHECKPOINT;
