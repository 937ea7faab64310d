-- The stricter baseline of bench/create_org.sh: the same writes as
-- create_org_plain.sql in one statement (one round trip, as create_org is),
-- data-modifying CTEs feeding each other, then the NOTIFYs.
WITH o AS (
  INSERT INTO plain.orgs (org_id, name, data_region, created_by)
  VALUES ('og_' || md5(random()::text), 'Bench ' || gen_random_uuid(), 'us-west', 'bench_caller')
  RETURNING org_id, to_jsonb(orgs.*) AS org_row),
m AS (
  INSERT INTO plain.org_members (org_id, user_id, roles) SELECT o.org_id, 'bench_caller', '{owner}' FROM o
  RETURNING org_id, to_jsonb(org_members.*) AS member_row),
e AS (
  INSERT INTO plain.events (org_id, actor, actor_role, kind, subject, before, after)
  SELECT o.org_id, 'bench_caller', current_user, 'org.created', NULL::text, NULL::jsonb, o.org_row FROM o
  UNION ALL
  SELECT m.org_id, 'bench_caller', current_user, 'member.joined', 'bench_caller', NULL, m.member_row FROM m
  RETURNING org_id)
SELECT pg_notify('plain_events', e.org_id) FROM e;
