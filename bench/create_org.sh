#!/usr/bin/env bash
# create_org against the same writes done as plain SQL, in one run.
#
#   bash bench/create_org.sh            # ROUNDS=5 rounds of DURATION=5 s each, alternating
#
# Both sides write the same rows into tables of the same shape and indexes:
#   - create_org: roboto_orgs.create_org(name) as a known caller: the org row,
#     the owner's membership, two events (org.created, member.joined) with
#     their NOTIFYs, and everything the extension checks on the way (caller,
#     name, seat limit, invariants, the owner at commit).
#   - plain SQL (bench/create_org_plain.sql): one transaction of bare
#     statements into copies of the tables (CREATE TABLE ... (LIKE ... INCLUDING
#     ALL), the membership's foreign key to the org kept): INSERT the org,
#     INSERT the membership, INSERT the two events with the rows as jsonb,
#     pg_notify twice, COMMIT, as an app would write it without the extension.
#   - plain SQL in one statement (bench/create_org_plain_one.sql): the same
#     writes as data-modifying CTEs, one round trip as create_org has: the
#     stricter baseline.
# One pgbench client with prepared statements (as an app driver would);
# rounds alternate between the two so that a busy moment
# of a shared machine hits both. Prints each side's mean latency per round,
# the medians and their ratio (create_org / plain SQL).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-5}

if [ "${1:-}" != "--in-cluster" ]; then
  exec bash bench/cluster.sh bench/create_org.sh shared_buffers=512MB max_wal_size=4GB jit=off
fi

db=roboto_bench_create
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null <<'SQL'
CREATE EXTENSION roboto_orgs;
SELECT roboto_orgs.create_user('bench_caller', 'caller@bench.example');
ALTER DATABASE roboto_bench_create SET roboto_orgs.user_id = 'bench_caller';
CREATE SCHEMA plain;
CREATE TABLE plain.orgs (LIKE roboto_orgs.orgs INCLUDING ALL);
CREATE TABLE plain.org_members (LIKE roboto_orgs.org_members INCLUDING ALL,
  FOREIGN KEY (org_id) REFERENCES plain.orgs (org_id) ON DELETE CASCADE);
CREATE SEQUENCE plain.event_id_seq;
CREATE TABLE plain.events (LIKE roboto_orgs.events INCLUDING ALL);
ALTER TABLE plain.events ALTER COLUMN event_id SET DEFAULT nextval('plain.event_id_seq');
SQL

cat > /tmp/roboto_bench_create_org.sql <<'SQL'
SELECT roboto_orgs.create_org('Bench ' || gen_random_uuid());
SQL
work=$(mktemp -d /tmp/roboto_bench_create.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp /tmp/roboto_bench_create_org.sql "$work/create_org.sql"
cp bench/create_org_plain.sql "$work/plain.sql"
cp bench/create_org_plain_one.sql "$work/plain_one.sql"

run() {  # run SCRIPT: mean latency in ms of one round
  pgbench -n -M prepared -d $db -c 1 -T "$DURATION" -f "$work/$1.sql" 2>&1 | sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p'
}
run create_org >/dev/null; run plain >/dev/null; run plain_one >/dev/null   # warm up
: > "$work/results"
for r in $(seq "$ROUNDS"); do
  a=$(run create_org); b=$(run plain); c=$(run plain_one)
  echo "round $r: create_org $a ms, plain SQL $b ms, plain SQL in one statement $c ms"
  echo "$a $b $c" >> "$work/results"
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ma=$(cut -d' ' -f1 "$work/results" | median)
mb=$(cut -d' ' -f2 "$work/results" | median)
mc=$(cut -d' ' -f3 "$work/results" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "median: create_org $ma ms, plain SQL $mb ms, plain SQL in one statement $mc ms"
echo "ratio create_org / plain SQL: $(ratio "$ma" "$mb"); create_org / plain SQL in one statement: $(ratio "$ma" "$mc")"
psql -X -A -t -d $db -c "SELECT 'PostgreSQL ' || current_setting('server_version')"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
