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

"$bin/helloworld-server" --port=0 --threads=2 >"$work/out" 2>"$work/err" &
server=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/^listening on port \([0-9][0-9]*\)$/\1/p' "$work/out")
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/err" >&2; fail "no 'listening on port N' line"; }
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

# Nobody listens on that port now: the client fails with a status.
rc=0
"$bin/helloworld-client" --target="127.0.0.1:$port" >"$work/out2" 2>"$work/err2" || rc=$?
[ "$rc" -ne 0 ] || fail "client succeeded with no server"
grep -q UNAVAILABLE "$work/err2" || fail "expected UNAVAILABLE, got: $(cat "$work/err2")"
echo "helloworld: ok"
