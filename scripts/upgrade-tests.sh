#!/usr/bin/env bash
# The upgrade chain, inside pg_virtualenv: for every older version with a path
# to the default version, (1) install it, make data through its API, ALTER
# EXTENSION roboto_orgs UPDATE, and check every row of every extension table
# is intact and what the update added works on the old data; (2) install it,
# update, and run the whole pgTAP suite against the updated extension.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
default=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" roboto_orgs.control)
olds=$(ls sql/roboto_orgs--*--*.sql 2>/dev/null | sed -n 's/.*roboto_orgs--\(.*\)--.*\.sql/\1/p' | sort -uV)
if [ -z "$olds" ]; then
  echo "no upgrade scripts: nothing to test"
  exit 0
fi
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

for old in $olds; do
  echo "== upgrade $old -> $default: data made by $old is intact"
  db="roboto_upgrade_${old//./_}"
  psql_q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  psql_q -d "$db" -c "CREATE EXTENSION roboto_orgs VERSION '$old'"
  psql_q -d "$db" -f test/upgrade/populate.sql > /dev/null || { echo "populating $old failed"; status=1; continue; }
  before=$(psql_q -At -d "$db" -f test/upgrade/fingerprint.sql)
  psql_q -d "$db" -c "ALTER EXTENSION roboto_orgs UPDATE" || { echo "ALTER EXTENSION UPDATE from $old failed"; status=1; continue; }
  after=$(psql_q -At -d "$db" -f test/upgrade/fingerprint.sql)
  version=$(psql_q -At -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'roboto_orgs'")
  if [ "$version" != "$default" ]; then
    echo "not ok: extension is at $version after the update, not $default"; status=1
  fi
  # Tables the update adds are new and must start empty; the others must not change
  known=$(echo "$before" | awk -F'|' 'NF > 1 { print $1 }')
  kept=$(echo "$after" | awk -F'|' -v known="$known" 'BEGIN { n = split(known, k, "\n"); for (i = 1; i <= n; i++) seen[k[i]] = 1 }
                                                      NF == 1 || ($1 in seen)')
  added=$(echo "$after" | awk -F'|' -v known="$known" 'BEGIN { n = split(known, k, "\n"); for (i = 1; i <= n; i++) seen[k[i]] = 1 }
                                                       NF > 1 && !($1 in seen) { print $1 "|" $2 }')
  if [ "$before" != "$kept" ]; then
    echo "not ok: extension tables changed by the update from $old"; diff <(echo "$before") <(echo "$kept"); status=1
  else
    echo "ok: $(echo "$known" | wc -l) tables and the event sequence unchanged by the update"
  fi
  for t in $added; do
    if [ "${t#*|}" = 0 ] || [ -z "${t#*|}" ]; then
      echo "ok: table ${t%%|*} added by the update, empty"
    else
      echo "not ok: table ${t%%|*} added by the update holds ${t#*|} rows"; status=1
    fi
  done
  if [ -f "test/upgrade/after-$old.sql" ]; then
    if psql_q -d "$db" -f "test/upgrade/after-$old.sql"; then
      echo "ok: test/upgrade/after-$old.sql"
    else
      echo "not ok: test/upgrade/after-$old.sql"; status=1
    fi
  fi

  echo "== upgrade $old -> $default: the pgTAP suite against the updated extension"
  db="roboto_upgrade_tap_${old//./_}"
  psql_q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
  psql_q -d "$db" -c 'CREATE EXTENSION pgtap' -c "CREATE EXTENSION roboto_orgs VERSION '$old'" -c 'ALTER EXTENSION roboto_orgs UPDATE'
  PGOPTIONS='-c client_min_messages=error' pg_prove -d "$db" --ext .sql -r test/pgtap || status=1
done
exit $status
