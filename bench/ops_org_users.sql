-- org_users: a member lists org k's five members
\set k random(1, :norgs)
SELECT set_config('roboto_orgs.user_id', 'u' || :k, false);
SELECT count(*) FROM roboto_orgs.org_users('og_' || md5('org' || :k));
