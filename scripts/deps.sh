#!/usr/bin/env bash
# Installs the Debian packages roboto_orgs needs to build and test, when missing.
# Run as root on a Debian machine (12, or a root made by scripts/pg-root.sh):
#
#   bash scripts/deps.sh [MAJOR]
#
# MAJOR is the PostgreSQL major to build and test against (default: PG_MAJOR,
# else 15). With ROBOTO_FUZZ=0 the fuzzing compiler is not installed.
set -euo pipefail
major=${1:-${PG_MAJOR:-15}}
need=(
  make gcc postgresql-common "postgresql-$major" "postgresql-server-dev-$major"
  "postgresql-$major-pgtap" libtap-parser-sourcehandler-pgtap-perl libipc-run-perl
  libidn2-dev libpsl-dev publicsuffix
)
missing=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in "${need[@]}"; do installed "$p" || missing+=("$p"); done
updated=
update() {
  if [ -z "$updated" ]; then
    echo "deps.sh: apt-get update"
    apt-get update -qq
    updated=1
  fi
}
export DEBIAN_FRONTEND=noninteractive
install() {
  echo "deps.sh: installing $* (a minute or two)"
  apt-get install -y -q --no-install-recommends "$@" | grep -E '^(Unpacking|Setting up) ' || true
}
if [ ${#missing[@]} -gt 0 ]; then
  update
  install "${missing[@]}"
fi

# pgbouncer, node and npm for scripts/pooler-tests.sh (examples/node-api) and
# examples/event-consumer/test.sh (npm ci of their locked dependencies). The
# package's service is not started: policy-rc.d refuses it for the install
# (the tests run their own pgbouncer as the postgres OS user).
if ! installed pgbouncer; then
  update
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
    install pgbouncer
    rm -f "$policy"; trap - EXIT
  else
    install pgbouncer
  fi
fi
# node and npm: the machine's own when present (e.g. NodeSource's nodejs,
# which bundles npm), else Debian's
node_missing=()
command -v node >/dev/null || node_missing+=(nodejs)
command -v npm >/dev/null || node_missing+=(npm)
if [ ${#node_missing[@]} -gt 0 ]; then update; install "${node_missing[@]}"; fi

# libFuzzer comes with clang's runtime, packaged per LLVM version: take the one
# of the machine's default clang (14 on Debian 12, 19 on Debian 13).
if [ "${ROBOTO_FUZZ:-1}" != 0 ]; then
  if ! installed clang; then update; install clang; fi
  llvm=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n1)
  if ! installed "libclang-rt-$llvm-dev"; then update; install "libclang-rt-$llvm-dev"; fi
fi
