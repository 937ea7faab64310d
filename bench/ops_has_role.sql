-- has_role: one call, as an RLS policy makes it for a single-row lookup
-- (loads the caller's five memberships, then answers)
\set k random(1, :norgs)
SELECT set_config('roboto_orgs.user_id', 'u' || :k, false);
SELECT roboto_orgs.has_role('og_' || md5('org' || :k), 'admin');
