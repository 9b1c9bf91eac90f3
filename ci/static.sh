#!/usr/bin/env bash
# Static analysis gate: clang-tidy (checks in .clang-tidy) and cppcheck over the product C of
# models/, servers/ and testing/. A finding fails unless it is suppressed on its line with the
# reason (`// NOLINT(check): why` for clang-tidy, `// cppcheck-suppress id` + why for cppcheck) or
# listed in the baseline ci/static_baseline.txt (findings of the day the gate came, as
# "tool file check": each listed line allows that many findings of that check in that file; the
# list must only shrink).
#   bash ci/static.sh                 # exit 1 on a new finding; prints "static: N findings ..."
#   STATIC_FILES="a.c b.c" bash ci/static.sh     # only these files
#   bash ci/static.sh --write-baseline           # rewrite the baseline (only after fixing some)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for t in clang-tidy cppcheck; do
  command -v "$t" >/dev/null || { echo "static: $t is missing: run bash ci/bootstrap.sh" >&2; exit 1; }
done
out=${STATIC_OUT:-out/static}
mkdir -p "$out"
if [ -n "${STATIC_FILES:-}" ]; then
  printf '%s\n' $STATIC_FILES >"$out/files.txt"
else
  git ls-files -co --exclude-standard -- 'models/*.c' 'servers/*.c' 'testing/*.c' >"$out/files.txt"
fi
# Generated headers (migrations) are in bazel-bin once anything was built.
flags=(-std=c11 -D_GNU_SOURCE -I. -isystem /usr/include/postgresql)
[ -d bazel-bin ] && flags+=(-Ibazel-bin)

t0=$(date +%s)
xargs -P"${STATIC_JOBS:-2}" -I{} clang-tidy --quiet {} -- "${flags[@]}" <"$out/files.txt" >"$out/tidy.log" 2>&1
t1=$(date +%s)
cppcheck --quiet --enable=warning,portability,performance --std=c11 --library=posix \
  -D_GNU_SOURCE -I. --suppress=missingIncludeSystem --inline-suppr -j 2 \
  `# readdir is thread-safe per DIR* in glibc; readdir_r is the deprecated one.` \
  --suppress=readdirCalled \
  --template='{file}:{line}: {severity}: {message} [cppcheck-{id}]' \
  --file-list="$out/files.txt" >"$out/cppcheck.log" 2>&1
t2=$(date +%s)

# One finding per line: "tool file check<TAB>full message".
{
  grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error): .*\[[a-zA-Z0-9.,-]+\]$' "$out/tidy.log" \
    | sed -E "s|^$(pwd)/||" | sort -u \
    | sed -E 's/^([^:]+):.*\[([a-zA-Z0-9.,-]+)\]$/tidy \1 \2\t&/'
  grep -E '^[^ ]+:[0-9]+: [a-z]+: .*\[cppcheck-[a-zA-Z0-9_]+\]$' "$out/cppcheck.log" | sort -u \
    | sed -E 's/^([^:]+):.*\[cppcheck-([a-zA-Z0-9_]+)\]$/cppcheck \1 \2\t&/'
} >"$out/findings.txt"

if [ "${1:-}" = "--write-baseline" ]; then
  { echo "# Findings allowed by ci/static.sh: one line per finding (tool file check). Fix them and"
    echo "# delete their lines; never add lines to make CI pass."
    cut -f1 "$out/findings.txt" | sort; } >ci/static_baseline.txt
  echo "static: baseline written: $(grep -vc '^#' ci/static_baseline.txt) findings"
  exit 0
fi
# A finding is new when its file has more findings of its check than the baseline allows.
new=$(python3 - "$out/findings.txt" ci/static_baseline.txt <<'PY'
import collections, sys
allowed = collections.Counter(l.strip() for l in open(sys.argv[2]) if l.strip() and not l.startswith("#"))
seen = collections.Counter()
for line in open(sys.argv[1]):
    key, _, msg = line.rstrip("\n").partition("\t")
    seen[key] += 1
    if seen[key] > allowed[key]:
        print(msg)
PY
)
total=$(wc -l <"$out/findings.txt")
files=$(wc -l <"$out/files.txt")
n_new=0; [ -z "$new" ] || n_new=$(printf '%s\n' "$new" | wc -l)
errs=$(grep -c 'clang-diagnostic-error' "$out/findings.txt" || true)
echo "static: clang-tidy $((t1 - t0)) s, cppcheck $((t2 - t1)) s over $files files:" \
     "$total findings, $((total - n_new)) in the baseline, $n_new new"
if [ "$n_new" -gt 0 ]; then
  echo "static: FAIL: new findings (fix them, or suppress on the line with the reason):"
  printf '%s\n' "$new" | sed 's/^/  /'
  grep -B2 -A8 -F "$(printf '%s\n' "$new" | head -1)" "$out/tidy.log" 2>/dev/null | head -20 | sed 's/^/    /'
  exit 1
fi
[ "$errs" -eq 0 ] || echo "static: note: $errs file(s) did not compile for clang-tidy (see $out/tidy.log)"
exit 0
