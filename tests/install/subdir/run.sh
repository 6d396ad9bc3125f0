#!/usr/bin/env bash
# tests/install/subdir/run.sh — add_subdirectory(pronto) from a parent project.
#
#   run.sh <pronto-source-dir> <work-dir> [--full]
#
# Configures tests/install/subdir/ (the parent: Debug, its own test) with
# pronto as a subdirectory and -DPRONTO_SANITIZE=ON; the parent's
# CMakeLists.txt checks at configure time that the build type, output
# directories and directory options are the parent's, that pronto's tests,
# examples and tools are not configured, and that pronto::pronto,
# pronto::protoc-gen-pronto and pronto_generate() are there. Then: ctest -N
# lists only the parent's test; parent_tiny builds, with no -Wall or
# -fsanitize on its command line. --full also builds parent_app (pronto
# itself, the plugin, pronto_generate()) and runs its "blocking" step:
# costs a build of the library.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$1" && pwd)"; work="$2"; full="${3:-}"
die() { echo "subdir test: $*" >&2; exit 1; }

t0=$SECONDS
rm -rf "$work"; mkdir -p "$work"
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$here" -B "$work" "${gen[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=Debug -DPRONTO_SOURCE_DIR="$src" \
  -DPRONTO_SANITIZE=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$work/configure.log" 2>&1 \
  || { cat "$work/configure.log"; die "configure failed"; }
grep -q '^CMAKE_BUILD_TYPE:STRING=Debug$' "$work/CMakeCache.txt" || die "the parent's CMAKE_BUILD_TYPE changed"
n=$(ctest --test-dir "$work" -N | sed -n 's/^Total Tests: //p')
[ "$n" = "1" ] || { ctest --test-dir "$work" -N; die "expected only the parent's test, found $n"; }
cmake --build "$work" --target parent_tiny >"$work/build.log" 2>&1 || { cat "$work/build.log"; die "parent_tiny failed"; }
cmd=$(python3 -c "import json,sys; print([e['command'] for e in json.load(open(sys.argv[1])) if e['file'].endswith('/tiny.cc')][0])" "$work/compile_commands.json")
case "$cmd" in
  *-Wall*|*-fsanitize*|*-Wextra*) die "pronto's options leaked into the parent's target: $cmd" ;;
esac
case "$cmd" in *" -g"*) ;; *) die "the parent's Debug flags are missing: $cmd" ;; esac
echo "subdir test: configure + parent_tiny ok in $((SECONDS - t0)) s"

if [ "$full" = "--full" ]; then
  cmake --build "$work" --target parent_app -j"${JOBS:-2}" >>"$work/build.log" 2>&1 \
    || { tail -50 "$work/build.log"; die "parent_app failed"; }
  ASAN_OPTIONS=detect_leaks=1 timeout 60 "$work/parent_app" blocking async || die "parent_app failed"
  echo "subdir test: full build + run ok in $((SECONDS - t0)) s"
fi
