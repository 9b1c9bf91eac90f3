#!/usr/bin/env bash
# ci/validate.sh's command line, without running a validation: --help, bad options and
# unreachable external servers exit 3 ("could not run") with a message saying what to do.
set -uo pipefail
v="$(dirname "$0")/validate.sh"
fail=0
expect() {  # expect RC PATTERN -- ARGS...
  local want="$1" pat="$2"; shift 3
  local out rc
  out=$(bash "$v" "$@" 2>&1); rc=$?
  if [ "$rc" -ne "$want" ] || ! grep -q -- "$pat" <<<"$out"; then
    echo "FAIL: validate.sh $* -> exit $rc (want $want), output lacks '$pat':"; echo "$out" | head -5
    fail=1
  else
    echo "ok: validate.sh $* -> exit $rc"
  fi
}
expect 0 "Exit status: 0 go, 1 review, 2 block, 3" -- --help
expect 3 "quick or full" -- --profile slow
expect 3 "unknown option --bogus" -- --bogus
expect 3 "give both --codebase-url and --workflow-url" -- --codebase-url http://127.0.0.1:1
expect 3 "http://127.0.0.1:1/health does not answer" -- --codebase-url http://127.0.0.1:1 --workflow-url http://127.0.0.1:1
exit $fail
