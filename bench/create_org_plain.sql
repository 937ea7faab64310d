-- The baseline of bench/create_org.sh: the writes create_org makes, as bare
-- SQL statements in one transaction, into copies of the tables.
BEGIN;
INSERT INTO plain.orgs (org_id, name, data_region, created_by)
  VALUES ('og_' || md5(random()::text), 'Bench ' || gen_random_uuid(), 'us-west', 'bench_caller')
  RETURNING org_id, to_jsonb(orgs.*) AS org_row \gset
INSERT INTO plain.org_members (org_id, user_id, roles) VALUES (:org_id, 'bench_caller', '{owner}')
  RETURNING to_jsonb(org_members.*) AS member_row \gset
INSERT INTO plain.events (org_id, actor, actor_role, kind, subject, before, after)
  VALUES (:org_id, 'bench_caller', current_user, 'org.created', NULL, NULL, :org_row),
         (:org_id, 'bench_caller', current_user, 'member.joined', 'bench_caller', NULL, :member_row);
SELECT pg_notify('plain_events', :org_id), pg_notify('plain_events', :org_id);
COMMIT;
