-- orgs_for_self: user k lists their five orgs
\set k random(1, :norgs)
SELECT set_config('roboto_orgs.user_id', 'u' || :k, false);
SELECT count(*) FROM roboto_orgs.orgs_for_self();
