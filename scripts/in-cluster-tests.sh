#!/usr/bin/env bash
# Runs inside pg_virtualenv (PGHOST, PGPORT, PGUSER set): every test suite
# (the last, scripts/pooler-tests.sh, behind pgbouncer and examples/node-api),
# reporting all failures before exiting non-zero.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
# one line per suite, "pass NAME" or "fail NAME", for scripts/test.sh's summary
results=${ROBOTO_RESULTS:-/dev/null}
record() { if [ "$1" = 0 ]; then echo "pass $2" >> "$results"; else echo "fail $2" >> "$results"; status=1; fi; }

echo "== pg_regress, isolation and TAP tests (make installcheck)"
make -s installcheck; rc=$?
if [ $rc != 0 ]; then
  for f in regression.diffs output_iso/regression.diffs; do
    [ -f "$f" ] && { echo "---- $f"; cat "$f"; }
  done
fi
record $rc "pg_regress/isolation/TAP (make installcheck)"

echo "== pgTAP tests (pg_prove)"
psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS roboto_tap' -c "CREATE DATABASE roboto_tap TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
psql -X -q -d roboto_tap -c 'CREATE EXTENSION pgtap'
pg_prove -d roboto_tap --ext .sql -r test/pgtap; record $? "pgTAP (pg_prove)"

echo "== event feed under concurrent writers (test/stress/event_feed.sh)"
bash test/stress/event_feed.sh; record $? "event feed stress"

echo "== the example event consumer (examples/event-consumer/test.sh)"
bash examples/event-consumer/test.sh; record $? "event consumer example"

echo "== upgrade chain (scripts/upgrade-tests.sh)"
bash scripts/upgrade-tests.sh; record $? "upgrade chain"

echo "== behind pgbouncer and a node-postgres service (scripts/pooler-tests.sh)"
# records its two suites itself
bash scripts/pooler-tests.sh || status=1

exit $status
