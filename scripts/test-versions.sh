#!/usr/bin/env bash
# The whole suite on other PostgreSQL majors, each in a Debian root of its own
# (scripts/pg-root.sh: 17 from trixie, 18 from sid), never through the host's
# apt sources:
#
#   bash scripts/test-versions.sh [MAJOR ...]     (default: 15 17 18)
#
# 15 runs on the host (Debian 12) with scripts/test.sh, fuzzing included.
# Another major runs scripts/test.sh in its root (scripts/in-root.sh) without
# fuzzing: the parser it fuzzes does not depend on the server, so it is fuzzed
# once, on the host. Prints one summary line per major and ends with
# "versions: N passed, N failed".
#
# Each root is built in a temporary directory and removed after its run; set
# ROBOTO_ROOTS=DIR to keep them in DIR and reuse them on the next run.
set -uo pipefail
cd "$(dirname "$0")/.."
majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(15 17 18)

run_major() {  # run_major MAJOR: the suite on that major; 0 when it passed
  local major=$1
  if [ "$major" = 15 ] && grep -qs '^12' /etc/debian_version; then
    PG_MAJOR=15 bash scripts/test.sh
  else
    ROBOTO_FUZZ=0 bash scripts/in-root.sh "$major" bash scripts/test.sh
  fi
}

summary=()
passed=0; failed=0
for major in "${majors[@]}"; do
  echo "======== PostgreSQL $major"
  start=$SECONDS
  if run_major "$major"; then
    summary+=("pass PostgreSQL $major ($((SECONDS - start))s)"); passed=$((passed + 1))
  else
    summary+=("fail PostgreSQL $major ($((SECONDS - start))s)"); failed=$((failed + 1))
  fi
done
echo "======== summary by version"
printf '  %s\n' "${summary[@]}"
echo "versions: $passed passed, $failed failed"
[ "$failed" = 0 ]
