-- event_feed() (0.2.0): who may read it, its arguments, paging with the
-- cursor, and the writer registration it relies on (src/event_feed.c).
-- Ordering under concurrent writers: test/specs/event_feed.spec and
-- test/stress/event_feed.sh.
BEGIN;
CREATE EXTENSION IF NOT EXISTS roboto_orgs;
\ir fixtures/setup.psql
SELECT plan(27);

CREATE ROLE roboto_test_feed_consumer NOLOGIN;
SELECT roboto_orgs.grant_api_access('roboto_test_feed_consumer');
SET LOCAL roboto_orgs.event_consumer_role = 'roboto_test_feed_consumer';
SELECT count(*) FROM roboto_orgs.create_user('fd_alice', 'fd_alice@feed.example');

-- Where the feed stands before this test's events (other files' events may be there)
SELECT coalesce(max(cursor::bigint), 0)::text AS start FROM roboto_orgs.event_feed(NULL, 10000) \gset

-- Who may read it
SET ROLE roboto_test_api;
SET roboto_orgs.user_id = 'fd_alice';
SELECT org_id AS acme FROM roboto_orgs.create_org('Feed Acme') \gset
SELECT throws_ok($$SELECT * FROM roboto_orgs.event_feed()$$, '42501', 'permission denied to read the event feed',
  'an API role, even with a caller: 42501');
RESET roboto_orgs.user_id;
SELECT throws_ok($$SELECT * FROM roboto_orgs.event_feed()$$, '42501', NULL, 'an API role, anonymous: 42501');
RESET ROLE;
GRANT roboto_test_feed_consumer TO roboto_test_api;
SET ROLE roboto_test_api;
SELECT lives_ok($$SELECT * FROM roboto_orgs.event_feed()$$, 'a member of the event consumer role may read it');
RESET ROLE;
REVOKE roboto_test_feed_consumer FROM roboto_test_api;
SET LOCAL roboto_orgs.event_consumer_role = '';
SET ROLE roboto_test_api;
SELECT throws_ok($$SELECT * FROM roboto_orgs.event_feed()$$, '42501', NULL,
  'with roboto_orgs.event_consumer_role empty, only the trusted service');
RESET ROLE;
SELECT lives_ok($$SELECT * FROM roboto_orgs.event_feed()$$, 'the trusted service (a superuser here) may read it');
SELECT is((SELECT count(*)::int FROM pg_catalog.has_function_privilege('public', 'roboto_orgs.event_feed(text, integer)', 'EXECUTE') p WHERE p),
  0, 'PUBLIC has no EXECUTE on event_feed');

-- What it returns: this transaction's own events are visible to it
SELECT results_eq(format($$SELECT kind, org_id FROM roboto_orgs.event_feed(%L) WHERE org_id = %L$$, :'start', :'acme'),
  format($$VALUES ('org.created'::text, %L::text), ('member.joined', %L)$$, :'acme', :'acme'),
  'the feed has the org''s events, in order');
SELECT is((SELECT bool_and(cursor = event_id::text) FROM roboto_orgs.event_feed(:'start')), true,
  'the cursor of a row is its position (the event id as text)');
SELECT is((SELECT array_agg(event_id ORDER BY event_id) FROM roboto_orgs.event_feed(:'start')),
  (SELECT array_agg(event_id) FROM roboto_orgs.event_feed(:'start')), 'rows come in event_id order');
SELECT is((SELECT to_jsonb(f) - 'cursor' - 'before_state' - 'after_state' FROM roboto_orgs.event_feed(:'start', 1) f),
  (SELECT to_jsonb(e) - 'before' - 'after' FROM roboto_orgs.events e WHERE e.event_id > :'start'::bigint ORDER BY e.event_id LIMIT 1),
  'a row carries the event''s columns');
SELECT is((SELECT after_state->>'name' FROM roboto_orgs.event_feed(:'start', 1)), 'Feed Acme',
  'after_state is the event''s after (renamed: a parameter is named after)');

