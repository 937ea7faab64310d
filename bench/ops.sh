#!/usr/bin/env bash
# Latency of every roboto_orgs operation on a small and a large database.
#
#   bash bench/ops.sh                      # small: 1,000 orgs; large: 200,000 orgs
#   LARGE_ORGS=1000000 bash bench/ops.sh   # the 1M orgs / 5M memberships of the issue
#
# Builds the extension, installs it into a private directory (make install
# DESTDIR=...; the shared installation is not touched, so no lock is needed)
# and runs on a throwaway cluster (pg_virtualenv -t) that loads it from there
# with extension_destdir. Each database holds N users, N orgs and 5N
# memberships (bench/ops_setup.sql: every user owns one org and belongs to
# four more, whatever N). Each operation is a pgbench script (bench/ops_*.sql)
# run for DURATION seconds by CLIENTS clients, each transaction as a random
# user on a random org; the script sets the caller with set_config() first.
# Prints transactions per second and mean latency of each script, the mean
# latency of each operation's own statement (pgbench -r), and the ratio
# large/small of that latency. invite_user + accept_invite are skipped while
# the extension does not have them.
# Loading takes about 30 s per 200,000 orgs on a 2-core machine; the runs
# 7 x 2 x (WARMUP + DURATION) s.
set -euo pipefail
cd "$(dirname "$0")/.."

SMALL_ORGS=${SMALL_ORGS:-1000}
LARGE_ORGS=${LARGE_ORGS:-200000}
DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-1}
WARMUP=${WARMUP:-2}

if [ "${1:-}" != "--in-cluster" ]; then
  make -s -j2
  dest=$(mktemp -d /tmp/roboto_orgs-bench.XXXXXX)
  trap 'rm -rf "$dest"' EXIT
  chmod 755 "$dest"
  make -s install DESTDIR="$dest" >/dev/null
  pg_virtualenv -t -v 15 -o "extension_destdir=$dest" \
    -o "shared_buffers=1GB" -o "max_wal_size=4GB" -o "jit=off" \
    bash bench/ops.sh --in-cluster
  exit
fi

out=$(mktemp -d /tmp/roboto_orgs-ops.XXXXXX)
for size in small large; do
  n=$([ $size = small ] && echo "$SMALL_ORGS" || echo "$LARGE_ORGS")
  echo "== loading $size: $n users, $n orgs, $((5 * n)) memberships"
  start=$(date +%s)
  psql -X -q -d postgres -c "CREATE DATABASE ops_$size"
  psql -X -q -d ops_$size -v orgs="$n" -f bench/ops_setup.sql >/dev/null
  echo "   loaded in $(( $(date +%s) - start )) s, $(psql -X -A -t -d ops_$size -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
done

scripts="get_org org_users orgs_for_self has_role create_org roles invite_accept"
have_invites=$(psql -X -A -t -d ops_small -c "SELECT to_regprocedure('roboto_orgs.invite_user(text, text)') IS NOT NULL
  AND to_regprocedure('roboto_orgs.accept_invite(text)') IS NOT NULL")

for s in $scripts; do
  if [ "$s" = invite_accept ] && [ "$have_invites" != t ]; then
    echo "== skipping invite_user + accept_invite: roboto_orgs.invite_user(text, text) or accept_invite(text) does not exist yet"
    continue
  fi
  for size in small large; do
    n=$([ $size = small ] && echo "$SMALL_ORGS" || echo "$LARGE_ORGS")
    echo "== $s on $size"
    # warm-up (caches, plans), not measured
    pgbench -n -c "$CLIENTS" -j "$CLIENTS" -T "$WARMUP" -D norgs="$n" -f "bench/ops_$s.sql" "ops_$size" >/dev/null 2>&1 || true
    if ! pgbench -n -r -c "$CLIENTS" -j "$CLIENTS" -T "$DURATION" -D norgs="$n" \
         -f "bench/ops_$s.sql" "ops_$size" > "$out/$s.$size" 2>&1; then
      echo "   pgbench failed:"; tail -5 "$out/$s.$size"
    fi
  done
done

# One row per operation statement: script tps and mean latency, the
# statement's own mean latency, small and large
echo
echo "== $CLIENTS client(s), $DURATION s each; small: $SMALL_ORGS orgs, large: $LARGE_ORGS orgs (5 memberships per org)"
printf '%-32s %10s %9s %9s | %10s %9s %9s | %6s\n' operation "tps small" "txn ms" "op ms" "tps large" "txn ms" "op ms" "ratio"
for s in $scripts; do
  [ -s "$out/$s.small" ] && [ -s "$out/$s.large" ] || continue
  for size in small large; do
    f="$out/$s.$size"
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$f")
    lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$f")
    # statement lines of -r: latency, failures, statement; keep roboto_orgs calls but set_config
    awk '/statement latencies/ {on = 1; next} on && /roboto_orgs\./ && !/set_config/ {
           stmt = $0; sub(/^ *[0-9.]+ +[0-9]+ +/, "", stmt); match(stmt, /roboto_orgs\.[a-z_]+/);
           print substr(stmt, RSTART + 12, RLENGTH - 12), $1 }' "$f" > "$f.ops"
    echo "$tps $lat" > "$f.txn"
  done
  read -r tps_s lat_s < "$out/$s.small.txn"
  read -r tps_l lat_l < "$out/$s.large.txn"
  paste -d' ' "$out/$s.small.ops" "$out/$s.large.ops" | while read -r op ms_s _ ms_l; do
    label=$op; [ "$op" = "$s" ] || label="$op ($s)"
    printf '%-32s %10.0f %9.3f %9.3f | %10.0f %9.3f %9.3f | %6.2f\n' "$label" "$tps_s" "$lat_s" "$ms_s" \
      "$tps_l" "$lat_l" "$ms_l" "$(echo "$ms_l / $ms_s" | bc -l)"
  done
done
echo "txn ms: mean latency of the whole script (set_config and the operation); op ms: the operation's statement"
psql -X -A -t -d ops_small -c "SELECT 'PostgreSQL ' || current_setting('server_version') || '; shared_buffers=' || current_setting('shared_buffers')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$out"
