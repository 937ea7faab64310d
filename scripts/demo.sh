#!/usr/bin/env bash
# The demo: installs what it needs, builds and installs the extension, then runs
# examples/demo.sql on a throwaway PostgreSQL 15 cluster made by pg_virtualenv.
# The errors the demo shows on purpose are checked by examples/expect_error.sql;
# any other error stops it with a non-zero exit status.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
make -s -j2
make -s install
pg_virtualenv -v 15 psql -X -v ON_ERROR_STOP=1 -f examples/demo.sql 2>&1
