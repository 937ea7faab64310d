#!/usr/bin/env bash
# Latency of every roboto_orgs operation on a small and a large database.
#
#   bash bench/ops.sh                      # small: 1,000 orgs; large: 200,000 orgs
#   LARGE_ORGS=1000000 SHARED_BUFFERS=3GB bash bench/ops.sh   # 1M orgs, 5M memberships
#
# Builds the extension, installs it into a private directory (make install
# DESTDIR=...; the shared installation is not touched, so no lock is needed)
# and runs on a throwaway cluster (pg_virtualenv -t) that loads it from there
# with extension_destdir. Each database holds N users, N orgs and 5N
# memberships (bench/ops_setup.sql: every user owns one org and belongs to
# four more, whatever N). Each operation is a pgbench script (bench/ops_*.sql)
# run ROUNDS times for DURATION seconds by CLIENTS clients (tables and
# indexes prewarmed into shared_buffers), each transaction as a random user on
# a random org; the script sets the caller with set_config() first.
# Prints transactions per second and mean latency of each script, the mean
# latency of each operation's own statement (pgbench -r), and the ratio
# large/small of that latency. invite_user + accept_invite are skipped while
# the extension does not have them.
# Loading takes about 30 s per 200,000 orgs on a 2-core machine; the runs
# ROUNDS x 7 x 2 x (WARMUP + DURATION) s, about 3 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

SMALL_ORGS=${SMALL_ORGS:-1000}
LARGE_ORGS=${LARGE_ORGS:-200000}
DURATION=${DURATION:-4}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-1}
WARMUP=${WARMUP:-1}
SHARED_BUFFERS=${SHARED_BUFFERS:-1GB}   # 3GB holds the 1M-org database

if [ "${1:-}" != "--in-cluster" ]; then
  exec bash bench/cluster.sh bench/ops.sh "shared_buffers=$SHARED_BUFFERS" max_wal_size=4GB jit=off
fi

out=$(mktemp -d /tmp/roboto_orgs-ops.XXXXXX)
for size in small large; do
  n=$([ $size = small ] && echo "$SMALL_ORGS" || echo "$LARGE_ORGS")
  echo "== loading $size: $n users, $n orgs, $((5 * n)) memberships"
  start=$(date +%s)
  psql -X -q -d postgres -c "CREATE DATABASE ops_$size"
  psql -X -q -d ops_$size -v orgs="$n" -f bench/ops_setup.sql >/dev/null
  # a warm cache, as a working database has: the tables and indexes in shared_buffers
  psql -X -q -d ops_$size -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
    -c "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
        WHERE s.nspname = 'roboto_orgs' AND c.relkind IN ('r', 'i')" >/dev/null
  echo "   loaded in $(( $(date +%s) - start )) s, $(psql -X -A -t -d ops_$size -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
done

