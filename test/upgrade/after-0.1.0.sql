-- After ALTER EXTENSION roboto_orgs UPDATE from 0.1.0 (test/upgrade/populate.sql
-- made the data): what 0.2.0 adds works on the old data.
\set ON_ERROR_STOP on
DO $$
DECLARE
  last_id bigint;
BEGIN
  -- erin's invite to Acme, sent under 0.1.0, is pending
  PERFORM set_config('roboto_orgs.user_id', 'erin', true);
  IF (SELECT count(*) FROM roboto_orgs.invites_for_self() i WHERE (i.org).name = 'Acme Corp' AND i.status = 'pending') <> 1 THEN
    RAISE EXCEPTION 'invites_for_self() does not show erin''s invite made under 0.1.0';
  END IF;
  -- bob's invite was accepted: nothing pending
  PERFORM set_config('roboto_orgs.user_id', 'bob', true);
  IF (SELECT count(*) FROM roboto_orgs.invites_for_self()) <> 0 THEN
    RAISE EXCEPTION 'invites_for_self() shows answered invites';
  END IF;
  -- a role granted API access under 0.1.0 may call the new function
  IF NOT has_function_privilege('roboto_upgrade_api', 'roboto_orgs.invites_for_self()', 'EXECUTE') THEN
    RAISE EXCEPTION 'the update did not grant invites_for_self() to a role granted API access under 0.1.0';
  END IF;
  IF NOT has_function_privilege('roboto_upgrade_api', 'roboto_orgs.caller_org_ids(roboto_orgs.org_role_name)', 'EXECUTE') THEN
    RAISE EXCEPTION 'the update did not grant caller_org_ids() to a role granted API access under 0.1.0';
  END IF;
  -- the cached has_role answers on old data as before; caller_org_ids agrees
  PERFORM set_config('roboto_orgs.user_id', 'bob', true);
  IF NOT roboto_orgs.has_role((SELECT org_id FROM roboto_orgs.orgs WHERE name = 'Acme Corp'), 'owner') THEN
    RAISE EXCEPTION 'has_role() lost bob''s owner role made under 0.1.0';
  END IF;
  IF ARRAY(SELECT roboto_orgs.caller_org_ids('owner')) <> ARRAY(SELECT org_id FROM roboto_orgs.orgs WHERE name = 'Acme Corp') THEN
    RAISE EXCEPTION 'caller_org_ids() disagrees with the memberships made under 0.1.0';
  END IF;
  IF NOT has_function_privilege('roboto_upgrade_api', 'roboto_orgs.has_permission(text, text)', 'EXECUTE')
     OR NOT has_function_privilege('roboto_upgrade_api', 'roboto_orgs.my_permissions(text)', 'EXECUTE')
     OR NOT has_function_privilege('roboto_upgrade_api', 'roboto_orgs.event_feed(text, integer)', 'EXECUTE') THEN
    RAISE EXCEPTION 'the update did not grant every new API function to a role granted API access under 0.1.0';
  END IF;
  IF has_function_privilege('public', 'roboto_orgs.invites_for_self()', 'EXECUTE') THEN
    RAISE EXCEPTION 'PUBLIC may execute invites_for_self()';
  END IF;
  IF NOT ('roboto_orgs.invites_for_self()'::regprocedure = ANY (roboto_orgs.api_functions())) THEN
    RAISE EXCEPTION 'api_functions() does not list invites_for_self()';
  END IF;
  -- the feed has every event made under 0.1.0, in order, and new events follow them
  IF ARRAY(SELECT event_id FROM roboto_orgs.event_feed(NULL, 10000))
     <> ARRAY(SELECT event_id FROM roboto_orgs.events ORDER BY event_id) THEN
    RAISE EXCEPTION 'event_feed() does not return the events made under 0.1.0';
  END IF;
  last_id := (SELECT max(event_id) FROM roboto_orgs.events);
  PERFORM set_config('roboto_orgs.user_id', 'bob', true);
  PERFORM roboto_orgs.update_org((SELECT org_id FROM roboto_orgs.orgs WHERE name = 'Acme Corp'), name => 'Acme Corp, updated');
  IF ARRAY(SELECT kind FROM roboto_orgs.event_feed(last_id::text, 10)) <> ARRAY['org.renamed'] THEN
    RAISE EXCEPTION 'event_feed() after the update does not continue with the new event';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_attrdef d WHERE d.adrelid = 'roboto_orgs.events'::regclass AND d.adnum = 1
                   AND pg_get_expr(d.adbin, d.adrelid) LIKE '%next_event_id%') THEN
    RAISE EXCEPTION 'events.event_id does not default to next_event_id()';
  END IF;
END
$$;
-- and what 0.3.0 changes (the chain goes on to it)
\ir domains-0.3.0.psql
