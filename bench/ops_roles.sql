-- add_role_for_user + remove_role_from_user: org k's owner makes member
-- j = 2 an admin and takes it back (net zero change)
\set k random(1, :norgs)
SELECT set_config('roboto_orgs.user_id', 'u' || :k, false);
SELECT roboto_orgs.add_role_for_user('og_' || md5('org' || :k), 'u' || ((:k - 1 + 2 * 7919) % :norgs + 1), 'admin');
SELECT roboto_orgs.remove_role_from_user('og_' || md5('org' || :k), 'u' || ((:k - 1 + 2 * 7919) % :norgs + 1), 'admin');