-- Paging: each call continues after the cursor given, without repeats or gaps
SET roboto_orgs.user_id = 'fd_alice';
SELECT count(*) FROM (SELECT roboto_orgs.update_org(:'acme', name => 'Feed Acme ' || i) FROM generate_series(1, 5) i) s;
RESET roboto_orgs.user_id;
CREATE TEMP TABLE pages AS SELECT 1 AS page, * FROM roboto_orgs.event_feed(:'start', 3);
INSERT INTO pages SELECT 2, * FROM roboto_orgs.event_feed((SELECT cursor FROM pages ORDER BY event_id DESC LIMIT 1), 3);
INSERT INTO pages SELECT 3, * FROM roboto_orgs.event_feed((SELECT cursor FROM pages ORDER BY event_id DESC LIMIT 1), 3);
SELECT is((SELECT count(*)::int FROM pages WHERE page = 1), 3, 'max_events bounds a page');
SELECT is((SELECT array_agg(event_id ORDER BY page, event_id) FROM pages),
  (SELECT array_agg(event_id ORDER BY event_id) FROM roboto_orgs.event_feed(:'start', 9)),
  'three pages of 3 are the first 9 events, each once');
SELECT is((SELECT count(*)::int FROM roboto_orgs.event_feed((SELECT max(cursor::bigint)::text FROM roboto_orgs.event_feed(:'start')))),
  0, 'after the last cursor: nothing');

-- Arguments
SELECT throws_ok($$SELECT * FROM roboto_orgs.event_feed(NULL, NULL)$$, '22004', NULL, 'NULL max_events: 22004');
SELECT throws_ok($$SELECT * FROM roboto_orgs.event_feed(NULL, 0)$$, '22023', NULL, 'max_events 0: 22023');
SELECT throws_ok($$SELECT * FROM roboto_orgs.event_feed(NULL, 10001)$$, '22023', NULL, 'max_events over 10000: 22023');
SELECT throws_ok($$SELECT * FROM roboto_orgs.event_feed('')$$, '22023', NULL, 'an empty cursor: 22023');
SELECT throws_ok($$SELECT * FROM roboto_orgs.event_feed('-1')$$, '22023', NULL, 'a negative cursor: 22023');
SELECT throws_ok($$SELECT * FROM roboto_orgs.event_feed('9223372036854775808')$$, '22023', NULL, 'a cursor past bigint: 22023');
SELECT throws_ok($$SELECT * FROM roboto_orgs.event_feed('1; DROP TABLE roboto_orgs.events')$$, '22023', NULL,
  'SQL in a cursor: 22023');
SELECT throws_matching($$SELECT * FROM roboto_orgs.event_feed(repeat('9', 1000000))$$,
  '^"after" is not a cursor returned by event_feed$', 'a 1 MB cursor: 22023, and the message does not echo it');

-- The registration lock: held by a writing transaction until it ends, kept
-- when a savepoint that wrote is rolled back, not taken by one that writes no event
SELECT is((SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 21071 AND pid = pg_backend_pid()), 1,
  'a transaction that wrote events holds one registration lock');
SAVEPOINT sp;
SET roboto_orgs.user_id = 'fd_alice';
SELECT count(*) FROM roboto_orgs.update_org(:'acme', name => 'Feed Acme in a savepoint');
ROLLBACK TO SAVEPOINT sp;
SELECT is((SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 21071 AND pid = pg_backend_pid()), 1,
  'still one after a savepoint that wrote events is rolled back');
SELECT cmp_ok((SELECT (l.classid::int8 << 32) | l.objid::int8 FROM pg_locks l
                WHERE l.locktype = 'advisory' AND l.objsubid = 21071 AND l.pid = pg_backend_pid()),
  '<', (SELECT min(event_id) FROM roboto_orgs.events WHERE event_id > :'start'::bigint),
  'the lock carries a value below this transaction''s first event id');

-- A cached sequence would let a session take ids below ones already taken
ALTER SEQUENCE roboto_orgs.event_id_seq CACHE 20;
SELECT throws_ok($$SELECT * FROM roboto_orgs.event_feed()$$, '55000', NULL,
  'event_id_seq with a cache: 55000, the feed could not be exact');
ALTER SEQUENCE roboto_orgs.event_id_seq CACHE 1;
SELECT lives_ok($$SELECT * FROM roboto_orgs.event_feed()$$, 'back to CACHE 1: the feed answers');

SELECT * FROM finish();
ROLLBACK;
