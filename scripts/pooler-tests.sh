#!/usr/bin/env bash
# roboto_orgs behind a real connection pooler and a real app, inside
# pg_virtualenv (PGHOST, PGPORT, PGUSER, PGPASSWORD set), after make install:
#
#   pg_virtualenv -v 15 bash scripts/pooler-tests.sh
#
# 1. pgbouncer in transaction pooling mode (default_pool_size=2) in front of a
#    fresh database; examples/node-api/test/pooled.test.js runs many clients
#    naming their callers per transaction and checks every answer is the own
#    caller's, then shows the session-level SET leaking to another client.
# 2. examples/node-api (the HTTP service) behind that pgbouncer;
#    examples/node-api/test/http.test.js drives it with real HTTP requests.
#
# Writes "pass NAME"/"fail NAME" lines to ROBOTO_RESULTS (scripts/test.sh's
# summary) and exits non-zero when either fails. pgbouncer and the service
# are stopped on the way out, on failure too.
set -uo pipefail
cd "$(dirname "$0")/.."
results=${ROBOTO_RESULTS:-/dev/null}
status=0
record() { if [ "$1" = 0 ]; then echo "pass $2" >> "$results"; else echo "fail $2" >> "$results"; status=1; fi; }
# shellcheck source=scripts/pooler-env.sh
. scripts/pooler-env.sh
trap pooler_cleanup EXIT
trap 'exit 130' INT TERM

pooled="pgbouncer transaction pooling (examples/node-api/test/pooled.test.js)"
http="node-api over HTTP (examples/node-api/test/http.test.js)"
fail_both() { echo "pooler-tests: $1" >&2; record 1 "$pooled"; record 1 "$http"; exit 1; }

echo "== npm ci (examples/node-api)"
pooler_npm_ci || fail_both "npm ci failed"
pooler_setup_db roboto_pool || fail_both "could not set up database roboto_pool"
pooler_start_pgbouncer roboto_pool || fail_both "could not start pgbouncer"

reporter=(--test-reporter=spec)
echo "== $pooled"
(cd examples/node-api && timeout 600 node --test "${reporter[@]}" test/pooled.test.js); rc=$?
record $rc "$pooled"

echo "== $http"
if pooler_start_api; then
  (cd examples/node-api && timeout 600 node --test "${reporter[@]}" test/http.test.js); rc=$?
  [ $rc = 0 ] || { echo "---- service log"; tail -50 "$pooler_dir/api.log"; }
else
  rc=1
fi
record $rc "$http"
if [ $status != 0 ]; then echo "---- pgbouncer log (last 30 lines)"; tail -30 "$pooler_dir/pgbouncer.log"; fi
exit $status
