-- One line per extension table: its name, row count and an md5 of its rows
-- in a stable order. Compared before and after ALTER EXTENSION UPDATE.
-- A row is compared on the columns the old version had: columns an update
-- adds (org_email_domains.verification_token, 0.3.0) are left out here and
-- checked by test/upgrade/after-*.sql.
SELECT c.relname, t.n, t.md5
FROM pg_extension e, unnest(e.extconfig) cfg(oid)
JOIN pg_class c ON c.oid = cfg.oid AND c.relkind = 'r'
CROSS JOIN LATERAL (
  SELECT (xpath('/row/n/text()', x))[1]::text::bigint AS n, (xpath('/row/md5/text()', x))[1]::text AS md5
  FROM query_to_xml(format('SELECT count(*) AS n, md5(coalesce(string_agg(r.t, %L ORDER BY r.t), %L)) AS md5 '
                           'FROM (SELECT (to_jsonb(r) - %L)::text AS t FROM %s r) r',
                           '|', '', 'verification_token', c.oid::regclass), false, false, '') x
) t
WHERE e.extname = 'roboto_orgs'
ORDER BY c.relname;
SELECT last_value FROM roboto_orgs.event_id_seq;
