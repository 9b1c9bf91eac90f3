#!/usr/bin/env bash
# The main job (README): does this build meet SC-001 ... SC-014? One command, one verdict.
#
#   bash ci/validate.sh [--profile quick|full] [--publish]
#   bash ci/validate.sh --codebase-url URL --workflow-url URL [--database-url URL]
#
# 1. bootstrap (Debian packages, tree-sitter grammars), then build everything;
# 2. one `bazel test --config=ci` per story (US1 benchmarks + regression, US2 scenarios, US3 load
#    smoke, US4 resilience, US5 observability, then the remaining unit and server tests), each
#    target on its own PostgreSQL and real server processes, with a progress line per story; each
#    target's test.xml and unzipped outputs are copied into out/validation/artifacts/;
# 3. the US1 (and, in the full profile, US3) reports with their pictures;
# 4. //validation:verdict judges every SC from those artifacts through validation/criteria.json,
#    prints the table and writes out/validation/validation-report.md and .json.
# With --codebase-url/--workflow-url it checks servers someone else started instead (integration
# runner, load and health latency against the URLs); checks that need control of the processes
# get a "skipped" row. Exit: 0 go, 1 review, 2 block, 3 the validation could not run.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() {
  cat <<'EOF'
usage: bash ci/validate.sh [--profile quick|full] [--publish]
       bash ci/validate.sh --codebase-url URL --workflow-url URL [--database-url URL]
       bash ci/validate.sh --help

Validates this build against SC-001..SC-014 and prints one row per criterion (figure measured,
target, artifact, pass / review / block / skipped), then the verdict.

  --profile quick     (default) the CI profiles of every story: about 15-20 minutes here
  --profile full      adds the standard load profile (17 min a server) and the soak
                      (61.5 min a server); the run says how long before it starts
  --publish           also copy the verdict report to docs/performance/sc-verdict.md
                      (otherwise a run writes only under out/, never into the tree)
  --codebase-url URL  validate servers someone else started (both URLs needed, e.g.
  --workflow-url URL  http://127.0.0.1:8020 and http://127.0.0.1:8010); fault injection,
                      restarts and the US1 benchmarks are skipped with the reason in their row
  --database-url URL  the external servers' database (accepted and noted in the progress
                      line; the faults that would use it also need control of the server
                      processes, so their rows stay "skipped")

Output: out/validation/validation-report.md and .json, out/validation/artifacts/ (every
target's test.xml and outputs), out/validation/pictures/.
Exit status: 0 go, 1 review, 2 block, 3 the validation could not run (bootstrap or build
failed, servers unreachable, no evidence at all).
EOF
}

profile=quick publish=0 cb_url="" wf_url="" db_url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --help | -h) usage; exit 0 ;;
    --profile) profile="${2:-}"; shift 2 || { echo "validate: --profile needs quick or full" >&2; exit 3; } ;;
    --publish) publish=1; shift ;;
    --codebase-url) cb_url="${2:-}"; shift 2 || exit 3 ;;
    --workflow-url) wf_url="${2:-}"; shift 2 || exit 3 ;;
    --database-url) db_url="${2:-}"; shift 2 || exit 3 ;;
    *) echo "validate: unknown option $1 (run bash ci/validate.sh --help)" >&2; exit 3 ;;
  esac
done
case "$profile" in quick | full) ;; *) echo "validate: --profile is quick or full, not '$profile'" >&2; exit 3 ;; esac
if [ -n "$cb_url$wf_url" ] && { [ -z "$cb_url" ] || [ -z "$wf_url" ]; }; then
  echo "validate: give both --codebase-url and --workflow-url (external servers)" >&2
  exit 3
fi
external=0
[ -n "$cb_url" ] && external=1
cb_url="${cb_url%/}" wf_url="${wf_url%/}"

