#!/usr/bin/env bash
# examples/demo.sh — the examples end to end: starts helloworld-server and
# seed-server on free loopback ports (--port=0, then the printed
# "listening on port N"), runs helloworld-client and seed-client against
# them, then operates the seed server as an operator would: a health check
# and a reflection listing (tests/services/grpc_reflect.py, grpcurl-style, python3-
# grpcio, no .proto file) and a metrics scrape of its admin listener; shows
# the server's call log, and always stops the servers.
#
#   examples/demo.sh [BUILD_DIR]     (default: build; binaries in BUILD_DIR/bin)
#
# Exits non-zero if a server does not start or a client reports a failure.
set -euo pipefail

build=${1:-build}
bin=$build/bin
here=$(cd "$(dirname "$0")" && pwd)
# A grpcurl-style reflection client (python3-grpcio; the test suite's independent one).
reflect=("/usr/bin/python3" "$here/../tests/services/grpc_reflect.py")
for b in helloworld-server helloworld-client seed-server seed-client; do
  if [ ! -x "$bin/$b" ]; then
    echo "demo: $bin/$b is missing; build first (cmake --build $build)" >&2
    exit 1
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/pronto-demo.XXXXXX")
pids=()

# Stops every server we started (SIGTERM: graceful; SIGKILL after 5 s).
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server NAME ARGS...: runs NAME --port=0 ARGS in the background and
# sets $port to the port it printed.
start_server() {
  local name=$1
  shift
  "$bin/$name" --port=0 "$@" >"$work/$name.out" 2>"$work/$name.err" &
  local pid=$!
  pids+=("$pid")
  port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/^listening on port \([0-9][0-9]*\)$/\1/p' "$work/$name.out")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "demo: $name did not start:" >&2
    cat "$work/$name.err" >&2
    return 1
  fi
  admin_port=$(sed -n 's/^admin on port \([0-9][0-9]*\)$/\1/p' "$work/$name.out")
  echo "started $name (pid $pid) on port $port${admin_port:+, admin on port $admin_port}"
}

start_server helloworld-server --threads=2
hello_port=$port
start_server seed-server --threads=2 --db="$work/seed.db" --admin_port=0
seed_port=$port
seed_admin_port=$admin_port

echo
echo "\$ helloworld-client --target=localhost:$hello_port"
"$bin/helloworld-client" --target="localhost:$hello_port"
echo "\$ helloworld-client --target=127.0.0.1:$hello_port --name=pronto"
"$bin/helloworld-client" --target="127.0.0.1:$hello_port" --name=pronto

echo
echo "\$ seed-client --target=localhost:$seed_port"
"$bin/seed-client" --target="localhost:$seed_port"

echo
echo "== operating the seed server"
echo "\$ grpc_reflect.py localhost:$seed_port list     # server reflection"
"${reflect[@]}" "localhost:$seed_port" list
echo "\$ grpc_reflect.py localhost:$seed_port describe pronto.examples.UserService"
"${reflect[@]}" "localhost:$seed_port" describe pronto.examples.UserService
echo "\$ grpc_reflect.py localhost:$seed_port call grpc.health.v1.Health/Check '{}'"
"${reflect[@]}" "localhost:$seed_port" call grpc.health.v1.Health/Check '{}'
echo "\$ grpc_reflect.py localhost:$seed_port call grpc.health.v1.Health/Check '{\"service\": \"pronto.examples.UserService\"}'"
"${reflect[@]}" "localhost:$seed_port" call grpc.health.v1.Health/Check '{"service": "pronto.examples.UserService"}'
echo "\$ curl http://localhost:$seed_admin_port/healthz"
/usr/bin/python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' \
  "http://127.0.0.1:$seed_admin_port/healthz"
echo "\$ curl -s http://localhost:$seed_admin_port/metrics | grep -E '^grpc_server_call_(started_total|duration_seconds_count)'"
/usr/bin/python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' \
  "http://127.0.0.1:$seed_admin_port/metrics" | grep -E '^grpc_server_call_(started_total|duration_seconds_count)'

echo
echo "== seed-server's call log (logging interceptor, stderr)"
cat "$work/seed-server.err"
echo
echo "demo: ok"
