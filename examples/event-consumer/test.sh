#!/usr/bin/env bash
# Tests the example consumer (run inside pg_virtualenv by
# scripts/in-cluster-tests.sh; PGHOST, PGPORT, PGUSER and PGPASSWORD set):
# installs its locked npm dependencies, starts it as a member of the event
# consumer role, writes events (plain ones, a slow writer that commits after
# faster ones, a writer that rolls back), and checks that every committed
# event was delivered exactly once: one file per event, one row in the
# consumer's own table, nothing for the rolled back change; then that a
# restarted consumer delivers nothing again.
set -euo pipefail
cd "$(dirname "$0")"
db=roboto_consumer_example
work=$(mktemp -d /tmp/roboto_consumer.XXXXXX)
consumer_pid=
cleanup() {
  [ -n "$consumer_pid" ] && kill "$consumer_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

echo "npm ci (examples/event-consumer)"
npm ci --no-audit --no-fund --loglevel=error >/dev/null

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
q -o /dev/null <<'SQL'
CREATE EXTENSION roboto_orgs;
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'roboto_orgs_event_consumer') THEN
    CREATE ROLE roboto_orgs_event_consumer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'example_webhooks') THEN
    CREATE ROLE example_webhooks LOGIN PASSWORD 'example' IN ROLE roboto_orgs_event_consumer;
  END IF;
END $$;
SELECT roboto_orgs.grant_api_access('roboto_orgs_event_consumer');
CREATE SCHEMA AUTHORIZATION example_webhooks;   -- where the consumer keeps its cursor and deliveries
SELECT count(*) FROM roboto_orgs.create_user('ex_owner');
SET roboto_orgs.user_id = 'ex_owner';
CREATE TABLE ex_orgs AS SELECT i, (roboto_orgs.create_org('Example ' || i)).org_id FROM generate_series(1, 3) i;
SQL

# Start after the setup's events: the consumer begins at the feed's current end
start=$(q -At -c "SELECT coalesce(max(cursor::bigint), 0) FROM roboto_orgs.event_feed(NULL, 10000)")
q -c "SET ROLE example_webhooks; CREATE TABLE example_webhooks.webhook_consumer (name text PRIMARY KEY, cursor text);
      INSERT INTO example_webhooks.webhook_consumer VALUES ('webhooks', '$start');"

run_consumer() {
  PGUSER=example_webhooks PGPASSWORD=example PGDATABASE=$db POLL_MS=200 node consumer.js "$work/out" "$@"
}
run_consumer > "$work/consumer.log" 2>&1 &
consumer_pid=$!

org() { q -At -c "SELECT org_id FROM ex_orgs WHERE i = $1"; }
a=$(org 1); b=$(org 2); c=$(org 3)
rename() { q -c "SET roboto_orgs.user_id = 'ex_owner'; SELECT count(*) FROM roboto_orgs.update_org('$1', name => '$2')" >/dev/null; }

# A slow writer takes its event id first and commits last; a writer that rolls back
q -c "SET roboto_orgs.user_id = 'ex_owner'; BEGIN; SELECT count(*) FROM roboto_orgs.update_org('$a', name => 'A slow');
      SELECT pg_sleep(1.5); COMMIT;" >/dev/null &
slow=$!
q -c "SET roboto_orgs.user_id = 'ex_owner'; BEGIN; SELECT count(*) FROM roboto_orgs.update_org('$c', name => 'C rolled back');
      SELECT pg_sleep(0.8); ROLLBACK;" >/dev/null &
rolled=$!
sleep 0.3
for i in $(seq 1 20); do rename "$b" "B $i"; done
wait "$slow" "$rolled"
for i in $(seq 1 5); do rename "$c" "C $i"; done

committed=$(q -At -c "SELECT count(*) FROM roboto_orgs.events WHERE event_id > $start")
echo "committed events: $committed; waiting for the consumer"
for _ in $(seq 1 100); do
  delivered=$(find "$work/out" -name '*.json' 2>/dev/null | wc -l)
  [ "$delivered" -ge "$committed" ] && break
  sleep 0.2
done
kill "$consumer_pid"; wait "$consumer_pid" || true; consumer_pid=
sed 's/^/  consumer: /' "$work/consumer.log"

status=0
check() { if eval "$2"; then echo "ok: $1"; else echo "not ok: $1"; status=1; fi; }
files=$(find "$work/out" -name '*.json' | wc -l)
expected_files=$(q -At -c "SELECT string_agg(event_id || '.json', ' ' ORDER BY event_id) FROM roboto_orgs.events WHERE event_id > $start")
actual_files=$(cd "$work/out" && ls *.json | sort -n | tr '\n' ' ' | sed 's/ $//')
rows=$(q -At -c "SELECT count(*) FROM example_webhooks.webhook_deliveries")
check "one file per committed event ($files of $committed)" '[ "$files" = "$committed" ] && [ "$actual_files" = "$expected_files" ]'
check "one delivery row per committed event ($rows)" '[ "$rows" = "$committed" ]'
check "the slow writer's event was delivered" 'grep -qs "\"A slow\"" "$work"/out/*.json'
check "nothing of the rolled back change" '! grep -qs "C rolled back" "$work"/out/*.json'
again=$(run_consumer --once | sed -n 's/^delivered \([0-9]*\) events$/\1/p')
check "a restarted consumer delivers nothing again ($again)" '[ "$again" = 0 ]'
psql -X -q -d postgres -c "DROP DATABASE $db WITH (FORCE)"
exit $status
