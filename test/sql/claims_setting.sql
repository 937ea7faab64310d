-- request.jwt.claims is a setting the library defines (for a supported way to
-- learn of every change); what a user sees of it.
-- A new session: the library is not loaded yet, so this sets a placeholder
SET request.jwt.claims = '{"sub": "placeholder-user"}';
-- Loading the library (first call) keeps the value set before
SELECT roboto_orgs.caller_id();
SELECT current_setting('request.jwt.claims');
-- PostgREST's pattern: set for one transaction only
RESET request.jwt.claims;
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub": "request-user"}', true) IS NOT NULL AS set;
SELECT roboto_orgs.caller_id();
COMMIT;
-- After the transaction: unset again, anonymous; current_setting() shows ''
SELECT roboto_orgs.caller_id() IS NULL AS anonymous;
SELECT current_setting('request.jwt.claims', true) = '' AS empty_string;
-- A caller switched by a setting within a transaction is seen by the next statement
BEGIN;
SET LOCAL request.jwt.claims = '{"sub": "first"}';
SELECT roboto_orgs.caller_id();
SET LOCAL request.jwt.claims = '{"sub": "second"}';
SELECT roboto_orgs.caller_id();
ROLLBACK;
-- Malformed claims: the documented errors, every time
SET request.jwt.claims = 'not json';
SELECT roboto_orgs.caller_id();
SET request.jwt.claims = '[1]';
SELECT roboto_orgs.caller_id();
RESET request.jwt.claims;
