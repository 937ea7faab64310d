#!/usr/bin/env bash
# Shared by the benchmarks: builds the extension, installs it into a private
# tree (make install DESTDIR=...), not the shared installation, and runs a
# benchmark script with --in-cluster on a throwaway cluster (pg_virtualenv -t)
# that loads the extension from there through Debian's extension_destdir. So
# a benchmark needs no install lock, and nobody else's install can change
# what it measures.
#
#   bash bench/cluster.sh SCRIPT [postgresql.conf setting ...]
#   bash bench/cluster.sh bench/rls.sh jit=off work_mem=16MB
#
# PG_MAJOR picks the PostgreSQL major (default 15).
set -euo pipefail
cd "$(dirname "$0")/.."
script=${1:?usage: bench/cluster.sh SCRIPT [setting ...]}
shift
pg_config="/usr/lib/postgresql/${PG_MAJOR:-15}/bin/pg_config"
make -s -j2 PG_CONFIG="$pg_config"
dest=$(mktemp -d /tmp/roboto_orgs-bench.XXXXXX)
trap 'rm -rf "$dest"' EXIT
chmod 755 "$dest"
make -s install DESTDIR="$dest" PG_CONFIG="$pg_config" >/dev/null
opts=(-o "extension_destdir=$dest")
for setting in "$@"; do opts+=(-o "$setting"); done
pg_virtualenv -t -v "${PG_MAJOR:-15}" "${opts[@]}" bash "$script" --in-cluster
