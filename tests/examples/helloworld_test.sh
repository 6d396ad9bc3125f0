#!/usr/bin/env bash
# tests/examples/helloworld_test.sh BIN_DIR — the helloworld binaries as a
# user runs them: server on --port=0, client by host name and by address,
# a custom --name, and a non-zero exit when nobody listens.
set -euo pipefail
bin=${1:?usage: helloworld_test.sh BIN_DIR}
work=$(mktemp -d "${TMPDIR:-/tmp}/pronto-hello-test.XXXXXX")
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# start_server TAG ARGS...: helloworld-server --port=0 ARGS in the background
# ($server), its port in $port and, with --admin_port, the admin port in $admin.
start_server() {
  local tag=$1
  shift
  "$bin/helloworld-server" --port=0 "$@" >"$work/out$tag" 2>"$work/err$tag" &
  server=$!
  port=""
  admin=""
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening on port \([0-9][0-9]*\)$/\1/p' "$work/out$tag")
    admin=$(sed -n 's/^admin on port \([0-9][0-9]*\)$/\1/p' "$work/out$tag")
    [ -n "$port" ] && { [ -n "$admin" ] || [[ "$*" != *--admin_port* ]]; } && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$work/err$tag" >&2; fail "no 'listening on port N' line"; }
}

start_server 1 --threads=2
[ "$port" -gt 0 ] || fail "port $port"

got=$("$bin/helloworld-client" --target="localhost:$port")
[ "$got" = "Hello world" ] || fail "localhost: got '$got'"
got=$("$bin/helloworld-client" --target="127.0.0.1:$port" --name=pronto)
[ "$got" = "Hello pronto" ] || fail "--name: got '$got'"

# Graceful stop on SIGTERM, exit 0.
kill -TERM "$server"
rc=0
wait "$server" || rc=$?
server=""
[ "$rc" -eq 0 ] || fail "server exited $rc after SIGTERM"

# The operator's flags: an admin listener (metrics + healthz), connection age
# and keepalive; health and reflection are on by default.
start_server 3 --threads=1 --admin_port=0 --max_connection_age_ms=60000 --keepalive_time_ms=30000
[ -n "$admin" ] || fail "no 'admin on port N' line with --admin_port=0"
port3=$port
for i in 1 2 3; do "$bin/helloworld-client" --target="127.0.0.1:$port3" --name="n$i" >/dev/null; done
http_get() { /usr/bin/python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' "$1"; }
[ "$(http_get "http://127.0.0.1:$admin/healthz")" = "ok" ] || fail "/healthz is not ok"
http_get "http://127.0.0.1:$admin/metrics" >"$work/metrics"
grep -qx 'grpc_server_call_duration_seconds_count{grpc_method="helloworld.Greeter/SayHello",grpc_status="OK"} 3' \
  "$work/metrics" || fail "/metrics does not count the 3 SayHello calls: $(grep SayHello "$work/metrics")"
here=$(cd "$(dirname "$0")" && pwd)
services=$(/usr/bin/python3 "$here/../services/grpc_reflect.py" "127.0.0.1:$port3" list)
echo "$services" | grep -qx helloworld.Greeter || fail "reflection does not list helloworld.Greeter: $services"
echo "$services" | grep -qx grpc.health.v1.Health || fail "reflection does not list the health service: $services"
health=$(/usr/bin/python3 "$here/../services/grpc_reflect.py" "127.0.0.1:$port3" call grpc.health.v1.Health/Check \
  '{"service": "helloworld.Greeter"}')
[ "$health" = '{"status": "SERVING"}' ] || fail "health check: $health"
kill -TERM "$server"
rc=0
wait "$server" || rc=$?
server=""
[ "$rc" -eq 0 ] || fail "server with the operator's flags exited $rc after SIGTERM"

# Nobody listens on that port now: the client fails with a status.
rc=0
"$bin/helloworld-client" --target="127.0.0.1:$port" >"$work/out2" 2>"$work/err2" || rc=$?
[ "$rc" -ne 0 ] || fail "client succeeded with no server"
grep -q UNAVAILABLE "$work/err2" || fail "expected UNAVAILABLE, got: $(cat "$work/err2")"
echo "helloworld: ok"
