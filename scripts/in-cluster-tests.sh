#!/usr/bin/env bash
# Runs inside pg_virtualenv (PGHOST, PGPORT, PGUSER set): every test suite,
# reporting all failures before exiting non-zero.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

echo "== pg_regress, isolation and TAP tests (make installcheck)"
if ! make -s installcheck; then
  status=1
  for f in regression.diffs output_iso/regression.diffs; do
    [ -f "$f" ] && { echo "---- $f"; cat "$f"; }
  done
fi

echo "== pgTAP tests (pg_prove)"
psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS roboto_tap' -c "CREATE DATABASE roboto_tap TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
psql -X -q -d roboto_tap -c 'CREATE EXTENSION pgtap'
pg_prove -d roboto_tap --ext .sql -r test/pgtap || status=1

echo "== upgrade chain (scripts/upgrade-tests.sh)"
bash scripts/upgrade-tests.sh || status=1

exit $status
