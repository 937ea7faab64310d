#!/usr/bin/env bash
# Runs a command of this repository inside a Debian root with another
# PostgreSQL major (built by scripts/pg-root.sh when missing):
#
#   bash scripts/in-root.sh MAJOR COMMAND [ARG ...]
#   bash scripts/in-root.sh 17 bash scripts/test.sh
#   bash scripts/in-root.sh 17 bash bench/rls.sh
#
# A copy of this tree (tracked and untracked files, no build outputs) goes to
# /root/roboto_orgs in the root, where COMMAND runs as root with PG_MAJOR set,
# in a clean environment (a UTF-8 locale; CI, ROBOTO_* and FUZZ_* passed on;
# the host's CA bundle for node and npm).
# /proc, /sys, /dev and /dev/pts are bind-mounted and /dev/shm is a tmpfs for
# the duration, and unmounted on the way out, on failure too.
#
# The root is ROBOTO_ROOTS/pgMAJOR when ROBOTO_ROOTS is set (kept for the next
# run), else a temporary directory removed at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
major=${1:?usage: in-root.sh MAJOR COMMAND [ARG ...]}
shift
[ $# -gt 0 ] || { echo "usage: in-root.sh MAJOR COMMAND [ARG ...]" >&2; exit 2; }

if [ -n "${ROBOTO_ROOTS:-}" ]; then
  root=$ROBOTO_ROOTS/pg$major; keep=1
else
  root=$(mktemp -d /var/tmp/roboto_orgs_root.XXXXXX)/pg$major; keep=
fi

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
  done
  # remove a temporary root only when nothing is mounted in it any more
  if [ -z "$keep" ] && ! grep -q " $root/" /proc/mounts; then rm -rf "$(dirname "$root")"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash scripts/pg-root.sh "$major" "$root" || exit 1

src=$root/root/roboto_orgs
rm -rf "$src"; mkdir -p "$src"
git ls-files -z -co --exclude-standard | tar --null -T - -cf - | tar -C "$src" -xf - || exit 1

for m in proc sys dev dev/pts; do
  mkdir -p "$root/$m"
  mount --bind "/$m" "$root/$m" || exit 1
  mounted+=("$root/$m")
done
mkdir -p "$root/dev/shm"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm" || exit 1
mounted+=("$root/dev/shm")

pass=(PG_MAJOR="$major")
# The root shares the host's network: give node and npm (npm ci of the
# examples' locked dependencies) the host's trust anchors too, which may
# include the CA of a TLS-inspecting egress proxy that the root's own
# ca-certificates lack (the extra CAs the host's Node.js is told about, else
# the host's whole bundle).
host_ca=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
if [ -f "$host_ca" ]; then
  mkdir -p "$root/etc/ssl" && cp "$host_ca" "$root/etc/ssl/host-ca-certificates.crt" || exit 1
  pass+=(NODE_EXTRA_CA_CERTS=/etc/ssl/host-ca-certificates.crt npm_config_cafile=/etc/ssl/host-ca-certificates.crt)
fi
while IFS='=' read -r name value; do
  pass+=("$name=$value")
done < <(env | grep -E '^(CI|ROBOTO_[A-Z_]*|FUZZ_[A-Z_]*|ROWS|ORGS|RUNS|CALLER_ORGS)=' | grep -v '^ROBOTO_ROOTS=')

env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root LANG=C.UTF-8 TERM=dumb "${pass[@]}" \
  chroot "$root" bash -c 'cd /root/roboto_orgs && exec "$@"' in-root "$@"
