-- Raw baseline of create_user + invite_user + accept_invite (bench/ops.sh):
-- three transactions of bare statements on the same tables, triggers off:
-- the user; the invite and its event; the invite answered, the membership
-- and their two events.
\set k random(1, :norgs)
SELECT nextval('bench.invitee') AS inv \gset
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO roboto_orgs.users (user_id) VALUES ('raw' || :inv);
COMMIT;
BEGIN;
SET LOCAL session_replication_role = replica;
INSERT INTO roboto_orgs.org_invites (org_id, user_id, invited_by, expires)
  VALUES ('og_' || md5('org' || :k), 'raw' || :inv, 'u' || :k, now() + interval '7 days')
  RETURNING quote_literal(invite_id) AS iv \gset
INSERT INTO roboto_orgs.events (org_id, actor, kind, subject) VALUES ('og_' || md5('org' || :k), 'u' || :k, 'invite.sent', :iv);
COMMIT;
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE roboto_orgs.org_invites SET status = 'accepted', answered = now() WHERE invite_id = :iv;
INSERT INTO roboto_orgs.org_members (org_id, user_id, roles) VALUES ('og_' || md5('org' || :k), 'raw' || :inv, '{user}');
INSERT INTO roboto_orgs.events (org_id, actor, kind, subject) VALUES
  ('og_' || md5('org' || :k), 'raw' || :inv, 'invite.accepted', :iv),
  ('og_' || md5('org' || :k), 'raw' || :inv, 'member.joined', 'raw' || :inv);
COMMIT;
