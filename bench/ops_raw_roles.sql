-- Raw baseline of add_role_for_user + remove_role_from_user (bench/ops.sh):
-- each a transaction of the bare statements on the same tables, triggers
-- off: the membership's roles updated, one event.
\set k random(1, :norgs)
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE roboto_orgs.org_members SET roles = '{user,admin}'
  WHERE org_id = 'og_' || md5('org' || :k) AND user_id = 'u' || ((:k - 1 + 2 * 7919) % :norgs + 1);
INSERT INTO roboto_orgs.events (org_id, actor, kind, subject)
  VALUES ('og_' || md5('org' || :k), 'u' || :k, 'member.role_added', 'u' || ((:k - 1 + 2 * 7919) % :norgs + 1));
COMMIT;
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE roboto_orgs.org_members SET roles = '{user}'
  WHERE org_id = 'og_' || md5('org' || :k) AND user_id = 'u' || ((:k - 1 + 2 * 7919) % :norgs + 1);
INSERT INTO roboto_orgs.events (org_id, actor, kind, subject)
  VALUES ('og_' || md5('org' || :k), 'u' || :k, 'member.role_removed', 'u' || ((:k - 1 + 2 * 7919) % :norgs + 1));
COMMIT;
