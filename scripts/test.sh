#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, installs the extension,
# then runs the pg_regress and isolation tests (make installcheck) and the pgTAP
# tests (pg_prove) on a throwaway PostgreSQL 15 cluster made by pg_virtualenv,
# then fuzzes the email domain parser for FUZZ_SECONDS (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
make -s -j2
make -s install
status=0
results=$(mktemp)
trap 'rm -f "$results"' EXIT
ROBOTO_RESULTS=$results pg_virtualenv -t -v 15 bash scripts/in-cluster-tests.sh || status=1

echo "== fuzzing the email domain parser (scripts/fuzz.sh, ${FUZZ_SECONDS:-60}s)"
if bash scripts/fuzz.sh; then echo "pass fuzzing" >> "$results"; else echo "fail fuzzing" >> "$results"; status=1; fi

echo "== summary"
sed 's/^/  /' "$results"
passed=$(grep -c '^pass' "$results" || true)
failed=$(grep -c '^fail' "$results" || true)
[ "$passed" -ge 4 ] || status=1   # three suites in the cluster plus fuzzing: fewer means one did not run
echo "suites: $passed passed, $failed failed"
exit $status
