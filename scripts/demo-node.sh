#!/usr/bin/env bash
# The app pattern in action, inside pg_virtualenv after make install (called by
# scripts/demo.sh): pgbouncer in transaction pooling mode, examples/node-api
# behind it, and a few HTTP requests to it (examples/node-api/demo.js), each
# one transaction that names its caller with set_config('request.jwt.claims',
# ..., true).
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/pooler-env.sh
. scripts/pooler-env.sh
trap pooler_cleanup EXIT
trap 'exit 130' INT TERM
pooler_npm_ci >/dev/null || exit 1
pooler_setup_db roboto_demo || exit 1
pooler_start_pgbouncer roboto_demo || exit 1
pooler_start_api || exit 1
echo
node examples/node-api/demo.js