OUT=out/validation
ART=$OUT/artifacts
T0=$(date +%s)
elapsed() { local s=$(($(date +%s) - T0)); printf '%d:%02d' $((s / 60)) $((s % 60)); }
# The host's 1-minute load average, sampled at every progress line: the verdict reports its range,
# so a latency row that blocks on a loaded host says so.
load_min="" load_max="" load_now="?"
sample_load() {
  load_now=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null) || { load_now="?"; return 0; }
  local l=$load_now
  if [ -z "$load_min" ] || awk "BEGIN{exit !($l < $load_min)}"; then load_min=$l; fi
  if [ -z "$load_max" ] || awk "BEGIN{exit !($l > $load_max)}"; then load_max=$l; fi
}
say() { sample_load; printf '== [%s] %s (load %s)\n' "$(elapsed)" "$*" "$load_now"; }
cant_run() { say "the validation could not run: $*"; exit 3; }

if [ $external -eq 1 ]; then  # before anything else: an unreachable server means nothing to do
  for u in "$cb_url" "$wf_url"; do
    curl -fsS -m 5 -o /dev/null "$u/health" ||
      cant_run "$u/health does not answer (start the servers, e.g. bash ci/serve.sh --detach)"
  done
fi
rm -rf "$OUT"
mkdir -p "$ART" "$OUT/pictures"
LOG="$OUT/bazel.log"
: >"$LOG"

say "bootstrap (packages, grammars)"
bash ci/bootstrap.sh >>"$LOG" 2>&1 || cant_run "ci/bootstrap.sh failed (see $LOG)"

# Copies the test.xml and unzipped outputs of every test target in $@ (labels or patterns) that
# this run executed (test.xml newer than the story's start) into $ART/<package>/<target>/.
collect() {
  local since="$1"; shift
  local expr label pkg name dir dst n=0
  expr="tests($(printf '%s + ' "$@" | sed 's/ + $//'))"
  for label in $(bazel query --noshow_progress "$expr" 2>>"$LOG"); do
    pkg="${label#//}"; name="${pkg#*:}"; pkg="${pkg%%:*}"
    dir="bazel-testlogs/$pkg/$name"
    [ -f "$dir/test.xml" ] && [ "$dir/test.xml" -nt "$since" ] || continue
    dst="$ART/$pkg/$name"
    mkdir -p "$dst"
    cp "$dir/test.xml" "$dst/test.xml"
    [ -f "$dir/test.outputs/outputs.zip" ] && unzip -qo "$dir/test.outputs/outputs.zip" -d "$dst"
    n=$((n + 1))
  done
  echo "$n"
}

# One story: name, what comes next, then its targets (with `--` before negative patterns).
story() {
  local name="$1" next="$2"; shift 2
  local mark t1 rc n
  mark=$(mktemp)
  t1=$(date +%s)
  say "$name: start ($*)"
  bazel test --config=ci --nocache_test_results "${STORY_FLAGS[@]}" -- "$@" >>"$LOG" 2>&1
  rc=$?
  local pos=()
  for t in "$@"; do [ "${t#-}" = "$t" ] && pos+=("$t"); done
  n=$(collect "$mark" "${pos[@]}")
  rm -f "$mark"
  local res=passed
  [ $rc -eq 0 ] || res="FAILED (exit $rc; its rows will block; see $LOG)"
  say "$name: $res in $(($(date +%s) - t1)) s, $n targets' artifacts collected; next: $next"
  [ $rc -eq 0 ] || failed_stories+=("$name")
}

failed_stories=()
STORY_FLAGS=()
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit+local-changes"

