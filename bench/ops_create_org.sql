-- create_org: user k creates an org (a new name every time)
\set k random(1, :norgs)
SELECT set_config('roboto_orgs.user_id', 'u' || :k, false);
SELECT roboto_orgs.create_org('Bench ' || gen_random_uuid());
