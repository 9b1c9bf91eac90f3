#!/usr/bin/env bash
# report.sh — regenerate docs/operations/resilience-validation-report.md from the last
# `bazel test //resilience:...` run: unpacks each target's outputs.zip (the records it wrote) and
# hands them, with the target's test.log, to //resilience:report (which validates every record).
#   bash resilience/report.sh            # after: bazel test //resilience:all [manual targets]
set -euo pipefail
cd "$(dirname "$0")/.."
logs=bazel-testlogs/resilience
[ -d "$logs" ] || { echo "report.sh: no $logs; run: bazel test //resilience:all" >&2; exit 1; }
bazel build //resilience:report >/dev/null 2>&1 || bazel build //resilience:report
tmp=$(mktemp -d /tmp/rs-report.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
args=()
for dir in "$logs"/*/; do
  t=$(basename "$dir")
  [ -f "$dir/test.log" ] || continue
  mkdir -p "$tmp/$t"
  if [ -f "$dir/test.outputs/outputs.zip" ]; then
    unzip -q -o "$dir/test.outputs/outputs.zip" -d "$tmp/$t"
  fi
  args+=("$tmp/$t=$dir/test.log")
done
newest=$(ls -t "$logs"/*/test.log | head -1)
oldest=$(ls -tr "$logs"/*/test.log | head -1)
when="test logs written between $(date -u -r "$oldest" '+%Y-%m-%d %H:%M') and $(date -u -r "$newest" '+%H:%M UTC')"
machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average at report time $(cut -d' ' -f1-3 /proc/loadavg)"
bazel-bin/resilience/report --out docs/operations/resilience-validation-report.md \
  --when "$when" --commit "$(git rev-parse --short HEAD) (at report time; the tests ran on the builds of that day)" --machine "$machine" \
  "${args[@]}"
echo "wrote docs/operations/resilience-validation-report.md"
