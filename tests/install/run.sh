#!/usr/bin/env bash
# tests/install/run.sh — pronto installed, then used from another project.
#
#   run.sh all <build-dir> [step...]     everything below in a fresh temporary
#                                        directory, removed at the end
#   run.sh setup <build-dir> <work-dir>  install + check the files + pkg-config
#                                        + configure and build the consumer
#   run.sh step <work-dir> <step>...     run the consumer's steps
#   run.sh cleanup <work-dir>            remove <work-dir>
#
# setup: `cmake --install <build-dir> --prefix <work-dir>/prefix`; checks the
# installed layout; compiles and runs a one-file program with
# `pkg-config --cflags --libs --static pronto` only; configures
# tests/install/consumer/ with -DCMAKE_PREFIX_PATH=<prefix> (find_package(pronto),
# pronto_generate()) with g++ 12 and -fsanitize=address,undefined, and builds it.
# step: runs <work-dir>/consumer/consumer <step>... (see consumer/main.cc: blocking,
# async, sigterm; inline-options runs consumer_inline_options, built apart from
# the rest since g++ 12 does not compile it today); the exit status must be 0.
# ctest (tests/install/CMakeLists.txt, label install) runs setup, each step and
# cleanup as separate tests sharing a work dir in the build tree.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cmd="${1:-}"; shift || true

die() { echo "install test: $*" >&2; exit 1; }

compiler() {
  if command -v g++-12 >/dev/null; then echo g++-12; else echo g++; fi
}

setup() {
  local build="$1" work="$2"
  local prefix="$work/prefix"
  rm -rf "$work"; mkdir -p "$work"
  local t0=$SECONDS
  cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; die "cmake --install failed"; }

  # The layout (lib may be lib/<multiarch> under /usr only).
  local libdir
  libdir="$(dirname "$(find "$prefix" -name 'libpronto.*' | head -1)")"
  [ -n "$libdir" ] && [ -d "$libdir" ] || die "no libpronto.* under $prefix"
  for f in include/pronto/pronto.h include/pronto/detail/call_core.h bin/protoc-gen-pronto; do
    [ -e "$prefix/$f" ] || die "missing $prefix/$f"
  done
  for f in prontoConfig.cmake prontoConfigVersion.cmake prontoTargets.cmake pronto_generate.cmake; do
    [ -e "$libdir/cmake/pronto/$f" ] || die "missing $libdir/cmake/pronto/$f"
  done
  [ -e "$libdir/pkgconfig/pronto.pc" ] || die "missing $libdir/pkgconfig/pronto.pc"
  if find "$prefix/include" -name '*.h' | xargs grep -lE '#include *[<"](nghttp2/|asio|openssl/|wire/|h2/|transport/|server/|client/|call/)' ; then
    die "installed public headers include internals (above)"
  fi
  [ -x "$prefix/bin/protoc-gen-pronto" ] || die "protoc-gen-pronto not executable"

  # pkg-config alone: compile and run a one-file program.
  local cxx; cxx="$(compiler)"
  export PKG_CONFIG_PATH="$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  [ -x "$(pkg-config --variable=protoc_gen_pronto pronto)" ] || die "pkg-config: protoc_gen_pronto variable is wrong"
  mkdir -p "$work/pc"
  cat >"$work/pc/pc.cc" <<'CC'
#include "pronto/status.h"
int main() { return pronto::Status::cancelled("x").ok() ? 1 : 0; }
CC
  # shellcheck disable=SC2046
  $cxx -std=c++20 $(pkg-config --cflags pronto) "$work/pc/pc.cc" -o "$work/pc/pc" $(pkg-config --static --libs pronto) \
    || die "pkg-config build failed"
  "$work/pc/pc" || die "pkg-config program failed"

  # The consumer: find_package(pronto), pronto_generate(), ASan + UBSan.
  local gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
  local launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$here/consumer" -B "$work/consumer" "${gen[@]}" "${launcher[@]}" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -g -O1" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >"$work/configure.log" 2>&1 \
    || { cat "$work/configure.log"; die "consumer configure failed"; }
  grep -q "plugin $prefix/bin/protoc-gen-pronto" "$work/configure.log" \
    || { cat "$work/configure.log"; die "consumer does not use the installed protoc-gen-pronto"; }
  cmake --build "$work/consumer" -j"${JOBS:-2}" >"$work/build.log" 2>&1 \
    || { cat "$work/build.log"; die "consumer build failed"; }
  # The inline-options program may fail to compile (g++ 12): its step says so.
  if cmake --build "$work/consumer" --target consumer_inline_options >"$work/build-inline-options.log" 2>&1; then
    echo "install test: consumer_inline_options built"
  else
    echo "install test: consumer_inline_options does not compile (step inline-options will fail):"
    grep -E 'error' "$work/build-inline-options.log" | head -5
  fi
  echo "install test: setup done in $((SECONDS - t0)) s ($work)"
}

step() {
  local work="$1"; shift
  [ -x "$work/consumer/consumer" ] || die "no consumer in $work (run setup first)"
  local prog=("$work/consumer/consumer" "$@")
  if [ "$*" = "inline-options" ]; then
    if [ ! -x "$work/consumer/consumer_inline_options" ]; then
      grep -E -A3 'error' "$work/build-inline-options.log" | head -20 >&2 || true
      die "consumer_inline_options did not compile (above; $work/build-inline-options.log)"
    fi
    prog=("$work/consumer/consumer_inline_options")
  fi
  local t0=$SECONDS rc=0
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    timeout 60 "${prog[@]}" || rc=$?
  if [ $rc -ne 0 ]; then
    [ $rc -eq 143 ] && echo "install test: the consumer was killed by SIGTERM (run() did not handle it)" >&2
    die "consumer $* exited $rc"
  fi
  echo "install test: steps $* passed in $((SECONDS - t0)) s"
}

case "$cmd" in
  setup) [ $# -eq 2 ] || die "usage: run.sh setup <build-dir> <work-dir>"; setup "$1" "$2" ;;
  step) [ $# -ge 2 ] || die "usage: run.sh step <work-dir> <step>..."; step "$@" ;;
  cleanup) [ $# -eq 1 ] || die "usage: run.sh cleanup <work-dir>"; rm -rf "$1" ;;
  all)
    [ $# -ge 1 ] || die "usage: run.sh all <build-dir> [step...]"
    build="$(cd "$1" && pwd)"; shift
    work="$(mktemp -d /tmp/pronto-install-test.XXXXXX)"
    trap 'rm -rf "$work"' EXIT
    setup "$build" "$work"
    if [ $# -eq 0 ]; then set -- blocking async inline-options sigterm; fi
    failed=""
    for s in "$@"; do ( step "$work" "$s" ) || failed="$failed $s"; done
    [ -z "$failed" ] || die "failed steps:$failed"
    ;;
  *) die "usage: run.sh all|setup|step|cleanup ... (see the top of $0)" ;;
esac
