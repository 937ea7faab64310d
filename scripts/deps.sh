#!/usr/bin/env bash
# Installs the Debian packages roboto_orgs needs to build and test, when missing.
# Sourced or run as root on a Debian 12 machine.
set -euo pipefail
need=(
  make gcc postgresql-15 postgresql-server-dev-15 postgresql-common
  postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl libipc-run-perl
  libidn2-dev
  clang libclang-rt-14-dev
)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
