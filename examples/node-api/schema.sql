-- What examples/node-api needs in its database, run once by a superuser after
-- CREATE EXTENSION roboto_orgs (scripts/pooler-env.sh does it, then gives the
-- two LOGIN roles their passwords):
--
-- * api_app: the role the service's request pool logs in as. It has the API
--   functions (grant_api_access) and its own table, nothing else; every
--   request names its caller with set_config('request.jwt.claims', ..., true).
-- * api_signup: the role the service's sign-up pool logs in as. A member of
--   roboto_orgs_service (the role roboto_orgs.service_role names), so it is
--   the trusted service: it alone may call create_user. Never grant it to
--   api_app.
-- * notes: the app's own table, one row per note of an org, guarded by
--   row-level security with the roboto_orgs helpers.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'roboto_orgs_service') THEN
    CREATE ROLE roboto_orgs_service NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'api_app') THEN
    CREATE ROLE api_app LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'api_signup') THEN
    CREATE ROLE api_signup LOGIN;
  END IF;
END
$$;

GRANT roboto_orgs_service TO api_signup;
SELECT roboto_orgs.grant_api_access('api_app');
SELECT roboto_orgs.grant_api_access('roboto_orgs_service');

CREATE TABLE public.notes (
  note_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id     text NOT NULL REFERENCES roboto_orgs.orgs (org_id) ON DELETE CASCADE,
  title      text NOT NULL,
  created_by text NOT NULL DEFAULT roboto_orgs.caller_id()
);
CREATE INDEX ON public.notes (org_id);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
-- members read their orgs' notes; admins (and owners) add them
CREATE POLICY notes_read ON public.notes FOR SELECT TO api_app
  USING (roboto_orgs.has_role(org_id, 'user'));
CREATE POLICY notes_add ON public.notes FOR INSERT TO api_app
  WITH CHECK (roboto_orgs.has_role(org_id, 'admin'));
GRANT SELECT, INSERT ON public.notes TO api_app;
