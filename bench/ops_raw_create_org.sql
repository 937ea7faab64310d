-- Raw baseline of create_org (bench/ops.sh): the bare statements it must do
-- at minimum, on the same tables, without the extension's checks or
-- triggers (session_replication_role = replica; the bench runs as superuser):
-- the org row, the owner's membership, two events.
\set k random(1, :norgs)
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO roboto_orgs.orgs (name, created_by) VALUES ('Raw ' || gen_random_uuid(), 'u' || :k)
  RETURNING quote_literal(org_id) AS org \gset
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES (:org, 'u' || :k, '{owner}');
INSERT INTO roboto_orgs.events (org_id, actor, kind, subject) VALUES
  (:org, 'u' || :k, 'org.created', NULL), (:org, 'u' || :k, 'member.joined', 'u' || :k);
COMMIT;
