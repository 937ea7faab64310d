-- One line per extension table: its name, row count and an md5 of its rows
-- in a stable order. Compared before and after ALTER EXTENSION UPDATE.
--
-- Columns an update adds are left out (0.3.0: orgs.slug, public_metadata and
-- private_metadata; org_invites.role and email;
-- org_email_domains.verification_token), so that the check is that
-- every column that existed before keeps its value in every row; what the
-- new columns hold on old rows is test/upgrade/after-0.2.0.sql's check. The
-- rows are compared as jsonb with those keys removed (before the update they
-- have none of them).
SELECT c.relname, t.n, t.md5
FROM pg_extension e, unnest(e.extconfig) cfg(oid)
JOIN pg_class c ON c.oid = cfg.oid AND c.relkind = 'r'
CROSS JOIN LATERAL (
  SELECT CASE c.relname WHEN 'orgs' THEN ARRAY['slug', 'public_metadata', 'private_metadata']
                        WHEN 'org_invites' THEN ARRAY['role', 'email']
                        WHEN 'org_email_domains' THEN ARRAY['verification_token']
                        ELSE ARRAY[]::text[] END AS added
) a
CROSS JOIN LATERAL (
  SELECT (xpath('/row/n/text()', x))[1]::text::bigint AS n, (xpath('/row/md5/text()', x))[1]::text AS md5
  FROM query_to_xml(format('SELECT count(*) AS n, md5(coalesce(string_agg((to_jsonb(r) - %L::text[])::text, %L ORDER BY (to_jsonb(r) - %L::text[])::text), %L)) AS md5 FROM %s r',
                           a.added, '|', a.added, '', c.oid::regclass), false, false, '') x
) t
WHERE e.extname = 'roboto_orgs'
ORDER BY c.relname;
SELECT last_value FROM roboto_orgs.event_id_seq;
