#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, installs the extension,
# then runs the pg_regress, isolation and TAP tests (make installcheck), the
# pgTAP tests (pg_prove), the upgrade chain and the pooler tests (pgbouncer and
# examples/node-api: scripts/pooler-tests.sh) on a throwaway UTF-8 cluster made
# by pg_virtualenv, then fuzzes the email domain parser for FUZZ_SECONDS
# (default 60; ROBOTO_FUZZ=0 skips it).
#
# PG_MAJOR picks the PostgreSQL major (default 15, Debian 12's); the others
# run in Debian roots of their own: see scripts/test-versions.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
major=${PG_MAJOR:-15}
fuzz=${ROBOTO_FUZZ:-1}
bash scripts/deps.sh "$major"
pg_config=/usr/lib/postgresql/$major/bin/pg_config
make -s -j2 PG_CONFIG="$pg_config"
make -s install PG_CONFIG="$pg_config"
status=0
results=$(mktemp)
trap 'rm -f "$results"' EXIT
# UTF-8 whatever the environment's locale (the tests and the demo use non-ASCII names)
export LANG=C.UTF-8 LC_ALL=C.UTF-8
ROBOTO_RESULTS=$results PG_CONFIG=$pg_config pg_virtualenv -t -v "$major" \
  bash scripts/in-cluster-tests.sh || status=1

expected=7   # seven suites in the cluster (scripts/pooler-tests.sh records two)
if [ "$fuzz" != 0 ]; then
  expected=$((expected + 1))
  echo "== fuzzing the email domain parser (scripts/fuzz.sh, ${FUZZ_SECONDS:-60}s)"
  if bash scripts/fuzz.sh; then echo "pass fuzzing" >> "$results"; else echo "fail fuzzing" >> "$results"; status=1; fi
fi

echo "== summary (PostgreSQL $major)"
sed 's/^/  /' "$results"
passed=$(grep -c '^pass' "$results" || true)
failed=$(grep -c '^fail' "$results" || true)
[ "$passed" -ge "$expected" ] || status=1   # fewer means a suite did not run
echo "suites: $passed passed, $failed failed"
exit $status
