#!/usr/bin/env bash
# run_fuzz.sh — builds one libFuzzer target with clang (libFuzzer + ASan + UBSan) from sources in
# the runfiles and runs it for a bounded time (FUZZ_SECONDS, default 20) with an RSS limit
# (FUZZ_RSS_MB, default 1024) over a copy of its seed corpus. Any crash, leak, sanitizer report,
# out-of-memory or timeout fails the test; the reproducer is kept in $TEST_UNDECLARED_OUTPUTS_DIR
# (turn it into a unit test). Bazel's toolchain is gcc, hence the script.
#
#   run_fuzz.sh NAME CORPUS_DIR "LIBS" SRC...     (paths relative to the workspace root)
set -euo pipefail

name="$1" corpus="$2" libs="$3"
shift 3
root="${TEST_SRCDIR:-$(pwd)/..}/${TEST_WORKSPACE:-mcp_suite}"
[ -f "$root/servers/common/fuzz/run_fuzz.sh" ] || root="$(cd "$(dirname "$0")/../../.." && pwd)"
work="${TEST_TMPDIR:-$(mktemp -d)}/fuzz_$name"
out="${TEST_UNDECLARED_OUTPUTS_DIR:-$work}"
seconds="${FUZZ_SECONDS:-20}"
rss="${FUZZ_RSS_MB:-1024}"
mkdir -p "$work/corpus" "$out"

clang=$(command -v clang || command -v clang-14 || true)
[ -n "$clang" ] || { echo "run_fuzz: clang not found (ci/bootstrap.sh installs it)" >&2; exit 1; }

srcs=()
for s in "$@"; do srcs+=("$root/$s"); done
# shellcheck disable=SC2086
"$clang" -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=all -I "$root" -isystem /usr/include/postgresql \
  "${srcs[@]}" -lcjson $libs -lm -lpthread -o "$work/$name"

cp "$root/$corpus"/* "$work/corpus/"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
echo "run_fuzz: $name for ${seconds}s, rss limit ${rss} MB, $(ls "$work/corpus" | wc -l) seeds"
set +e
"$work/$name" "$work/corpus" -max_total_time="$seconds" -max_len=8192 -timeout=5 \
  -rss_limit_mb="$rss" -print_final_stats=1 -artifact_prefix="$out/" >"$work/fuzz.log" 2>&1
status=$?
set -e
tail -40 "$work/fuzz.log"
if [ "$status" -ne 0 ]; then
  echo "run_fuzz: $name failed (exit $status); reproducer in $out" >&2
  exit 1
fi
echo "run_fuzz: $name: no crash"
