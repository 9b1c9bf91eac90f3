#!/usr/bin/env bash
# Static analysis gate: clang-tidy (checks in .clang-tidy) and cppcheck over the product C of
# models/, servers/ and testing/. Zero findings: any finding fails, unless it is suppressed on its
# line with the reason (`// NOLINT(check): why` or `// NOLINTNEXTLINE(check): why` for clang-tidy,
# `// cppcheck-suppress id ; why` on the line before for cppcheck). A file clang-tidy cannot
# compile is a finding too (clang-diagnostic-error): its other findings would go unseen.
#   bash ci/static.sh                 # exit 1 on any finding; prints "static: N findings ..."
#   STATIC_FILES="a.c b.c" bash ci/static.sh     # only these files
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
# Generated headers (the servers' migrations) are in bazel-bin once their genrules ran: build them
# (seconds when cached), or the files that include them do not compile for clang-tidy.
gen=""
grep -q '^servers/' "$out/files.txt" \
  && gen=$(bazel query 'attr(name, "_migrations_gen$", //servers/...)' 2>/dev/null)
if [ -n "$gen" ]; then
  # shellcheck disable=SC2086
  bazel build --config=ci $gen >"$out/gen.log" 2>&1 \
    || { cat "$out/gen.log" >&2; echo "static: building the generated headers failed" >&2; exit 1; }
fi
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
  # A suppression must say why: "NOLINT(check): reason", "cppcheck-suppress id ; reason".
  xargs grep -nHE 'NOLINT|cppcheck-suppress' <"$out/files.txt" 2>/dev/null \
    | grep -vE 'NOLINT(NEXTLINE)?\([^)]+\): *[^ ]|cppcheck-suppress [A-Za-z0-9_]+ *; *[^ ]' \
    | sed -E 's/^([^:]+):([0-9]+):.*$/suppress \1 no-reason\t\1:\2: a suppression without its check and reason [suppress-no-reason]/'
} >"$out/findings.txt"

total=$(wc -l <"$out/findings.txt")
files=$(wc -l <"$out/files.txt")
echo "static: clang-tidy $((t1 - t0)) s, cppcheck $((t2 - t1)) s over $files files: $total findings"
if [ "$total" -gt 0 ]; then
  echo "static: FAIL: $total finding(s) (fix them, or suppress on the line with the reason):"
  cut -f2 "$out/findings.txt" | sed 's/^/  /'
  grep -B2 -A8 -F "$(cut -f2 "$out/findings.txt" | head -1)" "$out/tidy.log" 2>/dev/null | head -20 | sed 's/^/    /'
  exit 1
fi
exit 0