if [ $external -eq 0 ]; then
  if [ "$profile" = full ]; then
    say "profile full: quick (~20 min) + standard load 2 x 17 min + soak 2 x 61.5 min: about 3 h 40 min"
  else
    say "profile quick: every story's CI profile, about 15-20 minutes on 2 cores"
  fi
  say "build: bazel build --config=ci //..."
  bazel build --config=ci //... >>"$LOG" 2>&1 || cant_run "the build failed (see $LOG)"
  story "US1 benchmarks + regression" "US2 integration" //benchmarks:all //benchmarks:regression
  story "US2 integration" "US3 load" //integration:all
  if [ "$profile" = full ]; then
    STORY_FLAGS=(--test_timeout=5400)
    story "US3 load (smoke, standard, soak)" "US4 resilience" //load:all //load:standard_codebase \
      //load:standard_workflow //load:soak_codebase //load:soak_workflow
    STORY_FLAGS=()
  else
    story "US3 load (smoke)" "US4 resilience" //load:all
  fi
  story "US4 resilience" "US5 observability" //resilience:all
  story "US5 observability" "unit and server tests" //observability:all
  story "unit and server tests" "reports and verdict" //... -//benchmarks/... -//integration/... \
    -//load/... -//resilience/... -//observability/...

  say "reports: US1 benchmark report${profile:+ }$([ "$profile" = full ] && echo "and US3 load report")"
  mkdir -p "$ART/reports/us1"
  us1=()  # the regression's short run first, the benchmarks' full runs win over it
  for t in regression indexing_perf search_perf workflow_perf; do
    [ -d "$ART/benchmarks/$t" ] && us1+=("$PWD/$ART/benchmarks/$t")
  done
  if [ ${#us1[@]} -gt 0 ]; then
    bazel run --config=ci //benchmarks:report -- --out "$PWD/$ART/reports/us1" "${us1[@]}" \
      >>"$LOG" 2>&1 || say "US1 report failed (see $LOG); SC-013 will block"
  fi
  if [ "$profile" = full ] && [ -d "$ART/load" ]; then
    mkdir -p "$ART/reports/us3/results"
    find "$ART/load" -name '*.json' ! -name 'test.xml' -exec cp {} "$ART/reports/us3/results/" \;
    bazel run --config=ci //load:load_report -- --results "$PWD/$ART/reports/us3/results" \
      --out "$PWD/$ART/reports/us3/load-testing-report.md" >>"$LOG" 2>&1 ||
      say "US3 report failed (see $LOG); SC-013 will block"
  fi
else
  say "external servers: codebase-mcp $cb_url, workflow-mcp $wf_url${db_url:+, database given}"
  say "build: integration-runner, loadgen, verdict"
  bazel build --config=ci //integration:integration-runner //load:loadgen //validation:verdict \
    >>"$LOG" 2>&1 || cant_run "the build failed (see $LOG)"
  E=$ART/external
  mkdir -p "$E/integration" "$E/load" "$E/health"
  say "US2 integration: start (integration-runner against the URLs)"
  bazel-bin/integration/integration-runner --codebase-url "$cb_url" --workflow-url "$wf_url" \
    --out "$E/integration" integration/scenarios >"$E/integration/runner.log" 2>&1 ||
    failed_stories+=("US2 integration")
  say "US2 integration: $(tail -1 "$E/integration/runner.log"); next: US3 load"

  say "US3 load: start (workflow data, then 50 clients a server for 60 s)"
  wf_post() { curl -fsS -m 30 -H 'Content-Type: application/json' -d "$2" "$wf_url/mcp/$1"; }
  pid=$(wf_post create_project "{\"name\":\"validate-$(date +%s)\",\"description\":\"ci/validate.sh load data\"}" | jq -r .id)
  if [ -n "$pid" ] && [ "$pid" != null ]; then
    wf_post register_entity_type "{\"project_id\":\"$pid\",\"name\":\"invoice\",\"schema\":{\"type\":\"object\",\"required\":[\"vendor\",\"status\",\"amount\"],\"properties\":{\"vendor\":{\"type\":\"string\"},\"status\":{\"type\":\"string\",\"enum\":[\"open\",\"paid\",\"overdue\"]},\"amount\":{\"type\":\"number\",\"minimum\":0}}}}" >/dev/null
    for i in $(seq 0 29); do
      st=$(echo open paid overdue | cut -d' ' -f$((i % 3 + 1)))
      wf_post create_entity "{\"project_id\":\"$pid\",\"entity_type\":\"invoice\",\"data\":{\"vendor\":\"v$i\",\"status\":\"$st\",\"amount\":$((i * 37 % 1000))}}" >/dev/null
    done
    jq --arg p "$pid" '.values.project = [$p]' load/scenarios/workflow.json >"$E/load/workflow.json"
    jq '.flows |= map(select(.name == "switch")) | .name = "switch"' "$E/load/workflow.json" >"$E/load/switch.json"
    jq '.flows |= map(select(.name == "entity_query")) | .name = "entity_query"' "$E/load/workflow.json" >"$E/load/query.json"
    LG=bazel-bin/load/loadgen
    $LG --quiet --url "$wf_url" --server-id workflow-mcp --scenario "$E/load/workflow.json" \
      --stage 20s:50 --stage 30s:50 --stage 10s:0 --out "$E/load/smoke-workflow-mcp.json" >>"$LOG" 2>&1
    $LG --quiet --url "$wf_url" --server-id workflow-mcp --scenario "$E/load/switch.json" --vus 1 \
      --duration 10s --think 0 --out "$E/load/switch-workflow-mcp.json" >>"$LOG" 2>&1
    $LG --quiet --url "$wf_url" --server-id workflow-mcp --scenario "$E/load/query.json" --vus 1 \
      --duration 10s --think 0 --out "$E/load/query-workflow-mcp.json" >>"$LOG" 2>&1
  else
    say "US3 load: workflow-mcp did not create a project; its load rows will block"
  fi
  # codebase-mcp: search needs a project indexed on that machine; 50 clients read /health there.
  bazel-bin/load/loadgen --quiet --url "$cb_url" --get /health --stage 20s:50 --stage 30s:50 \
    --stage 10s:0 --out "$E/load/smoke-codebase-mcp.json" >>"$LOG" 2>&1
  say "US3 load: done; next: US5 health latency"
  for s in codebase-mcp workflow-mcp; do
    u=$cb_url; [ $s = workflow-mcp ] && u=$wf_url
    bazel-bin/load/loadgen --quiet --url "$u" --server-id "$s" --get /health --vus 1 \
      --duration 10s --think 0 --out "$E/health/health-$s.json" >>"$LOG" 2>&1
  done
  say "US5 health latency: done; next: verdict"
fi

for svg in $(find "$ART/reports" -name '*.svg' 2>/dev/null | sort); do
  cp "$svg" "$OUT/pictures/"
done
pics=()
for svg in "$OUT"/pictures/*.svg; do [ -f "$svg" ] && pics+=(--picture "pictures/$(basename "$svg")"); done

say "verdict (validation/criteria.json)"
bazel build --config=ci //validation:verdict >>"$LOG" 2>&1 || cant_run "the verdict tool did not build"
sample_load
load_note="1-min load average $load_min to $load_max on $(nproc) cores during the run (sampled at each progress line)"
awk "BEGIN{exit !($load_max > $(nproc))}" &&
  load_note="$load_note: more runnable tasks than cores, so latency figures here are slower than on an idle host"
ext=()
[ $external -eq 1 ] && ext=(--codebase-url "$cb_url" --workflow-url "$wf_url")
echo
bazel-bin/validation/verdict --artifacts "$ART" --criteria validation/criteria.json --out "$OUT" \
  --profile "$profile" --commit "$commit" "${ext[@]}" "${pics[@]}" \
  --load "$load_note"
rc=$?
echo
[ ${#failed_stories[@]} -eq 0 ] || say "stories with failing targets: ${failed_stories[*]} (see $LOG)"
if [ $publish -eq 1 ] && [ $rc -lt 3 ]; then
  cp "$OUT/validation-report.md" docs/performance/sc-verdict.md
  say "published docs/performance/sc-verdict.md (the US1 report stays //benchmarks:report's)"
fi
say "done: exit $rc ($(case $rc in 0) echo go ;; 1) echo review ;; 2) echo block ;; *) echo 'could not run' ;; esac)); report $OUT/validation-report.md"
exit $rc
