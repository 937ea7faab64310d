-- get_org: a member (org k's owner) reads org k
\set k random(1, :norgs)
SELECT set_config('roboto_orgs.user_id', 'u' || :k, false);
SELECT roboto_orgs.get_org('og_' || md5('org' || :k));
