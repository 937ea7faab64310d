-- Included by demo.sql right after a statement that must fail, with psql
-- variable "expected" set to the SQLSTATE it must fail with: says so when it
-- did, and otherwise stops the demo with an error. Include it with
-- ON_ERROR_STOP already back on (psql reads that setting line by line, so the
-- including file stops only if it was on before the \ir line).
\set ECHO none
SELECT (:'ERROR' = 'true' AND :'LAST_ERROR_SQLSTATE' = :'expected') AS demo_as_expected,
       :'ERROR' AS demo_failed, :'LAST_ERROR_SQLSTATE' AS demo_sqlstate \gset
\if :demo_as_expected
\echo '=> refused as expected, SQLSTATE' :demo_sqlstate
\echo
\else
\echo '=> expected SQLSTATE' :expected 'but got: failed =' :demo_failed ', SQLSTATE' :demo_sqlstate
DO $$ BEGIN RAISE EXCEPTION 'demo stopped: a statement did not fail as expected'; END $$;
\endif
\set ECHO queries
