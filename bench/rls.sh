#!/usr/bin/env bash
# Benchmark of row-level security policies built on roboto_orgs.
#
#   bash bench/rls.sh
#
# Builds the extension, installs it into a private directory (make install
# DESTDIR=...; the shared PostgreSQL installation is not touched, so no lock is
# needed) and runs on a throwaway cluster (pg_virtualenv -t) that loads it from
# there with extension_destdir:
#   - 10,000 orgs (ROWS_ORGS), each with an owner, and a caller, bench_caller,
#     member of 100 of them (CALLER_ORGS);
#   - bench.docs: 1,000,000 rows (ROWS) spread uniformly at random over the
#     orgs (setseed(SEED), fixed, so every run builds the same table);
#   - SELECT count(*) FROM bench.docs as role bench_app, the caller named by
#     request.jwt.claims as PostgREST sets it, under one policy at a time.
# Prints, for each policy, the median (and minimum) of RUNS timed runs, taken
# round-robin over the policies, and its ratio to the run without a policy
# (with the planner's choice of plan, an index-only scan of docs(org_id), and
# again with a sequential scan, where rows come in random org order).
# The cluster runs with max_parallel_workers_per_gather = 0 and jit = off so
# that the numbers measure per-row cost on a shared 2-core machine (see
# the README, Performance). Takes about two minutes (most of it the per-row SQL helper's runs).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--in-cluster" ]; then
  exec bash bench/cluster.sh bench/rls.sh shared_buffers=512MB max_parallel_workers_per_gather=0 jit=off work_mem=16MB
fi

ROWS=${ROWS:-1000000}
ORGS=${ORGS:-10000}
CALLER_ORGS=${CALLER_ORGS:-100}
SEED=${SEED:-0.42}
RUNS=${RUNS:-7}
CLAIMS='{"aud":"authenticated","exp":4102444800,"iat":1700000000,"iss":"https://auth.example.com/auth/v1","sub":"bench_caller","email":"caller@example.com","phone":"","app_metadata":{"provider":"email","providers":["email"]},"user_metadata":{},"role":"authenticated","aal":"aal1","amr":[{"method":"password","timestamp":1700000000}],"session_id":"6f1c1d9e-2c55-4d8e-9d0b-3c1f4f6f2a10"}'

db=roboto_bench
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
echo "== building data: $ROWS rows over $ORGS orgs, caller in $CALLER_ORGS (seed $SEED)"
start=$(date +%s)
psql -X -q -d $db -v rows="$ROWS" -v orgs="$ORGS" -v caller_orgs="$CALLER_ORGS" -v seed="$SEED" \
  -f bench/rls_setup.sql >/dev/null
echo "   built in $(( $(date +%s) - start )) s"

variants=(
  # name|using clause|caller from (claims, user_id)|plan (any: the planner's choice, an
  # index-only scan of docs(org_id) where rows come grouped by org; seqscan: random org order)
  "no policy||claims|any"
  "has_role|roboto_orgs.has_role(org_id, 'user')|claims|any"
  "is_member|roboto_orgs.is_member(org_id)|claims|any"
  "has_permission|roboto_orgs.has_permission(org_id, 'docs:read')|claims|any"
  "has_role, caller from roboto_orgs.user_id|roboto_orgs.has_role(org_id, 'user')|user_id|any"
  "caller_org_ids (planned once)|org_id IN (SELECT roboto_orgs.caller_org_ids())|claims|any"
  "caller_org_ids as = ANY (ARRAY(...))|org_id = ANY (ARRAY(SELECT roboto_orgs.caller_org_ids()))|claims|any"
  "Supabase pattern, SQL helper|org_id IN (SELECT bench.sb_org_ids())|claims|any"
  "per-row SQL SECURITY DEFINER|bench.sd_is_member(org_id)|claims|any"
  "seq scan: no policy||claims|seqscan"
  "seq scan: has_role|roboto_orgs.has_role(org_id, 'user')|claims|seqscan"
  "seq scan: has_permission|roboto_orgs.has_permission(org_id, 'docs:read')|claims|seqscan"
  "seq scan: caller_org_ids|org_id IN (SELECT roboto_orgs.caller_org_ids())|claims|seqscan"
  "seq scan: Supabase pattern|org_id IN (SELECT bench.sb_org_ids())|claims|seqscan"
)

# Round-robin: one timed run of every variant per round, so that a busy
# moment of a shared machine spreads over all variants instead of one.
# Each timed run follows a warm-up run after its policy is (re)created, but
# the per-row SQL helper's (ten seconds a run; warm after the first round).
for round in $(seq "$RUNS"); do
  n=0
  for v in "${variants[@]}"; do
    n=$((n + 1))
    IFS='|' read -r name using caller plan <<< "$v"
    claims="$CLAIMS" user_id="" opts="" warmup=true
    if [ "$caller" = user_id ]; then claims=""; user_id=bench_caller; fi
    if [ "$plan" = seqscan ]; then
      opts="-c enable_indexonlyscan=off -c enable_indexscan=off -c enable_bitmapscan=off"
    fi
    case "$name" in per-row*) warmup=$([ "$round" = 1 ] && echo true || echo false) ;; esac
    PGOPTIONS="$opts" psql -X -q -d $db -v n="$n" -v name="$name" -v using="$using" -v round="$round" \
      -v warmup="$warmup" -v claims="$claims" -v user_id="$user_id" -f bench/rls_run.sql
  done
done

echo "== SELECT count(*) FROM bench.docs ($ROWS rows), $RUNS runs each; ratio: of medians, ratio_of_min: of minimums"
psql -X -d $db -P footer=off -c "
  WITH m AS (
    SELECT n, policy, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS median, min(ms) AS min,
           max(visible) AS visible, max(plan) AS plan
    FROM bench.results GROUP BY n, policy)
  SELECT policy, round(median::numeric, 1) AS median_ms, min AS min_ms,
         round((median / (SELECT b.median FROM m b
                          WHERE b.policy = CASE WHEN m.policy LIKE 'seq scan:%' THEN 'seq scan: no policy'
                                                ELSE 'no policy' END))::numeric, 2) AS ratio,
         round(min / (SELECT b.min FROM m b
                      WHERE b.policy = CASE WHEN m.policy LIKE 'seq scan:%' THEN 'seq scan: no policy'
                                            ELSE 'no policy' END), 2) AS ratio_of_min,
         visible AS rows_visible, plan
  FROM m ORDER BY n"
echo "== has_permission against has_role in the same run (target: at most 1.10)"
psql -X -d $db -P footer=off -c "
  WITH m AS (
    SELECT policy, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS median, min(ms) AS min
    FROM bench.results GROUP BY policy)
  SELECT o.scan, round((p.median / r.median)::numeric, 2) AS ratio_of_medians,
         round((p.min / r.min)::numeric, 2) AS ratio_of_minimums
  FROM (VALUES ('index order', 'has_permission', 'has_role'),
               ('sequential', 'seq scan: has_permission', 'seq scan: has_role')) o(scan, perm, role)
  JOIN m p ON p.policy = o.perm JOIN m r ON r.policy = o.role"
psql -X -A -t -d $db -c "SELECT 'PostgreSQL ' || current_setting('server_version') || ', ' ||
  (SELECT count(*) FROM bench.docs) || ' rows; settings: jit=' || current_setting('jit') ||
  ', max_parallel_workers_per_gather=' || current_setting('max_parallel_workers_per_gather') ||
  ', shared_buffers=' || current_setting('shared_buffers')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
