#!/usr/bin/env bash
# prove for the TAP tests in test/t (PostgreSQL::Test::Cluster). `make installcheck`
# calls this as $(PROVE) with the real prove first, then PGXS's arguments, from the
# source directory, with TESTDIR set to where tmp_check/ goes (and, from
# PostgreSQL 16 on, TESTLOGDIR and TESTDATADIR to where its logs and data go).
#
# initdb and postgres refuse to run as root, and the clusters the tests make are
# owned by whoever runs prove. So as root (CI), prove runs as an unprivileged OS user
# (ROBOTO_TAP_USER, default postgres) on a copy of the source tree in a temporary
# directory that user owns; the logs are copied back to $TESTDIR/tmp_check/log and,
# when a test fails, the end of each test's log is printed. As any other user, this
# is plain prove.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  exec "$@"
fi

user=${ROBOTO_TAP_USER:-postgres}
if ! id -u "$user" >/dev/null 2>&1; then
  echo "tap-prove.sh: running as root, and OS user \"$user\" does not exist;" \
       "set ROBOTO_TAP_USER to an unprivileged user" >&2
  exit 1
fi
testdir=${TESTDIR:-$PWD}
# Where PGXS wants the logs: 16 and later name it (TESTLOGDIR), 15 derives it from TESTDIR
logdir=${TESTLOGDIR:-$testdir/tmp_check/log}
work=$(mktemp -d "${TMPDIR:-/tmp}/roboto_orgs_tap.XXXXXX")
# On the way out, stop any server a test left running (a test killed before
# its END block ran), then remove everything
cleanup() {
  local pidfile
  for pidfile in $(find "$work" -name postmaster.pid 2>/dev/null); do
    runuser -u "$user" -- pg_ctl -D "$(dirname "$pidfile")" -m immediate stop >/dev/null 2>&1 || true
  done
  if [ -n "${PG_TEST_NOCLEAN:-}" ]; then
    echo "tap-prove.sh: PG_TEST_NOCLEAN is set, keeping $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# The test tree (without build outputs) at the same relative place, so that
# prove's relative paths (-I ., test/t/*.pl) stay valid inside the copy
mkdir "$work/src"
tar -C . --exclude=./test/results --exclude=./test/fuzz/build -cf - test | tar -C "$work/src" -xf -
chown -R "$user:" "$work"

status=0
(cd "$work/src" && runuser -u "$user" -- env TESTDIR="$work" \
  TESTLOGDIR="$work/tmp_check/log" TESTDATADIR="$work/tmp_check" TMPDIR="$work" PATH="$PATH" "$@") || status=$?

if [ -d "$work/tmp_check/log" ]; then
  mkdir -p "$(dirname "$logdir")"
  rm -rf "$logdir"
  cp -r "$work/tmp_check/log" "$logdir"
  if [ "$status" -ne 0 ]; then
    # the logs of the failed tests (every log when none says which)
    failed=$(grep -lE '^not ok|Bail out|died|Died at' "$work"/tmp_check/log/regress_log_* 2>/dev/null) ||
      failed=$(ls "$work"/tmp_check/log/regress_log_* 2>/dev/null) || true
    for f in $failed; do
      echo "---- last 80 lines of $(basename "$f") (all logs in $logdir)"
      tail -n 80 "$f"
    done
  fi
fi
exit "$status"
