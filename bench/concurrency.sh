#!/usr/bin/env bash
# Throughput and latency under concurrency, 1, 2, 4 and 8 clients.
#
#   bash bench/concurrency.sh       # about 3 minutes; CLIENTS="1 2 4 8" DURATION=8 ORGS=2000
#
# Two workloads on one throwaway cluster (pg_virtualenv -t, extension from a
# private install as in the other benchmarks), READ COMMITTED:
#   - mixed, over many orgs (bench/ops_setup.sql: ORGS orgs of five members,
#     premium): per transaction a random user on a random org, chosen by
#     weight: has_role checks (40), get_org (20), a role added and removed
#     (20), an invite sent and accepted by a new user (20: a join);
#   - hot org: every transaction signs a new user up at one org's verified
#     email domain (create_user), so all of them join that one org. Run twice:
#     with the org on a tier without a member limit, and with a second org on
#     a tier with a limit too high to reach (every join then locks the org row
#     and counts its members, so the count grows with the org).
# For each: transactions per second, mean and 99th-percentile latency (from
# pgbench's per-transaction log), failed transactions, and whether the server
# logged a deadlock or a serialization failure. Nothing is asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-"1 2 4 8"}
DURATION=${DURATION:-8}
ORGS=${ORGS:-2000}

if [ "${1:-}" != "--in-cluster" ]; then
  exec bash bench/cluster.sh bench/concurrency.sh shared_buffers=512MB max_wal_size=4GB jit=off \
    max_connections=50 log_lock_waits=on
fi

db=roboto_bench_conc
work=$(mktemp -d /tmp/roboto_bench_conc.XXXXXX)
trap 'rm -rf "$work"' EXIT
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
echo "== loading $ORGS orgs of five members, and the hot org"
psql -X -q -d $db -v orgs="$ORGS" -f bench/ops_setup.sql >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null <<'SQL'
CREATE SEQUENCE bench.signup;
SELECT roboto_orgs.create_user('hot_owner', 'owner@hot.example');
SET roboto_orgs.user_id = 'hot_owner';
SELECT roboto_orgs.create_org('Hot Org', bind_email_domain => true);
RESET roboto_orgs.user_id;
SELECT roboto_orgs.set_org_tier((SELECT org_id FROM roboto_orgs.orgs WHERE name = 'Hot Org'), 'premium');
-- a second hot org on a tier with a member limit no run reaches: every join
-- locks the org row and counts the seats
INSERT INTO roboto_orgs.tier_limits (tier, max_members, max_email_domains) VALUES ('free', 1000000, 5);
SELECT roboto_orgs.create_user('hot2_owner', 'owner@hot2.example');
SET roboto_orgs.user_id = 'hot2_owner';
SELECT roboto_orgs.create_org('Hot Org Limited', bind_email_domain => true);
RESET roboto_orgs.user_id;
SQL
# this cluster's server log (pg_virtualenv -t keeps it beside PG_CLUSTER_CONF_ROOT)
log=$(ls "$(dirname "${PG_CLUSTER_CONF_ROOT:-/nonexistent}")"/log/postgresql-*.log 2>/dev/null | head -n1 || true)
[ -n "$log" ] || echo "(the server log was not found: deadlocks are counted from pgbench's failures only)"

cat > "$work/check.sql" <<'SQL'
\set k random(1, :norgs)
SELECT set_config('roboto_orgs.user_id', 'u' || :k, false);
SELECT roboto_orgs.has_role('og_' || md5('org' || :k), 'admin');
SQL
cp bench/ops_get_org.sql "$work/get_org.sql"
cp bench/ops_roles.sql "$work/roles.sql"
cp bench/ops_invite_accept.sql "$work/join.sql"
cat > "$work/signup.sql" <<'SQL'
SELECT roboto_orgs.create_user(id, id || '@hot.example') FROM (SELECT 'hot' || nextval('bench.signup') AS id) s;
SQL
cat > "$work/signup_limited.sql" <<'SQL'
SELECT roboto_orgs.create_user(id, id || '@hot2.example') FROM (SELECT 'hot' || nextval('bench.signup') AS id) s;
SQL

# run NAME CLIENTS PROTOCOL SCRIPT...: one pgbench run; prints a result line
run() {
  local name=$1 clients=$2 protocol=$3; shift 3
  local jobs=$(( clients < 2 ? clients : 2 ))
  local before=0
  [ -n "$log" ] && before=$(grep -cE 'deadlock detected|could not serialize' "$log" || true)
  rm -f "$work"/pgbench_log.*
  (cd "$work" && pgbench -n -M "$protocol" -d $db -c "$clients" -j "$jobs" -T "$DURATION" -D norgs="$ORGS" \
     -l --log-prefix=pgbench_log "$@" > "$work/out.txt" 2>&1) || true
  local tps p99 mean failed errors=0
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$work/out.txt" | head -n1)
  mean=$(sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' "$work/out.txt")
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/out.txt"; grep -cE 'client [0-9]+ (script [0-9]+ )?aborted' "$work/out.txt" || true)
  failed=$(echo "$failed" | awk '{ s += $1 } END { print s + 0 }')
  # column 3 of pgbench's log: the transaction's latency in microseconds
  p99=$(cat "$work"/pgbench_log.* | awk '{ print $3 }' | sort -n | awk '{ v[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; printf "%.2f", v[i] / 1000 }')
  # the slowest transaction too: a few long ones move the mean past the p99
  local max
  max=$(cat "$work"/pgbench_log.* | awk 'BEGIN { m = 0 } $3 > m { m = $3 } END { printf "%.1f", m / 1000 }')
  [ -n "$log" ] && errors=$(( $(grep -cE 'deadlock detected|could not serialize' "$log" || true) - before ))
  printf '%-34s %7s %9s %9s %9s %9s %7s %9s\n' "$name" "$clients" "$tps" "$mean" "$p99" "$max" "$failed" "$errors"
}

printf '%-34s %7s %9s %9s %9s %9s %7s %9s\n' workload clients tps mean_ms p99_ms max_ms failed deadlocks
for c in $CLIENTS; do
  # simple protocol: the invite script passes the invite id as a quoted literal
  run "mixed, many orgs" "$c" simple -f "$work/check.sql@40" -f "$work/get_org.sql@20" -f "$work/roles.sql@20" -f "$work/join.sql@20"
done
for c in $CLIENTS; do
  run "hot org sign-ups, no member limit" "$c" prepared -f "$work/signup.sql"
done
for c in $CLIENTS; do
  run "hot org sign-ups, a member limit" "$c" prepared -f "$work/signup_limited.sql"
done
echo "members at the end: hot org $(psql -X -A -t -d $db -c "SELECT count(*) FROM roboto_orgs.org_members m JOIN roboto_orgs.orgs o USING (org_id) WHERE o.name = 'Hot Org'"), the limited one $(psql -X -A -t -d $db -c "SELECT count(*) FROM roboto_orgs.org_members m JOIN roboto_orgs.orgs o USING (org_id) WHERE o.name = 'Hot Org Limited'")"
[ -n "$log" ] && echo "lock waits over 1 s logged by the server: $(grep -c 'still waiting' "$log" || true)"
psql -X -A -t -d $db -c "SELECT 'PostgreSQL ' || current_setting('server_version') || ', READ COMMITTED'"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
