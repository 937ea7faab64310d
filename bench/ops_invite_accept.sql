-- invite_user + accept_invite: org k's owner invites a new user, who accepts
-- (the invitee is signed up by the trusted service first: create_user)
\set k random(1, :norgs)
SELECT nextval('bench.invitee') AS inv \gset
SELECT roboto_orgs.create_user('inv' || :inv);
SELECT set_config('roboto_orgs.user_id', 'u' || :k, false);
SELECT quote_literal((roboto_orgs.invite_user('og_' || md5('org' || :k), 'inv' || :inv)).invite_id) AS iv \gset
SELECT set_config('roboto_orgs.user_id', 'inv' || :inv, false);
SELECT roboto_orgs.accept_invite(:iv);
