#!/usr/bin/env bash
# Builds a separate Debian root with one PostgreSQL major, for testing
# roboto_orgs on versions the host's Debian does not package:
#
#   bash scripts/pg-root.sh MAJOR DIR
#
# 15 comes from Debian's bookworm suite (a root of its own is useful for
# testing several builds side by side), 17 from trixie, 18 from sid (other
# majors: set ROBOTO_ROOT_SUITE). The host's apt sources are never touched: mmdebstrap
# makes the root from the same Debian archive into DIR. A DIR that already
# holds a finished root for MAJOR is kept as it is.
set -euo pipefail

major=${1:?usage: pg-root.sh MAJOR DIR}
dir=${2:?usage: pg-root.sh MAJOR DIR}
case "$major" in
  15) suite=${ROBOTO_ROOT_SUITE:-bookworm} ;;
  17) suite=${ROBOTO_ROOT_SUITE:-trixie} ;;
  18) suite=${ROBOTO_ROOT_SUITE:-sid} ;;
  *)  suite=${ROBOTO_ROOT_SUITE:?no default Debian suite for PostgreSQL $major: set ROBOTO_ROOT_SUITE} ;;
esac
mirror=${ROBOTO_ROOT_MIRROR:-http://deb.debian.org/debian}

if [ -f "$dir/.roboto-root-$major" ]; then
  echo "pg-root.sh: $dir already holds a PostgreSQL $major root"
  exit 0
fi

if ! command -v mmdebstrap >/dev/null; then
  echo "installing mmdebstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
fi

# What scripts/deps.sh would install inside, so the root can run the suite
# without network access of its own; the compiler for fuzzing stays on the host.
packages=(
  make gcc libc6-dev util-linux procps
  "postgresql-$major" "postgresql-server-dev-$major" postgresql-common
  "postgresql-$major-pgtap" libtap-parser-sourcehandler-pgtap-perl libipc-run-perl
  libidn2-dev libpsl-dev publicsuffix nodejs npm
)
include=$(IFS=,; echo "${packages[*]}")

rm -rf "$dir"
mkdir -p "$dir"
echo "pg-root.sh: building a Debian $suite root with PostgreSQL $major in $dir (a few minutes)"
start=$SECONDS
# sid's Release file on this archive can be past its Valid-Until date.
# No main cluster is created when postgresql-$major is installed: the tests
# make their own with pg_virtualenv.
mmdebstrap --variant=apt --quiet \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --essential-hook='mkdir -p "$1/etc/postgresql-common/createcluster.d" && echo "create_main_cluster = false" > "$1/etc/postgresql-common/createcluster.d/roboto-no-main.conf"' \
  --include="$include" \
  "$suite" "$dir" "$mirror"
touch "$dir/.roboto-root-$major"
echo "pg-root.sh: PostgreSQL $major root ready in $((SECONDS - start))s"