scripts=${OPS_SCRIPTS:-"get_org org_users orgs_for_self has_role create_org roles invite_accept raw_create_org raw_roles raw_invite_accept"}
have_invites=$(psql -X -A -t -d ops_small -c "SELECT to_regproc('roboto_orgs.invite_user') IS NOT NULL
  AND to_regprocedure('roboto_orgs.accept_invite(text)') IS NOT NULL")

run_scripts=""
for s in $scripts; do
  if { [ "$s" = invite_accept ] || [ "$s" = raw_invite_accept ]; } && [ "$have_invites" != t ]; then
    echo "== skipping invite_user + accept_invite: roboto_orgs.invite_user or accept_invite(text) does not exist yet"
    continue
  fi
  run_scripts="$run_scripts $s"
done
# Rounds: each script on small then large, DURATION seconds each, after a
# WARMUP-second run; the medians over the rounds are reported, so that a busy
# moment of a shared machine does not decide a ratio.
for round in $(seq "$ROUNDS"); do
  echo "== round $round of $ROUNDS"
  for s in $run_scripts; do
    for size in small large; do
      n=$([ $size = small ] && echo "$SMALL_ORGS" || echo "$LARGE_ORGS")
      pgbench -n -c "$CLIENTS" -j "$CLIENTS" -T "$WARMUP" -D norgs="$n" -f "bench/ops_$s.sql" "ops_$size" >/dev/null 2>&1 || true
      f="$out/$s.$size.$round"
      if ! pgbench -n -r -c "$CLIENTS" -j "$CLIENTS" -T "$DURATION" -D norgs="$n" \
           -f "bench/ops_$s.sql" "ops_$size" > "$f" 2>&1; then
        echo "   $s on $size failed:"; tail -5 "$f"
      fi
      # "tps <n>", "txn <ms>", then "<operation> <ms>" for each roboto_orgs call but set_config
      { sed -n 's/^tps = \([0-9.]*\).*/tps \1/p; s/^latency average = \([0-9.]*\) ms/txn \1/p' "$f"
        awk '/statement latencies/ {on = 1; next} on && /roboto_orgs\./ && !/set_config/ {
               stmt = $0; sub(/^ *[0-9.]+ +[0-9]+ +/, "", stmt); match(stmt, /roboto_orgs\.[a-z_]+/);
               print substr(stmt, RSTART + 12, RLENGTH - 12), $1 }' "$f"; } > "$f.kv"
    done
  done
done

# One row per operation statement: medians over the rounds of the script's
# tps and mean latency and of the statement's own mean latency
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
get() { # script size key
  for r in $(seq "$ROUNDS"); do awk -v k="$3" '$1 == k { print $2 }' "$out/$1.$2.$r.kv"; done | median
}
echo
echo "== $CLIENTS client(s), $ROUNDS rounds of $DURATION s; small: $SMALL_ORGS orgs, large: $LARGE_ORGS orgs (5 memberships per org)"
printf '%-32s %10s %9s %9s | %10s %9s %9s | %6s\n' operation "tps small" "txn ms" "op ms" "tps large" "txn ms" "op ms" "ratio"
for s in $run_scripts; do
  case "$s" in raw_*) continue ;; esac
  for op in $(awk '$1 != "tps" && $1 != "txn" { print $1 }' "$out/$s.small.1.kv"); do
    label=$op; [ "$op" = "$s" ] || label="$op ($s)"
    ms_s=$(get "$s" small "$op"); ms_l=$(get "$s" large "$op")
    printf '%-32s %10.0f %9.3f %9.3f | %10.0f %9.3f %9.3f | %6.2f\n' "$label" \
      "$(get "$s" small tps)" "$(get "$s" small txn)" "$ms_s" \
      "$(get "$s" large tps)" "$(get "$s" large txn)" "$ms_l" "$(echo "$ms_l / $ms_s" | bc -l)"
  done
done
echo "txn ms: mean latency of the whole script (set_config and the operation); op ms: the operation's statement"

# Each write against its raw baseline (bench/ops_raw_*.sql: the bare statements
# on the same tables, triggers off), whole scripts: the growth from small to
# large of the extension's operation, over the growth of the baseline.
echo
echo "== writes against their raw baselines (whole transactions; target: growth ratio at most 1.2)"
printf '%-16s | %9s %9s %7s | %9s %9s %7s | %7s\n' write "ext small" "large" growth "raw small" "large" growth "ratio"
for w in create_org roles invite_accept; do
  case " $run_scripts " in *" $w "*) ;; *) continue ;; esac
  es=$(get "$w" small txn); el=$(get "$w" large txn)
  rs=$(get "raw_$w" small txn); rl=$(get "raw_$w" large txn)
  printf '%-16s | %9.3f %9.3f %7.2f | %9.3f %9.3f %7.2f | %7.2f\n' "$w" "$es" "$el" "$(echo "$el / $es" | bc -l)" \
    "$rs" "$rl" "$(echo "$rl / $rs" | bc -l)" "$(echo "($el / $es) / ($rl / $rs)" | bc -l)"
done
echo "ext: the extension's script (set_config and the calls); raw: its baseline; ratio: ext growth / raw growth"
psql -X -A -t -d ops_small -c "SELECT 'PostgreSQL ' || current_setting('server_version') || '; shared_buffers=' || current_setting('shared_buffers')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$out"
