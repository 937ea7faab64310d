#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds, installs the extension,
# then runs the pg_regress and isolation tests (make installcheck) and the pgTAP
# tests (pg_prove) on a throwaway PostgreSQL 15 cluster made by pg_virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
make -s -j2
make -s install
pg_virtualenv -v 15 bash scripts/in-cluster-tests.sh
