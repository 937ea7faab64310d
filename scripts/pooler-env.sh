# Sourced by scripts/pooler-tests.sh and scripts/demo-node.sh, inside
# pg_virtualenv (PGHOST, PGPORT, PGUSER, PGPASSWORD name a superuser of the
# throwaway cluster). Sets up a database for examples/node-api, starts
# pgbouncer in transaction pooling mode in front of it and, on request, the
# example service behind pgbouncer; pooler_cleanup stops what was started.
#
#   pooler_setup_db DB          the extension, examples/node-api/schema.sql,
#                               passwords for api_app and api_signup
#   pooler_start_pgbouncer DB   pgbouncer on a free 127.0.0.1 port: database
#                               DB (default_pool_size=2) and DB_leak (pool_size=1,
#                               for showing the session-level SET leak)
#   pooler_npm_ci               npm ci in examples/node-api (the locked deps)
#   pooler_start_api DB         the example service on a free 127.0.0.1 port
#
# They export what the node programs read: POOL_URL, LEAK_URL, SERVICE_URL,
# DATABASE_URL, SERVICE_DATABASE_URL, ADMIN_URL, JWT_SECRET, ADMIN_SECRET,
# API_URL, PGBOUNCER_PREPARED (1 when pgbouncer keeps protocol-level prepared
# statements in transaction mode: 1.21 and later).
#
# pgbouncer refuses to run as root: as root it runs as the postgres OS user,
# with its configuration, log and pid file in a temporary directory that user
# owns.

pooler_dir=
pooler_server_addr=
pooler_pgbouncer_pid=
pooler_api_pid=
pooler_node_dir=examples/node-api

pooler_secret() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }

# a free TCP port on 127.0.0.1 (the kernel picks it)
pooler_free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

pooler_cleanup() {
  if [ -n "$pooler_api_pid" ]; then
    kill "$pooler_api_pid" 2>/dev/null; wait "$pooler_api_pid" 2>/dev/null
    pooler_api_pid=
  fi
  if [ -n "$pooler_pgbouncer_pid" ]; then
    kill "$pooler_pgbouncer_pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pooler_pgbouncer_pid" 2>/dev/null || break; sleep 0.1; done
    pooler_pgbouncer_pid=
  fi
  if [ -n "$pooler_dir" ]; then rm -rf "$pooler_dir"; pooler_dir=; fi
}

