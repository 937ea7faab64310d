-- After ALTER EXTENSION roboto_orgs UPDATE from 0.2.0 (test/upgrade/populate.sql
-- made the data): what 0.3.0 adds or changes works on the old data. (The
-- chain from 0.1.0 runs after-0.1.0.sql; this file's checks hold for it as
-- well.)
\set ON_ERROR_STOP on
\ir domains-0.3.0.psql
DO $$
DECLARE
  acme text := (SELECT org_id FROM roboto_orgs.orgs WHERE name = 'Acme Corp');
  inv text;
BEGIN
  -- old invites: role user, no address; old orgs: empty metadata, no slug
  IF EXISTS (SELECT FROM roboto_orgs.org_invites WHERE role <> 'user' OR email IS NOT NULL OR user_id IS NULL) THEN
    RAISE EXCEPTION 'invites made before 0.3.0 do not read as role user by user id';
  END IF;
  IF EXISTS (SELECT FROM roboto_orgs.orgs WHERE public_metadata <> '{}' OR private_metadata <> '{}' OR slug IS NOT NULL) THEN
    RAISE EXCEPTION 'orgs made before 0.3.0 do not start with empty metadata and no slug';
  END IF;
  -- erin's old pending invite shows role user, and accepting it joins as user
  PERFORM set_config('roboto_orgs.user_id', 'erin', true);
  IF (SELECT i.role FROM roboto_orgs.invites_for_self() i WHERE (i.org).org_id = acme) IS DISTINCT FROM 'user' THEN
    RAISE EXCEPTION 'invites_for_self() does not show erin''s old invite with role user';
  END IF;
  -- a role granted API access before may call the new functions and the re-created ones
  IF NOT has_function_privilege('roboto_upgrade_api', 'roboto_orgs.invite_email(text, text, roboto_orgs.org_role_name)', 'EXECUTE')
     OR NOT has_function_privilege('roboto_upgrade_api', 'roboto_orgs.invite_user(text, text, roboto_orgs.org_role_name)', 'EXECUTE')
     OR NOT has_function_privilege('roboto_upgrade_api', 'roboto_orgs.update_org(text, text, roboto_orgs.org_status, jsonb, jsonb, text)', 'EXECUTE')
     OR NOT has_function_privilege('roboto_upgrade_api', 'roboto_orgs.resend_invite(text)', 'EXECUTE')
     OR NOT has_function_privilege('roboto_upgrade_api', 'roboto_orgs.transfer_ownership(text, text)', 'EXECUTE')
     OR NOT has_function_privilege('roboto_upgrade_api', 'roboto_orgs.get_org_by_slug(text)', 'EXECUTE') THEN
    RAISE EXCEPTION 'the update did not grant every new or re-created API function to a role granted API access before';
  END IF;
  -- bob (owner) invites an address of an existing user (dave, who revoked) by email as admin; dave accepts
  PERFORM set_config('roboto_orgs.user_id', 'bob', true);
  inv := (roboto_orgs.invite_email(acme, 'DAVE@acme.example', 'admin')).invite_id;
  PERFORM set_config('roboto_orgs.user_id', 'dave', true);
  IF (roboto_orgs.accept_invite(inv)).roles <> '{admin}' THEN
    RAISE EXCEPTION 'an invitation by email to an old user''s address does not join with its role';
  END IF;
  -- metadata and slug on an old org
  PERFORM set_config('roboto_orgs.user_id', 'bob', true);
  PERFORM roboto_orgs.update_org(acme, public_metadata => '{"plan": "gold"}', slug => 'acme');
  IF (roboto_orgs.get_org_by_slug('acme')).public_metadata <> '{"plan": "gold"}' THEN
    RAISE EXCEPTION 'metadata or slug set after the update do not read back';
  END IF;
  -- old users' addresses are unique now
  BEGIN
    PERFORM roboto_orgs.create_user('alice2', 'ALICE@acme.example');
    RAISE EXCEPTION 'a second user with an old user''s address was created';
  EXCEPTION WHEN unique_violation THEN NULL;
  END;
END
$$;
