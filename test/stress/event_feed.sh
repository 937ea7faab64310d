#!/usr/bin/env bash
# Stress test of event_feed() (run inside pg_virtualenv by
# scripts/in-cluster-tests.sh; PGHOST, PGPORT, PGUSER set): six pgbench
# clients write events concurrently (two renames of an org per transaction,
# with a random pause between, so transactions that took lower event ids
# often commit after higher ones), some roll back, some write no event at all,
# while a consumer drains the feed with its cursor in a table, committing
# after each batch. At the end every committed event must have reached the
# consumer exactly once (a repeat breaks its primary key), in id order, and
# nothing else; at least STRESS_MIN_EVENTS (10,000) of them.
set -euo pipefail
cd "$(dirname "$0")"
db=roboto_feed_stress
min_events=${STRESS_MIN_EVENTS:-10000}
clients=6
per_client=${STRESS_TRANSACTIONS:-1500}
work=$(mktemp -d /tmp/roboto_feed_stress.XXXXXX)
trap 'rm -rf "$work"' EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
q <<'SQL'
CREATE EXTENSION roboto_orgs;
SELECT count(*) FROM roboto_orgs.create_user('st_owner');
SET roboto_orgs.user_id = 'st_owner';
CREATE TABLE st_orgs (n int PRIMARY KEY, org_id text NOT NULL);
INSERT INTO st_orgs SELECT i, (roboto_orgs.create_org('Stress ' || i)).org_id FROM generate_series(1, 8) i;
RESET roboto_orgs.user_id;

-- The consumer: its cursor, what it received (in arrival order), a stop flag
CREATE TABLE consumer (cursor text, started_after bigint);
INSERT INTO consumer SELECT max(cursor::bigint)::text, max(cursor::bigint) FROM roboto_orgs.event_feed(NULL, 10000);
CREATE TABLE seen (event_id bigint PRIMARY KEY, arrival bigserial UNIQUE);
CREATE TABLE stop (at timestamptz);

CREATE PROCEDURE consume() LANGUAGE plpgsql AS $$
DECLARE
  c text;
  r record;
  n int;
  last bigint := 0;
  stopping boolean;
BEGIN
  LOOP
    -- writers had all finished before this poll began: a poll that then
    -- returns nothing means the feed is drained
    stopping := EXISTS (SELECT FROM stop);
    SELECT cursor INTO c FROM consumer FOR UPDATE;
    n := 0;
    FOR r IN SELECT * FROM roboto_orgs.event_feed(c, 500) LOOP
      IF r.event_id <= last THEN
        RAISE EXCEPTION 'event % came after event %', r.event_id, last;
      END IF;
      INSERT INTO seen (event_id) VALUES (r.event_id);   -- a repeat fails here
      last := r.event_id;
      c := r.cursor;
      n := n + 1;
    END LOOP;
    UPDATE consumer SET cursor = c;
    COMMIT;
    IF n = 0 THEN
      EXIT WHEN stopping;
      PERFORM pg_sleep(0.005);
    END IF;
  END LOOP;
END
$$;
SQL

cat > "$work/commit.sql" <<'SQL'
\set n random(1, 8)
BEGIN;
SELECT set_config('roboto_orgs.user_id', 'st_owner', true);
SELECT (roboto_orgs.update_org((SELECT org_id FROM st_orgs WHERE n = :n), name => 'S-' || gen_random_uuid())).name;
SELECT pg_sleep(random() * 0.004);
SELECT (roboto_orgs.update_org((SELECT org_id FROM st_orgs WHERE n = :n), name => 'S-' || gen_random_uuid())).name;
COMMIT;
SQL
cat > "$work/rollback.sql" <<'SQL'
\set n random(1, 8)
BEGIN;
SELECT set_config('roboto_orgs.user_id', 'st_owner', true);
SELECT (roboto_orgs.update_org((SELECT org_id FROM st_orgs WHERE n = :n), name => 'R-' || gen_random_uuid())).name;
SELECT pg_sleep(random() * 0.004);
ROLLBACK;
SQL
cat > "$work/noevent.sql" <<'SQL'
BEGIN;
SELECT pg_current_xact_id();
SELECT pg_sleep(random() * 0.004);
COMMIT;
SQL

echo "consumer started; $clients writers, $per_client transactions each"
q -c 'CALL consume()' > "$work/consumer.log" 2>&1 &
consumer=$!
start=$SECONDS
pgbench -n -d "$db" -c "$clients" -j 2 -t "$per_client" \
  -f "$work/commit.sql@6" -f "$work/rollback.sql@2" -f "$work/noevent.sql@1" > "$work/pgbench.log" 2>&1 \
  || { cat "$work/pgbench.log"; kill "$consumer" 2>/dev/null; exit 1; }
grep -E 'number of (transactions actually processed|failed)|tps' "$work/pgbench.log" | sed 's/^/  pgbench: /'
q -c 'INSERT INTO stop VALUES (now())'
if ! wait "$consumer"; then
  echo "not ok: the consumer failed:"; cat "$work/consumer.log"; exit 1
fi
echo "writers took $((SECONDS - start)) s; the consumer drained the feed"

q -At <<'SQL' > "$work/check.txt"
WITH committed AS (
  SELECT e.event_id FROM roboto_orgs.events e, consumer c WHERE e.event_id > c.started_after
)
SELECT (SELECT count(*) FROM committed),
       (SELECT count(*) FROM seen),
       (SELECT count(*) FROM committed c WHERE NOT EXISTS (SELECT FROM seen s WHERE s.event_id = c.event_id)),
       (SELECT count(*) FROM seen s WHERE NOT EXISTS (SELECT FROM committed c WHERE c.event_id = s.event_id)),
       (SELECT count(*) FROM (SELECT event_id, lag(event_id) OVER (ORDER BY arrival) AS prev FROM seen) x
         WHERE prev >= event_id),
       (SELECT count(*) FROM roboto_orgs.events e, consumer c WHERE e.event_id > c.started_after AND e.after->>'name' LIKE 'R-%');
SQL
IFS='|' read -r committed seen missing extra disorder rolled_back < "$work/check.txt"
echo "committed events: $committed; received: $seen; missing: $missing; not committed but received: $extra; out of order: $disorder; rolled back in the log: $rolled_back"
status=0
[ "$committed" -ge "$min_events" ] || { echo "not ok: fewer than $min_events events were written"; status=1; }
[ "$missing" = 0 ] && [ "$extra" = 0 ] && [ "$committed" = "$seen" ] || { echo "not ok: the consumer did not get every committed event exactly once"; status=1; }
[ "$disorder" = 0 ] || { echo "not ok: events arrived out of feed order"; status=1; }
[ "$rolled_back" = 0 ] || { echo "not ok: rolled back events are in the log"; status=1; }
psql -X -q -d postgres -c "DROP DATABASE $db"
[ $status = 0 ] && echo "ok: $seen events, each exactly once, in feed order"
exit $status
