#!/usr/bin/env bash
# run_fuzz.sh — builds fuzz_mcp.c with clang's libFuzzer + ASan + UBSan from the sources in the
# runfiles and runs it for a bounded time (FUZZ_SECONDS, default 20) over a copy of the seed
# corpus. Any crash, leak, sanitizer report or timeout fails the test; the crashing input is kept
# in $TEST_UNDECLARED_OUTPUTS_DIR. Bazel's toolchain is gcc, hence the script.
set -euo pipefail

root="${TEST_SRCDIR:-$(pwd)/..}/${TEST_WORKSPACE:-mcp_suite}"
[ -f "$root/servers/common/mcp.c" ] || root="$(cd "$(dirname "$0")/../../.." && pwd)"
src="$root/servers/common"
work="${TEST_TMPDIR:-$(mktemp -d)}/fuzz"
out="${TEST_UNDECLARED_OUTPUTS_DIR:-$work}"
seconds="${FUZZ_SECONDS:-20}"
mkdir -p "$work/corpus" "$out"

clang=$(command -v clang || command -v clang-14 || true)
[ -n "$clang" ] || { echo "run_fuzz: clang not found (ci/bootstrap.sh installs it)" >&2; exit 1; }

"$clang" -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=all -I "$root" -isystem /usr/include/postgresql \
  "$src/fuzz/fuzz_mcp.c" "$src/mcp.c" "$src/jsonrpc.c" "$src/jsonschema.c" "$src/pattern.c" "$src/tool.c" \
  "$src/error.c" "$src/timeutil.c" -lcjson -o "$work/fuzz_mcp"

cp "$src"/fuzz/corpus/* "$work/corpus/"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
echo "run_fuzz: fuzzing for ${seconds}s with $(ls "$work/corpus" | wc -l) seeds"
set +e
"$work/fuzz_mcp" "$work/corpus" -max_total_time="$seconds" -max_len=4096 -timeout=5 \
  -rss_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$out/" >"$work/fuzz.log" 2>&1
status=$?
set -e
tail -40 "$work/fuzz.log"
if [ "$status" -ne 0 ]; then
  echo "run_fuzz: the fuzzer failed (exit $status); reproducer in $out" >&2
  exit 1
fi
echo "run_fuzz: no crash"
