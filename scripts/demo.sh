#!/usr/bin/env bash
# The demo: installs what it needs, builds and installs the extension, then runs
# examples/demo.sql on a throwaway UTF-8 cluster made by pg_virtualenv, then
# examples/node-api behind pgbouncer answering a few HTTP requests
# (scripts/demo-node.sh)
# (PostgreSQL 15, or PG_MAJOR; another major than the host's: run it through
# scripts/in-root.sh). The errors the demo shows on purpose are checked by
# examples/expect_error.sql; any other error stops it with a non-zero exit status.
set -euo pipefail
cd "$(dirname "$0")/.."
major=${PG_MAJOR:-15}
ROBOTO_FUZZ=0 bash scripts/deps.sh "$major"
pg_config=/usr/lib/postgresql/$major/bin/pg_config
make -s -j2 PG_CONFIG="$pg_config"
make -s install PG_CONFIG="$pg_config"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
pg_virtualenv -t -v "$major" psql -X -v ON_ERROR_STOP=1 -f examples/demo.sql 2>&1
echo
echo "== the same API behind pgbouncer and an HTTP service (scripts/demo-node.sh)"
pg_virtualenv -t -v "$major" bash scripts/demo-node.sh 2>&1
