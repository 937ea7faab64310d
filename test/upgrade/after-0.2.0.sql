-- After ALTER EXTENSION roboto_orgs UPDATE from 0.2.0 (test/upgrade/populate.sql
-- made the data): what 0.3.0 changes works on the old data.
\set ON_ERROR_STOP on
\ir domains-0.3.0.psql
