#!/usr/bin/env bash
# tests/codegen/golden_test.sh — golden-file test of protoc-gen-pronto.
#
#   golden_test.sh PROTOC PLUGIN PROTO_DIR GOLDEN_DIR
#       Runs PROTOC with PLUGIN on every .proto under PROTO_DIR (PROTO_DIR is
#       the import root) into a temporary directory and diffs the .pronto.h/.cc
#       files against GOLDEN_DIR; fails printing the diff.
#       With PRONTO_UPDATE_GOLDEN=1 it rewrites GOLDEN_DIR instead.
#   golden_test.sh --format-check CLANG_FORMAT STYLE_FILE GOLDEN_DIR
#       Fails if clang-format with STYLE_FILE would change a golden file.
set -euo pipefail

die() {
  echo "golden_test.sh: $*" >&2
  exit 2
}

format_check() {
  local clang_format=$1 style=$2 golden=$3 failed=0 f
  while IFS= read -r f; do
    if ! "$clang_format" --style="file:$style" --assume-filename="$f" <"$f" | diff -u "$f" -; then
      failed=1
    fi
  done < <(find "$golden" -type f \( -name '*.pronto.h' -o -name '*.pronto.cc' \) | sort)
  if [[ $failed != 0 ]]; then
    echo "FAIL: generated code is not clang-format clean (see diff above)" >&2
    exit 1
  fi
  echo "OK: golden files are clang-format clean"
}

if [[ ${1:-} == --format-check ]]; then
  [[ $# == 4 ]] || die "usage: $0 --format-check CLANG_FORMAT STYLE_FILE GOLDEN_DIR"
  format_check "$2" "$3" "$4"
  exit 0
fi

[[ $# == 4 ]] || die "usage: $0 PROTOC PLUGIN PROTO_DIR GOLDEN_DIR"
protoc=$1 plugin=$2 proto_dir=$3 golden=$4
[[ -x $plugin ]] || die "plugin not built: $plugin"
[[ -d $proto_dir ]] || die "no proto dir: $proto_dir"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

mapfile -t protos < <(cd "$proto_dir" && find . -name '*.proto' | sed 's|^\./||' | sort)
[[ ${#protos[@]} -gt 0 ]] || die "no .proto files under $proto_dir"
"$protoc" -I "$proto_dir" "--plugin=protoc-gen-pronto=$plugin" "--pronto_out=$out" "${protos[@]}"

if [[ ${PRONTO_UPDATE_GOLDEN:-0} == 1 ]]; then
  mkdir -p "$golden"
  find "$golden" -type f \( -name '*.pronto.h' -o -name '*.pronto.cc' \) -delete
  cp -R "$out/." "$golden/"
  echo "updated $golden from ${#protos[@]} protos"
  exit 0
fi

if ! diff -ru "$golden" "$out"; then
  echo "FAIL: protoc-gen-pronto output differs from $golden (diff above: golden vs. generated)." >&2
  echo "If the change is intended: PRONTO_UPDATE_GOLDEN=1 ctest -R codegen_golden (see tests/codegen/README.md)" >&2
  exit 1
fi
echo "OK: ${#protos[@]} protos match $golden"