pooler_setup_db() {
  local db=$1
  export API_APP_PASSWORD API_SIGNUP_PASSWORD
  API_APP_PASSWORD=$(pooler_secret)
  API_SIGNUP_PASSWORD=$(pooler_secret)
  psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8'" || return 1
  psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION roboto_orgs' -f "$pooler_node_dir/schema.sql" \
    -c "ALTER ROLE api_app PASSWORD '$API_APP_PASSWORD'" \
    -c "ALTER ROLE api_signup PASSWORD '$API_SIGNUP_PASSWORD'" >/dev/null || return 1
  # The loopback address the cluster answered on: with PGHOST=localhost that
  # may be ::1 only, when another cluster (of another Debian root sharing this
  # network namespace) holds 127.0.0.1 on the same port.
  pooler_server_addr=$(psql -X -At -d "$db" -c 'SELECT inet_server_addr()') || return 1
  pooler_server_addr=${pooler_server_addr%%/*}
  case "$pooler_server_addr" in
    127.0.0.1|::1) ;;
    *) echo "pooler: the cluster answered on '$pooler_server_addr', not a loopback address" >&2; return 1 ;;
  esac
  local url_host=$pooler_server_addr
  [ "$url_host" = ::1 ] && url_host='[::1]'
  # the superuser, straight to the cluster (for test fixtures only)
  export ADMIN_URL="postgresql://$PGUSER:$PGPASSWORD@$url_host:$PGPORT/$db"
}

pooler_start_pgbouncer() {
  local db=$1 port version as=()
  command -v pgbouncer >/dev/null || { echo "pooler: pgbouncer is not installed (scripts/deps.sh installs it)" >&2; return 1; }
  pooler_dir=$(mktemp -d /tmp/roboto_pooler.XXXXXX)
  port=$(pooler_free_port) || return 1
  version=$(pgbouncer --version | sed -n 's/^[Pp]g[Bb]ouncer \([0-9.]*\).*/\1/p' | head -n1)
  PGBOUNCER_PREPARED=0
  # protocol-level prepared statements in transaction mode: pgbouncer 1.21 and later
  if [ "$(printf '%s\n' 1.21 "$version" | sort -V | head -n1)" = 1.21 ]; then PGBOUNCER_PREPARED=1; fi
  export PGBOUNCER_PREPARED PGBOUNCER_PORT=$port
  cat > "$pooler_dir/userlist.txt" <<EOF
"api_app" "$API_APP_PASSWORD"
"api_signup" "$API_SIGNUP_PASSWORD"
EOF
  cat > "$pooler_dir/pgbouncer.ini" <<EOF
[databases]
$db = host=$pooler_server_addr port=$PGPORT dbname=$db
${db}_leak = host=$pooler_server_addr port=$PGPORT dbname=$db pool_size=1

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = md5
auth_file = $pooler_dir/userlist.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
logfile = $pooler_dir/pgbouncer.log
pidfile = $pooler_dir/pgbouncer.pid
$( [ "$PGBOUNCER_PREPARED" = 1 ] && echo "max_prepared_statements = 100" )
EOF
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$pooler_dir"
    as=(runuser -u postgres --)
  fi
  chmod 700 "$pooler_dir"
  "${as[@]}" pgbouncer -d -q "$pooler_dir/pgbouncer.ini" || { cat "$pooler_dir/pgbouncer.log" >&2; return 1; }
  for _ in $(seq 100); do
    [ -s "$pooler_dir/pgbouncer.pid" ] && break
    sleep 0.1
  done
  pooler_pgbouncer_pid=$(cat "$pooler_dir/pgbouncer.pid" 2>/dev/null)
  [ -n "$pooler_pgbouncer_pid" ] || { echo "pooler: pgbouncer did not start" >&2; cat "$pooler_dir/pgbouncer.log" >&2; return 1; }
  local base="postgresql://api_app:$API_APP_PASSWORD@127.0.0.1:$port"
  export POOL_URL="$base/$db" LEAK_URL="$base/${db}_leak"
  export SERVICE_URL="postgresql://api_signup:$API_SIGNUP_PASSWORD@127.0.0.1:$port/$db"
  export DATABASE_URL=$POOL_URL SERVICE_DATABASE_URL=$SERVICE_URL
  # pgbouncer holds a client while it cannot reach the server: bound the wait
  local ok=
  for _ in $(seq 20); do
    PGCONNECT_TIMEOUT=3 psql -X -q -d "$POOL_URL" -c 'SELECT 1' >/dev/null 2>&1 && { ok=1; break; }
    sleep 0.2
  done
  [ -n "$ok" ] || { echo "pooler: no answer through pgbouncer" >&2; tail -20 "$pooler_dir/pgbouncer.log" >&2; return 1; }
  echo "pooler: $(pgbouncer --version | head -n1) on 127.0.0.1:$port, transaction pooling, default_pool_size=2 (protocol-level prepared statements: $( [ "$PGBOUNCER_PREPARED" = 1 ] && echo kept || echo not kept))"
}

pooler_npm_ci() {
  command -v node >/dev/null && command -v npm >/dev/null || { echo "pooler: node and npm are needed (scripts/deps.sh installs them)" >&2; return 1; }
  (cd "$pooler_node_dir" && npm ci --no-audit --no-fund --loglevel=error) || return 1
}

pooler_start_api() {
  local port
  port=$(pooler_free_port) || return 1
  export JWT_SECRET ADMIN_SECRET
  JWT_SECRET=$(pooler_secret)
  ADMIN_SECRET=$(pooler_secret)
  export API_URL="http://127.0.0.1:$port"
  PORT=$port HOST=127.0.0.1 node "$pooler_node_dir/server.js" > "$pooler_dir/api.log" 2>&1 &
  pooler_api_pid=$!
  for _ in $(seq 100); do
    node -e 'fetch(process.argv[1] + "/healthz").then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$API_URL" && break
    kill -0 "$pooler_api_pid" 2>/dev/null || break
    sleep 0.1
  done
  node -e 'fetch(process.argv[1] + "/healthz").then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$API_URL" \
    || { echo "pooler: the example service did not start" >&2; cat "$pooler_dir/api.log" >&2; return 1; }
  echo "pooler: examples/node-api listening on $API_URL, through pgbouncer"
}
